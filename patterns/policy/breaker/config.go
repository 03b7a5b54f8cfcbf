package breaker

import (
	"errors"
	"time"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns/policy/internal/window"
)

// Window kinds for Config.Window.
const (
	CountWindow = "count" // the last Size calls
	TimeWindow  = "time"  // the calls of the last Period
)

// Half-open rules for Config.HalfOpenRule.
const (
	// FirstFailure reopens on the first failed (or slow) probe and closes
	// once HalfOpenCalls probes succeeded, as sony/gobreaker and Polly do.
	FirstFailure = "first_failure"
	// Ratios waits until every one of the HalfOpenCalls probes completed,
	// then opens when their failure ratio reaches FailureRatio or their
	// slow ratio reaches SlowRatio, and closes otherwise, as resilience4j
	// does.
	Ratios = "ratios"
)

// MaxSize bounds Config.Size (a count window holds one byte per call).
const MaxSize = 1 << 20

// Config configures a Breaker. Start from DefaultConfig; every field must be
// set (New does not fill in zero values).
type Config struct {
	// Window is the kind of sliding window the closed state decides on:
	// "count" (the last Size calls) or "time" (the calls of the last Period,
	// kept in 10 buckets of Period/10, so a call leaves the window between
	// 0.9·Period and Period after it finished). Default "count".
	Window string `yaml:"window" json:"window"`
	// Size is the number of calls in a count window, 1..MaxSize. Default 20.
	Size int `yaml:"size" json:"size"`
	// Period is the length of a time window, at least 10ns. Default 10s.
	Period time.Duration `yaml:"period" json:"period"`
	// MinCalls is the number of calls the window must hold before the breaker
	// may trip; at most Size for a count window. Default 10.
	MinCalls int `yaml:"min_calls" json:"min_calls"`
	// FailureRatio trips the breaker when failed calls ÷ calls in the window
	// reaches it, in (0,1]. Default 0.5.
	FailureRatio float64 `yaml:"failure_ratio" json:"failure_ratio"`
	// SlowCall marks a call that took longer than it as slow; 0 disables
	// slow-call detection. Default 0 (patterns set it).
	SlowCall time.Duration `yaml:"slow_call" json:"slow_call"`
	// SlowRatio trips the breaker when slow calls ÷ calls in the window
	// reaches it, in (0,1]; only used when SlowCall > 0. Default 0.5.
	SlowRatio float64 `yaml:"slow_ratio" json:"slow_ratio"`
	// OpenWait is how long the breaker stays open before it lets probes
	// through (half-open), > 0. Default 5s.
	OpenWait time.Duration `yaml:"open_wait" json:"open_wait"`
	// HalfOpenCalls is the number of probe calls permitted in the half-open
	// state. At least 1. Default 3.
	HalfOpenCalls int `yaml:"half_open_calls" json:"half_open_calls"`
	// HalfOpenRule decides the probes: "first_failure" (one failed or slow
	// probe reopens, HalfOpenCalls successes close; gobreaker, Polly) or
	// "ratios" (once all HalfOpenCalls probes completed, open when their
	// failure or slow ratio reaches FailureRatio or SlowRatio, else close;
	// resilience4j). Default "first_failure".
	HalfOpenRule string `yaml:"half_open_rule" json:"half_open_rule"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Window:        CountWindow,
		Size:          20,
		Period:        10 * time.Second,
		MinCalls:      10,
		FailureRatio:  0.5,
		SlowCall:      0,
		SlowRatio:     0.5,
		OpenWait:      5 * time.Second,
		HalfOpenCalls: 3,
		HalfOpenRule:  FirstFailure,
	}
}

// Validate reports every invalid field, each a field error
// (internal/field) whose path is the field's YAML key.
func (c Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, field.Errorf(path, format, args...))
	}
	if c.Window != CountWindow && c.Window != TimeWindow {
		bad("window", "must be %q or %q, got %q", CountWindow, TimeWindow, c.Window)
	}
	if c.Size < 1 || c.Size > MaxSize {
		bad("size", "must be in [1,%d], got %d", MaxSize, c.Size)
	}
	if c.Period < window.Buckets {
		bad("period", "must be at least %v (it is split into %d buckets), got %v",
			time.Duration(window.Buckets), window.Buckets, c.Period)
	}
	if c.MinCalls < 1 {
		bad("min_calls", "must be >= 1, got %d", c.MinCalls)
	} else if c.Window == CountWindow && c.MinCalls > c.Size && c.Size >= 1 {
		bad("min_calls", "must be <= size (%d) for a count window, got %d", c.Size, c.MinCalls)
	}
	if !(c.FailureRatio > 0 && c.FailureRatio <= 1) {
		bad("failure_ratio", "must be in (0,1], got %v", c.FailureRatio)
	}
	if c.SlowCall < 0 {
		bad("slow_call", "must be >= 0 (0 disables), got %v", c.SlowCall)
	}
	if !(c.SlowRatio > 0 && c.SlowRatio <= 1) {
		bad("slow_ratio", "must be in (0,1], got %v", c.SlowRatio)
	}
	if c.OpenWait <= 0 {
		bad("open_wait", "must be > 0, got %v", c.OpenWait)
	}
	if c.HalfOpenCalls < 1 {
		bad("half_open_calls", "must be >= 1, got %d", c.HalfOpenCalls)
	}
	if c.HalfOpenRule != FirstFailure && c.HalfOpenRule != Ratios {
		bad("half_open_rule", "must be %q or %q, got %q", FirstFailure, Ratios, c.HalfOpenRule)
	}
	return errors.Join(errs...)
}
