package retry

import (
	"errors"
	"math"
	"time"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns/policy/internal/window"
)

// Jitter kinds for Config.Jitter.
const (
	// JitterFull draws each delay uniformly from [0, ceiling): AWS's "full
	// jitter", which spreads the retries of callers that failed together.
	JitterFull = "full"
	// JitterNone waits the ceiling itself: plain exponential backoff.
	JitterNone = "none"
)

// MaxAttemptsLimit bounds Config.MaxAttempts.
const MaxAttemptsLimit = 100

// Config configures a Policy. Start from DefaultConfig; New does not fill in
// zero values.
type Config struct {
	// MaxAttempts is the number of attempts a call gets, the first included:
	// 1 never retries. 1..MaxAttemptsLimit. Default 3.
	MaxAttempts int `yaml:"max_attempts" json:"max_attempts"`
	// BaseDelay is the backoff ceiling before the first retry; it doubles
	// for every further retry. >= 0; 0 retries at once. Default 25ms.
	BaseDelay time.Duration `yaml:"base_delay" json:"base_delay"`
	// MaxDelay caps the backoff ceiling, >= BaseDelay. Default 1s.
	MaxDelay time.Duration `yaml:"max_delay" json:"max_delay"`
	// Jitter is "full" (a delay drawn from [0, ceiling)) or "none" (the
	// ceiling). Default "full".
	Jitter string `yaml:"jitter" json:"jitter"`
	// Budget caps retries to a share of calls.
	Budget BudgetConfig `yaml:"budget" json:"budget"`
}

// BudgetConfig configures a retry budget (see Budget): over any Window,
// retries are at most Ratio × calls + MinPerSecond × Window.
type BudgetConfig struct {
	// Enabled switches the budget on. Default true.
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Ratio is the retries each call earns, in [0, MaxRatio]: 0.2 lets one
	// call in five be retried once. Default 0.2.
	Ratio float64 `yaml:"ratio" json:"ratio"`
	// MinPerSecond is a reserve of retries per second granted whatever the
	// call rate, so that a quiet caller can still retry. >= 0. Default 10.
	MinPerSecond float64 `yaml:"min_per_second" json:"min_per_second"`
	// Window is how long a call's deposit and a retry's withdrawal count,
	// kept in 10 buckets of Window/10. At least 10ns. Default 10s.
	Window time.Duration `yaml:"window" json:"window"`
}

// DefaultConfig returns the documented defaults: 3 attempts, exponential
// backoff from 25ms capped at 1s with full jitter, and Finagle's default
// budget (20% of calls plus 10 retries a second, over 10s).
func DefaultConfig() Config {
	return Config{
		MaxAttempts: 3,
		BaseDelay:   25 * time.Millisecond,
		MaxDelay:    time.Second,
		Jitter:      JitterFull,
		Budget:      DefaultBudgetConfig(),
	}
}

// DefaultBudgetConfig returns the budget's documented defaults.
func DefaultBudgetConfig() BudgetConfig {
	return BudgetConfig{Enabled: true, Ratio: 0.2, MinPerSecond: 10, Window: 10 * time.Second}
}

// Validate reports every invalid field, each a field error
// (internal/field) whose path is the field's YAML key. The budget is only
// checked when it is enabled.
func (c Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, field.Errorf(path, format, args...))
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > MaxAttemptsLimit {
		bad("max_attempts", "must be in [1,%d], got %d", MaxAttemptsLimit, c.MaxAttempts)
	}
	if c.BaseDelay < 0 {
		bad("base_delay", "must be >= 0, got %v", c.BaseDelay)
	}
	if c.MaxDelay < c.BaseDelay || c.MaxDelay < 0 {
		bad("max_delay", "must be >= base_delay (%v), got %v", c.BaseDelay, c.MaxDelay)
	}
	if c.Jitter != JitterFull && c.Jitter != JitterNone {
		bad("jitter", "must be %q or %q, got %q", JitterFull, JitterNone, c.Jitter)
	}
	if c.Budget.Enabled {
		errs = append(errs, field.In("budget", c.Budget.Validate()))
	}
	return errors.Join(errs...)
}

// MaxRatio bounds BudgetConfig.Ratio.
const MaxRatio = 10

// Validate reports every invalid field of an enabled or disabled budget,
// each a field error (internal/field) whose path is the field's YAML key.
func (c BudgetConfig) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, field.Errorf(path, format, args...))
	}
	if !(c.Ratio >= 0 && c.Ratio <= MaxRatio) { // also rejects NaN
		bad("ratio", "must be in [0,%d], got %v", MaxRatio, c.Ratio)
	}
	if !(c.MinPerSecond >= 0) || math.IsInf(c.MinPerSecond, 0) {
		bad("min_per_second", "must be a number >= 0, got %v", c.MinPerSecond)
	}
	if c.Window < window.Buckets {
		bad("window", "must be at least %v (it is split into %d buckets), got %v",
			time.Duration(window.Buckets), window.Buckets, c.Window)
	}
	return errors.Join(errs...)
}
