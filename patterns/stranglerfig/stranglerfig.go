// Package stranglerfig is the Strangler Fig pattern as a topology: client →
// facade → legacy (the monolith) and modern (the new service the routes are
// migrated to). The facade routes per route and, within a route, sends a
// sticky share of the users (by a hash of their key) to modern; timeline
// actions (actions.Shift) move that share step by step (0 → 10 → 40 →
// 100%). While legacy answers, the facade copies GET requests to modern in
// the background with bounded concurrency (shadow traffic: copies that find
// every slot taken are dropped and counted) and compares the answers the
// way Twitter's Diffy does: a second legacy answer shows which fields
// differ by nature (timestamps, trace ids), so only the other differences
// count as real. When modern's error rate or real diff rate breaks its
// threshold for K consecutive windows, the facade sends the route back to
// legacy and keeps it there.
//
// The baseline is a big-bang cutover on the same timeline: the first shift
// of a route sends all its users to modern at once, with no shadow and no
// rollback.
//
// It must not import scenarios, reports, testbeds or cmd.
package stranglerfig

import (
	"errors"
	"time"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Service names.
const (
	Facade = "facade"
	Legacy = "legacy"
	Modern = "modern"
)

// Routes the facade serves: a route is a path prefix ("/catalog/...").
// Catalog is the one being migrated; orders (POST, never shadowed) stays.
const (
	Catalog = "catalog"
	Orders  = "orders"
)

// routes lists the facade's routes, in order.
var routes = []string{Catalog, Orders}

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `facade: {rollback: {windows: 2}}`.
type Config struct {
	Facade FacadeConfig      `yaml:"facade" json:"facade"`
	Legacy dependency.Config `yaml:"legacy" json:"legacy"`
	Modern dependency.Config `yaml:"modern" json:"modern"`
}

// FacadeConfig configures the facade.
type FacadeConfig struct {
	// BigBang is the baseline: a route's first shift above 0% sends every
	// user to modern at once.
	BigBang bool `yaml:"big_bang" json:"big_bang"`
	// UserHeader names the request header holding the user's key, which
	// picks the user's backend; requests without one go to legacy.
	UserHeader string           `yaml:"user_header" json:"user_header"`
	Timeout    time.Duration    `yaml:"timeout" json:"timeout"` // per backend call
	Capacity   service.Capacity `yaml:"capacity" json:"capacity"`
	Shadow     ShadowConfig     `yaml:"shadow" json:"shadow"`
	Rollback   RollbackConfig   `yaml:"rollback" json:"rollback"`
}

// ShadowConfig configures shadow traffic.
type ShadowConfig struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Concurrency bounds the copies in flight; a copy finding every slot
	// taken is dropped.
	Concurrency int           `yaml:"concurrency" json:"concurrency"`
	Timeout     time.Duration `yaml:"timeout" json:"timeout"` // per shadow call
}

// RollbackConfig configures the automatic rollback.
type RollbackConfig struct {
	Enabled bool          `yaml:"enabled" json:"enabled"`
	Window  time.Duration `yaml:"window" json:"window"`
	// Windows is K: a route rolls back after this many bad windows in a row.
	Windows int `yaml:"windows" json:"windows"`
	// MaxErrorRate and MaxDiffRate bound modern's share of failed calls and
	// of real differences in a window.
	MaxErrorRate float64 `yaml:"max_error_rate" json:"max_error_rate"`
	MaxDiffRate  float64 `yaml:"max_diff_rate" json:"max_diff_rate"`
	// MinCalls is the fewest modern answers (or comparisons) that make a
	// window count; a quieter window neither breaks nor resets the run.
	MinCalls int `yaml:"min_calls" json:"min_calls"`
}

