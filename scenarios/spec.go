package scenarios

import (
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/faults/actions"
	"github.com/faultline/faultline/patterns"
)

// Scenario is one scenario file, decoded and validated.
type Scenario struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Pattern     string         `yaml:"pattern"`
	Seed        int64          `yaml:"seed"`
	Window      time.Duration  `yaml:"window"` // aggregation window; default 1s
	Variants    []Variant      `yaml:"variants"`
	Load        Load           `yaml:"load"`
	Faults      []faults.Fault `yaml:"-"` // decoded per kind by Parse
	// Actions are the timeline's steps that steer the topology (a
	// migration's shifts), decoded per kind by Parse.
	Actions []actions.Action `yaml:"-"`
	SLOs    []SLO            `yaml:"slo"`
	// Compare overrides the tolerances of faultline compare (compare.go).
	Compare *Compare `yaml:"compare"`
	// SteadyState requires the SLOs of phase before to hold when the first
	// fault is due; else no fault is injected, the run stops, everything is
	// reverted and the report says "system not steady" (partial).
	SteadyState bool `yaml:"steady_state"`
	// Sweep, when set, expanded into variants appended to Variants.
	Sweep *Sweep `yaml:"-"`

	File string `yaml:"-"` // where it was read from, for messages
	// Impl is the pattern the scenario names, resolved by Parse.
	Impl patterns.Pattern `yaml:"-"`
}

// Variant is one configuration of the pattern: the pattern's defaults (or its
// baseline) with overrides.
type Variant struct {
	Name string `yaml:"name"`
	// Baseline starts from the pattern's baseline configuration instead of
	// its defaults.
	Baseline bool `yaml:"baseline"`
	// Expect is "pass" (default: every SLO must hold) or "violate" (the
	// variant is shown for contrast and must violate at least one SLO). A
	// sweep's variants have "report" unless the sweep gates: their SLOs are
	// evaluated and shown, and they are ranked, but they do not decide the
	// verdict.
	Expect string `yaml:"expect"`
	// Config is the effective configuration: defaults or baseline with the
	// file's overrides decoded onto it (strictly: unknown keys are errors).
	Config any `yaml:"-"`
	// Params holds, for a variant a sweep expanded, the swept configuration
	// keys and their values as written ("breaker.open_wait": "2s").
	Params map[string]string `yaml:"-"`
}

// Sweep runs the pattern under several configurations: every combination
// of the swept values (grid) or each value of one parameter at a time
// (each), starting from the pattern's defaults or from a listed variant.
type Sweep struct {
	// Base names the variant whose configuration the sweep starts from; ""
	// starts from the pattern's defaults.
	Base string
	// Params are the swept configuration keys, in the order written: the
	// first is the x axis of the sweep's charts.
	Params []SweepParam
	// Mode is "grid" (every combination, the default) or "each" (one
	// parameter at a time, the others as in the base).
	Mode string
	// RankBy orders the configurations in the report.
	RankBy RankBy
	// Gate makes swept variants meet every SLO like listed ones; by default
	// they are ranked, not gated.
	Gate bool
}

// SweepParam is one swept configuration key ("breaker.open_wait", dotted
// YAML keys from the configuration's root) and its values as written.
type SweepParam struct {
	Key    string
	Values []string
}

// RankBy names the measurement that ranks a sweep's configurations.
type RankBy struct {
	Metric string `yaml:"metric"` // default success
	Route  string `yaml:"route"`  // default: every route together
	Phase  string `yaml:"phase"`  // default during
	Fault  string `yaml:"fault"`  // default: all faults together
	// Order is desc (higher is better: the default for success and rate)
	// or asc (the default for every other metric).
	Order string `yaml:"order"`
}

// Load is the client's load: the traffic the scenario drives through the
// topology (the file's load section).
type Load struct {
	// Either Rate (constant, for Duration) or Stages.
	Rate     Rate          `yaml:"rate"`
	Duration time.Duration `yaml:"duration"`
	Stages   []Stage       `yaml:"stages"`
	// Timeout is the client's per-request timeout; default 2s.
	Timeout time.Duration `yaml:"timeout"`
	// Workers and Connections bound Vegeta; defaults 64 and 64.
	Workers     uint64   `yaml:"workers"`
	Connections int      `yaml:"connections"`
	Targets     []Target `yaml:"targets"`
	// Bursts are load events: extra load on one target's route for a
	// while, on top of the rate or stages. SLOs and the report judge the
	// time before, during and after each, as for a fault.
	Bursts []Burst `yaml:"bursts"`
}

// Burst is a load event: Rate more requests on the route of the targets
// named Target, from At for Duration (a tenant sending five times its
// quota, a retry storm, a flood of forged tokens).
type Burst struct {
	Name     string        `yaml:"name"`
	Target   string        `yaml:"target"` // a target's name
	Rate     Rate          `yaml:"rate"`   // on top of the load's rate
	At       time.Duration `yaml:"at"`
	Duration time.Duration `yaml:"duration"`
}

// Stage is one step of a staged load. With Ramp, the rate moves linearly from
// the previous stage's rate (0 for the first) to Rate over Duration; without,
// it steps to Rate at once.
type Stage struct {
	Duration time.Duration `yaml:"duration"`
	Rate     Rate          `yaml:"rate"`
	Ramp     bool          `yaml:"ramp"`
}

// Target is one route the client calls. Weight is relative (default 1);
// weight 0 keeps the target out of the steady load: only its bursts send it.
type Target struct {
	Name    string            `yaml:"name"`   // route name in reports; default "METHOD path"
	Method  string            `yaml:"method"` // default GET
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	Weight  int               `yaml:"weight"`
}

// Rate is requests per period, written "200/s", "600/m" or "50/100ms".
type Rate struct {
	Freq int
	Per  time.Duration
}

// PerSecond returns the rate in requests per second.
func (r Rate) PerSecond() float64 {
	if r.Per <= 0 {
		return 0
	}
	return float64(r.Freq) / r.Per.Seconds()
}

// SLO is an assertion on a metric of the client's results (or of the
// topology, for amplification), for some variants, routes and phase.
type SLO struct {
	Name     string   `yaml:"name"`
	Metric   string   `yaml:"metric"`   // see model.Metrics (package reports/model)
	Variants []string `yaml:"variants"` // default: every variant
	Route    string   `yaml:"route"`    // default: every route together
	// Phase is overall (default), before, during or after; Fault picks the
	// fault it is relative to, or Burst the load burst (default: all
	// faults and bursts together).
	Phase string `yaml:"phase"`
	Fault string `yaml:"fault"`
	// Burst picks a load burst (load.bursts) instead of a fault.
	Burst string `yaml:"burst"`
	// Min and/or Max bound the metric: a number, a percentage ("95%") or a
	// duration ("300ms"), in the metric's unit. On rate, a percentage is a
	// share of the planned rate, and with neither bound an SLO on rate asks
	// for at least 99% of the plan.
	Min *Threshold `yaml:"min"`
	Max *Threshold `yaml:"max"`
	// AbortAfter, when set, stops the run once every window of the SLO's
	// phase has breached it for this long in a row (k6's abortOnFail with
	// a delay): faults are reverted and the report is marked partial.
	AbortAfter time.Duration `yaml:"abort_after"`
}

// Threshold is an SLO bound in the metric's base unit (ratio, seconds, ...).
type Threshold struct {
	Value float64
	Text  string // as written
	// OfPlan is set on a rate bound written as a percentage: Value is then
	// a share of the planned rate.
	OfPlan bool
}

// event is the fault or burst an SLO is relative to; "" for all of them.
func (o SLO) event() string { return o.Fault + o.Burst }
