package model

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Run is one execution of one scenario: everything summary.json holds, and
// everything a report is rendered from.
type Run struct {
	Scenario    string        `json:"scenario"`
	Description string        `json:"description,omitempty"`
	Pattern     string        `json:"pattern"`
	Testbed     string        `json:"testbed"`
	Seed        int64         `json:"seed"`
	Scale       float64       `json:"scale"`            // duration scale (1 = as written)
	Window      time.Duration `json:"window"`           // aggregation window
	StartedAt   time.Time     `json:"started_at"`       // wall clock
	Planned     time.Duration `json:"planned"`          // planned load duration per variant
	Partial     bool          `json:"partial"`          // interrupted or failed before the end
	Reason      string        `json:"reason,omitempty"` // why it is partial
	Timings     []Timing      `json:"timings,omitempty"`
	Variants    []*Variant    `json:"variants"`
	// Sweep describes the configuration sweep that some variants come
	// from, with their ranking; nil when the scenario has no sweep.
	Sweep *Sweep `json:"sweep,omitempty"`
	// Repeat is how many times each variant ran (Variant.Repeats holds
	// the runs after the first); 0 or 1 for a single run.
	Repeat int `json:"repeat,omitempty"`
	// Tolerances overrides DefaultTolerances per metric, from the
	// scenario's compare section; Compare applies the new run's.
	Tolerances map[string]Tolerance `json:"tolerances,omitempty"`
	// Against is this run compared with a baseline run (run --baseline);
	// nil without one.
	Against *Comparison `json:"against_baseline,omitempty"`
	// TradeOffs lists where a variant did worse than the baseline on
	// success, p99 or rate, per fault and phase, SLO or not (Summarize).
	TradeOffs []TradeOff `json:"trade_offs,omitempty"`
}

