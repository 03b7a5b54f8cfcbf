package traffic

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
)

// MeasureFromIntended makes the Aggregator measure each result's latency
// from the time the plan's pacer intended to send it, the schedule
// starting at base, rather than from when it was actually sent. When the
// generator falls behind (workers or CPU saturated), requests leave late
// and latency from the actual send time hides the backlog: coordinated
// omission. wrk2 measures from the intended time; so do the windows'
// Latency histograms, while their Sent histograms keep the actual one.
//
// Vegeta numbers hits in pacing order (Result.Seq) and sends hit n at
// base + the pacer's time for n, base being when its attack began.
func (a *Aggregator) MeasureFromIntended(base time.Time) {
	a.intended, a.base = a.planned, base
}

// fromIntended is r's latency from its intended send time when the
// Aggregator measures so (never less than from its actual send time).
func (a *Aggregator) fromIntended(r *vegeta.Result) time.Duration {
	if a.intended == nil {
		return r.Latency
	}
	lag := r.Timestamp.Sub(a.base.Add(a.intended.at(float64(r.Seq))))
	return r.Latency + max(lag, 0)
}

// plannedIn is how many hits the plan schedules in window k (all routes).
// The last window also holds what an unbounded or cut plan sends after it.
func (a *Aggregator) plannedIn(k int64) float64 {
	from := time.Duration(k) * a.window
	to := from + a.window
	return a.planned.expected(to) - a.planned.expected(from)
}

// Late returns the results that fit no window (and how many were 2xx):
// those after their window was emitted, for an unknown route, or after
// Flush. With the windows, they make every result of the raw file. It is
// safe for concurrent use.
func (a *Aggregator) Late() model.Late {
	return model.Late{Count: a.late.Load(), Success: a.lateSuccess.Load()}
}

// plannedFor is how many hits the plan schedules for route i in window k:
// its share of the stages' hits and its bursts' hits. Over every route,
// they add up to plannedIn(k).
func (a *Aggregator) plannedFor(k int64, i int) float64 {
	from := time.Duration(k) * a.window
	to := from + a.window
	steady := a.steady.expected(to) - a.steady.expected(from)
	return steady*a.share[i] + a.plan.burstHits(a.names[i], from, to)
}