// New returns the strangler fig pattern. Its defaults: the user's key in
// X-User; 1s per backend call (half the client's 2s); 64 workers and a
// queue of 128 (twice a dependency's, since every request passes through);
// shadow on with 16 copies in flight (a tenth of the load at 5 ms per call
// leaves plenty; a slow modern fills them, and copies are dropped, not
// queued) and 500ms per copy; rollback on after 3 bad windows of 500ms in
// a row (1.5 s: long enough that one unlucky window does not roll back,
// short enough that few users see errors), at more than 5% errors or 2%
// real differences, judged once a window has 10 answers. Legacy and modern
// are healthy dependencies (~5 ms). The baseline is the big-bang cutover:
// no shadow, no rollback.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "strangler-fig",
		Description: "client → facade → legacy and modern; routes a sticky share of each route's users to modern, shadows GETs with Diffy-style noise cancelling, and rolls a route back on errors or diffs",
		Topology: patterns.Topology{
			Services: []string{Legacy, Modern, Facade},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: Facade}, {From: Facade, To: Legacy}, {From: Facade, To: Modern},
			},
			Entry:        Facade,
			StateService: Facade,
			StateMetric:  StateMetric,
			StateNames:   StateNames,
			Gauges:       []string{PercentMetric, DiffsMetric, NoiseMetric},
			Counters: []string{RequestsMetric, ShadowSentMetric, ShadowDroppedMetric, ComparedMetric,
				DiffsMetric, NoiseMetric, ModernErrorsMetric, RollbacksMetric, IgnoredShiftsMetric},
			Controls: map[string][]string{Facade: routes},
		},
		Defaults: defaults,
		Baseline: func(c *Config) {
			c.Facade.BigBang, c.Facade.Shadow.Enabled, c.Facade.Rollback.Enabled = true, false, false
		},
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Legacy: backendService(Legacy, func(c *Config) dependency.Config { return c.Legacy }, 0),
			Modern: backendService(Modern, func(c *Config) dependency.Config { return c.Modern }, 1),
			Facade: newFacade,
		},
	})
}

func defaults() *Config {
	return &Config{
		Facade: FacadeConfig{
			UserHeader: "X-User",
			Timeout:    time.Second,
			Capacity:   service.Capacity{Workers: 64, Queue: 128, QueueTimeout: time.Second},
			Shadow:     ShadowConfig{Enabled: true, Concurrency: 16, Timeout: 500 * time.Millisecond},
			Rollback: RollbackConfig{Enabled: true, Window: 500 * time.Millisecond, Windows: 3,
				MaxErrorRate: 0.05, MaxDiffRate: 0.02, MinCalls: 10},
		},
		Legacy: dependency.DefaultConfig(),
		Modern: dependency.DefaultConfig(),
	}
}

func validate(c *Config) error {
	f := c.Facade
	var errs []error
	if f.UserHeader == "" {
		errs = append(errs, field.Errorf("facade.user_header", "required: the header holding the user's key"))
	}
	if f.Timeout <= 0 {
		errs = append(errs, field.Errorf("facade.timeout", "must be > 0, got %s", f.Timeout))
	}
	if f.Shadow.Enabled {
		if f.Shadow.Concurrency <= 0 {
			errs = append(errs, field.Errorf("facade.shadow.concurrency", "must be > 0, got %d", f.Shadow.Concurrency))
		}
		if f.Shadow.Timeout <= 0 {
			errs = append(errs, field.Errorf("facade.shadow.timeout", "must be > 0, got %s", f.Shadow.Timeout))
		}
	}
	if f.Rollback.Enabled {
		errs = append(errs, field.In("facade.rollback", f.Rollback.validate()))
	}
	errs = append(errs,
		field.In("facade.capacity", f.Capacity.Validate()),
		field.In("legacy", c.Legacy.Validate()),
		field.In("modern", c.Modern.Validate()))
	return errors.Join(errs...)
}

func (r RollbackConfig) validate() error {
	var errs []error
	if r.Window <= 0 {
		errs = append(errs, field.Errorf("window", "must be > 0, got %s", r.Window))
	}
	if r.Windows <= 0 {
		errs = append(errs, field.Errorf("windows", "must be > 0, got %d", r.Windows))
	}
	if !(r.MaxErrorRate >= 0 && r.MaxErrorRate <= 1) {
		errs = append(errs, field.Errorf("max_error_rate", "must be within [0, 1], got %v", r.MaxErrorRate))
	}
	if !(r.MaxDiffRate >= 0 && r.MaxDiffRate <= 1) {
		errs = append(errs, field.Errorf("max_diff_rate", "must be within [0, 1], got %v", r.MaxDiffRate))
	}
	if r.MinCalls < 1 {
		errs = append(errs, field.Errorf("min_calls", "must be >= 1, got %d", r.MinCalls))
	}
	return errors.Join(errs...)
}