// Timing is how long one step of the run took (topology ready, teardown...).
type Timing struct {
	Name     string        `json:"name"`
	Variant  string        `json:"variant,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Variant is one configuration of the pattern, run under the same load and
// faults as the others. All times are offsets from the variant's load start.
type Variant struct {
	Name     string `json:"name"`
	Baseline bool   `json:"baseline"`
	// ExpectViolation marks a variant that the scenario expects to violate at
	// least one SLO (a naive baseline shown for contrast).
	ExpectViolation bool     `json:"expect_violation"`
	Config          any      `json:"config,omitempty"` // effective pattern configuration
	Routes          []string `json:"routes"`
	Downstream      string   `json:"downstream,omitempty"` // service counted for amplification
	// ToxiproxyAPI is the URL of the Toxiproxy API of the variant's
	// topology while it ran (toxiproxy-cli -h URL list); "" when unknown.
	ToxiproxyAPI string `json:"toxiproxy_api,omitempty"`
	// State band: the sampled series carrying the pattern's state (its
	// Series.Name, on StateService when set), and the names of its values.
	StateSeries  string   `json:"state_series,omitempty"`
	StateService string   `json:"state_service,omitempty"`
	StateNames   []string `json:"state_names,omitempty"`
	// Gauges names further sampled gauges that show the pattern at work
	// (pool occupancy, buffer depth...), plotted over time.
	Gauges []string `json:"gauges,omitempty"`
	// Counters names further sampled counters whose growth over the run
	// tells what the pattern did (records shipped, dropped...); the report
	// lists their totals.
	Counters []string `json:"counters,omitempty"`
	// Params holds the swept configuration values of a variant that a
	// sweep expanded ("breaker.open_wait": "2s"); empty otherwise.
	Params map[string]string `json:"params,omitempty"`
	// ReportOnly marks a sweep configuration that is ranked, not gated: its
	// SLO results are shown but do not decide the verdict.
	ReportOnly bool `json:"report_only,omitempty"`

	Windows []Window `json:"windows"` // per route per window, ordered by Start, then Route
	// Window is the variant's window length when its windows were merged
	// into coarser ones (a long run, see WindowLog); 0: the run's.
	Window time.Duration `json:"window,omitempty"`
	// Late counts the results that fit no window: they arrived after their
	// send-time window had closed (or for no known route). They are in the
	// raw file and in the overall totals, not in any window.
	Late Late `json:"late"`
	// Foreign lists toxics found on the variant's edges that faultline did
	// not create (looked for at each fault revert and at the end; removed
	// at teardown). They skew the numbers, so the report warns.
	Foreign []ForeignToxic `json:"foreign_toxics,omitempty"`
	Faults  []FaultEvent   `json:"faults"`
	Actions []ActionEvent  `json:"actions,omitempty"` // the timeline's steering steps
	Series  []Series       `json:"series"`            // sampled service metrics
	Results string         `json:"results,omitempty"` // raw Vegeta results file, relative to the run dir
	Partial bool           `json:"partial"`
	Error   string         `json:"error,omitempty"`

	Headline Headline    `json:"headline"`
	SLOs     []SLOResult `json:"slos"`
	// Consistency is the checker's verdict on the variant's history and
	// store, for patterns that state a guarantee; LagSeries names the
	// sampled gauge of its projection's lag in events.
	Consistency *Consistency `json:"consistency,omitempty"`
	LagSeries   string       `json:"lag_series,omitempty"`

	// Repeats are the further runs of this variant with --repeat N (its
	// windows, faults and series; their own Repeats are empty). With
	// repeats, Measure is the median over every run, and Spread gives the
	// median, minimum and maximum.
	Repeats []*Variant `json:"repeats,omitempty"`

	// window is the run's aggregation window, set by Summarize for Measure.
	window time.Duration
	// planned is Run.Planned, set by Summarize: the load's end, which
	// clips the last window when the load ends inside it.
	planned time.Duration
}

// Window aggregates the client's results for one route over one window.
type Window struct {
	Route    string           `json:"route"`
	Start    time.Duration    `json:"start"`
	Count    int64            `json:"count"`
	Success  int64            `json:"success"`          // 2xx answers (degraded included)
	Degraded int64            `json:"degraded"`         // 2xx answers marked degraded (a fallback)
	Bytes    int64            `json:"bytes,omitempty"`  // body bytes of the 2xx answers
	Errors   map[string]int64 `json:"errors,omitempty"` // by status code ("503") or class ("timeout", "connection")
	P50      time.Duration    `json:"p50"`
	P90      time.Duration    `json:"p90"`
	P99      time.Duration    `json:"p99"`
	Max      time.Duration    `json:"max"`
	// Planned is how many requests the load planned for this route in this
	// window (the pacer's hits times the route's weight share).
	Planned float64 `json:"planned,omitempty"`
	// Latency holds the window's full latency histogram, so phases can be
	// merged exactly. Latencies are measured from each request's intended
	// send time (the pacer's schedule), as wrk2 does, so a generator that
	// falls behind does not hide its backlog (coordinated omission).
	Latency *Histogram `json:"latency,omitempty"`
	// Sent is the latency histogram measured from the actual send time (as
	// `vegeta report` reads the raw file); only kept when its p50 or p99
	// differs from Latency's by more than 1%.
	Sent *Histogram `json:"sent,omitempty"`
}

// ForeignToxic is a toxic faultline did not create, on one of the edges.
type ForeignToxic struct {
	Edge string        `json:"edge"`
	Name string        `json:"name"`
	Type string        `json:"type"`
	At   time.Duration `json:"at"` // first seen, from the load's start
}

// Late counts the results that fit no window, and how many were 2xx.
type Late struct {
	Count   int64 `json:"count"`
	Success int64 `json:"success"`
}

// FaultEvent is one fault of the timeline: when it was planned and when it
// was actually applied and reverted (zero when it never was). A load burst
// (extra load on one route for a while) is one too, of kind BurstKind, so
// phases, SLOs and the headline judge it as a fault.
type FaultEvent struct {
	Name     string        `json:"name"`
	Kind     string        `json:"kind"`
	Target   string        `json:"target"`
	At       time.Duration `json:"at"`
	Duration time.Duration `json:"duration"`
	Applied  time.Duration `json:"applied"`
	Reverted time.Duration `json:"reverted"`
	Error    string        `json:"error,omitempty"`
}

// BurstKind is the Kind of a FaultEvent that is a load burst; its Target
// is the route.
const BurstKind = "burst"

// Series is one sampled metric of one service (a Prometheus series).
type Series struct {
	Service string            `json:"service"`
	Name    string            `json:"name"`
	Labels  map[string]string `json:"labels,omitempty"`
	Counter bool              `json:"counter,omitempty"` // monotonic: plot its rate
	Points  []Point           `json:"points"`
	stride  time.Duration     // least gap between kept points, once thinned (Append)
}

// Point is one sample.
type Point struct {
	T time.Duration `json:"t"`
	V float64       `json:"v"`
}

// Finite reports whether the sample is a number. A scrape can yield NaN or
// ±Inf (a ratio over nothing), which no measurement or plot uses and JSON
// cannot hold.
func (p Point) Finite() bool { return !math.IsNaN(p.V) && !math.IsInf(p.V, 0) }

// FinitePoints returns a copy of the series' finite samples, in time order.
func (s Series) FinitePoints() []Point {
	pts := slices.DeleteFunc(slices.Clone(s.Points), func(p Point) bool { return !p.Finite() })
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].T < pts[j].T })
	return pts
}

// Headline holds the numbers a reader looks at first.
type Headline struct {
	// Overall counts every result of the raw file: the windows' and the
	// late ones (Variant.Late), so its totals match `vegeta report`.
	Overall Phase           `json:"overall"`
	Faults  []FaultHeadline `json:"faults"`
	// Shortfalls lists the windows whose achieved rate was more than 1%
	// under the plan; empty when the load delivered what it planned.
	Shortfalls []Shortfall `json:"shortfalls,omitempty"`
}

// FaultHeadline is the before / during / after comparison for one fault.
type FaultHeadline struct {
	Fault  string `json:"fault"`
	Before Phase  `json:"before"`
	During Phase  `json:"during"`
	After  Phase  `json:"after"`
	// FailFast is how long after the fault started the client's p99 was back
	// under the healthy bound (see Summarize); nil when it never was.
	FailFast *time.Duration `json:"fail_fast,omitempty"`
	// Recover is how long after the fault ended success, degraded share and
	// p99 were back to their healthy levels, those before the first fault;
	// nil when they never were.
	Recover *time.Duration `json:"recover,omitempty"`
}

// Phase aggregates the client's results over a time span.
type Phase struct {
	From     time.Duration `json:"from"`
	To       time.Duration `json:"to"`
	Requests int64         `json:"requests"`
	Success  float64       `json:"success"`  // ratio of 2xx answers
	Degraded float64       `json:"degraded"` // ratio of fallback answers
	P50      time.Duration `json:"p50"`
	P90      time.Duration `json:"p90"`
	P99      time.Duration `json:"p99"`
	Max      time.Duration `json:"max"`
	Rate     float64       `json:"rate"` // client requests per second
	// Planned is the rate the load planned over the phase's windows;
	// Short is set when Rate is more than 1% under it (see Shortfall).
	Planned float64 `json:"planned_rate,omitempty"`
	Short   bool    `json:"short,omitempty"`
	// P50Sent and P99Sent are the quantiles measured from the actual send
	// time, set when they differ from P50 and P99 (measured from the
	// intended send time) by more than 1%.
	P50Sent       time.Duration `json:"p50_sent,omitempty"`
	P99Sent       time.Duration `json:"p99_sent,omitempty"`
	Amplification float64       `json:"amplification"`   // downstream requests ÷ client requests
	Bytes         float64       `json:"bytes,omitempty"` // mean body size of a 2xx answer
}

// SLOResult is one SLO evaluated against one variant.
type SLOResult struct {
	Name      string  `json:"name"`
	Metric    string  `json:"metric"`
	Route     string  `json:"route,omitempty"`
	Phase     string  `json:"phase,omitempty"`
	Fault     string  `json:"fault,omitempty"`
	Op        string  `json:"op"` // ">=" or "<="
	Threshold float64 `json:"threshold"`
	Actual    float64 `json:"actual"`
	Unit      string  `json:"unit"` // "ratio", "seconds", "per-second", "factor"
	// OfPlan marks a rate measured as a share of the planned rate.
	OfPlan bool `json:"of_plan,omitempty"`
	Pass   bool `json:"pass"`
	// Missing is true when the metric could not be computed (no data in the
	// phase, or a time that never came); such an SLO fails.
	Missing bool `json:"missing,omitempty"`
}
