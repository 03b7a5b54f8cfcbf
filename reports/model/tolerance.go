package model

import "math"

// Tolerance is how far a headline number may move between two runs of the
// same configuration before Compare calls it a change: the larger of Abs
// (in the metric's unit) and Rel × a size of the two values. For
// latencies, rates and times the size is the smaller value (so that 20ms
// → 1.5s and 1.5s → 20ms are the same change, either way). For ratios
// (success, degraded, errors) it is the smaller distance of either value
// from 0 or 1, since a share's run-to-run noise shrinks near its bounds:
// 36% → 45% success in a collapsing baseline is noise, 100% → 91% in a
// breaker that holds is not.
type Tolerance struct {
	Abs float64 `json:"abs"`
	Rel float64 `json:"rel"`
}

// Allows reports whether a move from base to nw of a number in unit u is
// within t.
func (t Tolerance) Allows(u Unit, base, nw float64) bool {
	size := min(math.Abs(base), math.Abs(nw))
	if u == Ratio {
		size = min(base, 1-base, nw, 1-nw)
	}
	return math.Abs(nw-base) <= max(t.Abs, t.Rel*max(0, size))
}

// DefaultTolerances are the per-metric tolerances Compare uses unless the
// scenario overrides them (its compare.tolerance section, recorded in
// Run.Tolerances). They come from repeated runs of the circuit-breaker
// scenario on this project's shared 2-core machine (load average 15-25
// while they ran), at --scale 0.3 and 1: each covers the largest
// run-to-run difference seen between clean runs of the same configuration
// with some margin (see the README's "Comparing runs"). The tails of short
// phases dominate: one scheduling stall of the harness moves a 3s phase's
// p99 from 14ms to 940ms, so p99 and max tolerate a second; times move by
// up to two windows (1s → 3s to fail fast). A real regression (a breaker that no longer opens:
// success during the slowdown 100% → 60%, p50 1ms → 1s) is far outside.
var DefaultTolerances = map[string]Tolerance{
	"success":           {Abs: 0.03, Rel: 0.25},
	"degraded":          {Abs: 0.05, Rel: 0.25},
	"errors":            {Abs: 0.03, Rel: 0.25},
	"p50":               {Abs: 0.050, Rel: 0.25},
	"p90":               {Abs: 0.300, Rel: 0.5},
	"p99":               {Abs: 1.0, Rel: 0.5},
	"max":               {Abs: 1.2, Rel: 0.5},
	"rate":              {Abs: 5, Rel: 0.08},
	"amplification":     {Abs: 0.10, Rel: 0.25},
	"time_to_fail_fast": {Abs: 2.5, Rel: 0.25},
	"time_to_recover":   {Abs: 2.5, Rel: 0.25},
}

// ToleranceFor is the tolerance for metric: the run's own (from its
// scenario) when it sets one, else the default.
func (r *Run) ToleranceFor(metric string) Tolerance {
	if t, ok := r.Tolerances[metric]; ok {
		return t
	}
	return DefaultTolerances[metric]
}

// Direction says which way a metric improves: +1 when higher is better
// (success, rate), 0 when neither is (degraded: fewer fallback answers is
// good when they became full answers, bad when they became errors), -1
// when lower is better (latencies, errors, amplification, times).
func Direction(metric string) int {
	switch metric {
	case "success", "rate":
		return 1
	case "degraded":
		return 0
	}
	return -1
}
