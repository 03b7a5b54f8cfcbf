package model

import "math"

// Tolerance is how far a headline number may move between two runs of the
// same configuration before Compare calls it a change: the larger of Abs
// (in the metric's unit) and Rel × the smaller of the two values (so that
// 20ms → 1.5s and 1.5s → 20ms are the same change, either way).
type Tolerance struct {
	Abs float64 `json:"abs"`
	Rel float64 `json:"rel"`
}

// Allows reports whether a move from base to nw is within t.
func (t Tolerance) Allows(base, nw float64) bool {
	return math.Abs(nw-base) <= max(t.Abs, t.Rel*min(math.Abs(base), math.Abs(nw)))
}

// DefaultTolerances are the per-metric tolerances Compare uses unless the
// scenario overrides them (its compare.tolerance section, recorded in
// Run.Tolerances). They were chosen from repeated runs of the
// circuit-breaker scenario on a loaded 2-core machine (at --scale 0.3 and
// 1; see doc/compare.md): each is about twice the largest run-to-run
// difference seen between runs of the same configuration, so that the same
// configuration compares "same" while a real regression (a breaker that
// no longer opens: success during the slowdown 100% → ~50%, p99 20ms →
// 1.5s) is far outside it.
var DefaultTolerances = map[string]Tolerance{
	"success":           {Abs: 0.02},
	"degraded":          {Abs: 0.05},
	"errors":            {Abs: 0.02},
	"p50":               {Abs: 0.010, Rel: 0.5},
	"p90":               {Abs: 0.020, Rel: 0.5},
	"p99":               {Abs: 0.050, Rel: 1.0},
	"max":               {Abs: 0.250, Rel: 1.0},
	"rate":              {Abs: 2, Rel: 0.05},
	"amplification":     {Abs: 0.05, Rel: 0.10},
	"time_to_fail_fast": {Abs: 1.0, Rel: 0.25},
	"time_to_recover":   {Abs: 1.0, Rel: 0.25},
}

// ToleranceFor is the tolerance for metric: the run's own (from its
// scenario) when it sets one, else the default.
func (r *Run) ToleranceFor(metric string) Tolerance {
	if t, ok := r.Tolerances[metric]; ok {
		return t
	}
	return DefaultTolerances[metric]
}

// HigherIsBetter reports whether a larger value of metric is an
// improvement (success, rate) rather than a regression (latency, errors,
// amplification, times).
func HigherIsBetter(metric string) bool {
	return metric == "success" || metric == "rate"
}
