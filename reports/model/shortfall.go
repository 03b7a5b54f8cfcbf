package model

import (
	"math"
	"time"
)

// ShortfallTolerance is how far under the plan a window or phase may fall
// before it is flagged: more than 1% under it (beyond one request of
// rounding) is a shortfall.
const ShortfallTolerance = 0.01

// Short reports whether achieved requests fall short of planned ones by
// more than ShortfallTolerance. Hits are paced at exact times, so a span
// holds its planned count to within one request; that one is forgiven.
func Short(achieved, planned float64) bool {
	return planned > 0 && achieved < planned*(1-ShortfallTolerance)-1
}

// Shortfall is one window (all routes together) whose achieved request
// count fell short of the plan.
type Shortfall struct {
	Start    time.Duration `json:"start"`
	Planned  float64       `json:"planned"`
	Achieved int64         `json:"achieved"`
}

// shortfalls lists the windows of slots that fell short of the plan.
func shortfalls(slots []Slot) []Shortfall {
	var out []Shortfall
	for _, s := range slots {
		if Short(float64(s.Count), s.Planned) {
			out = append(out, Shortfall{Start: s.Start, Planned: s.Planned, Achieved: s.Count})
		}
	}
	return out
}

// sentQuantiles returns p50 and p99 from the actual send time, or zeros
// when they are within 1% of the phase's (from the intended send time).
func sentQuantiles(p Phase, sent *Histogram) (p50, p99 time.Duration) {
	p50, p99 = sent.Quantile(0.50), sent.Quantile(0.99)
	if Differ(p50, p.P50) || Differ(p99, p.P99) {
		return p50, p99
	}
	return 0, 0
}

// Differ reports whether a and b differ by more than 1% of the larger.
func Differ(a, b time.Duration) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return float64(d) > 0.01*float64(max(a, b))
}

// withLate adds the late results to a phase's totals (not its quantiles:
// a late result's latency is in the raw file only).
func withLate(p Phase, late Late) Phase {
	if late.Count == 0 {
		return p
	}
	success := math.Round(p.Success*float64(p.Requests)) + float64(late.Success)
	degraded := math.Round(p.Degraded * float64(p.Requests))
	secs := 0.0
	if p.Rate > 0 {
		secs = float64(p.Requests) / p.Rate
	}
	p.Requests += late.Count
	p.Success = success / float64(p.Requests)
	p.Degraded = degraded / float64(p.Requests)
	if secs > 0 {
		p.Rate = float64(p.Requests) / secs
		p.Short = Short(float64(p.Requests), p.Planned*secs)
	}
	return p
}
