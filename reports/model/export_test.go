package model

import "time"

// What the external tests (package model_test) read of the internals.

// PhaseRequests is how many requests x counts in phase (of fault, "" for
// all); false for an unknown phase or fault.
func (x *View) PhaseRequests(phase, fault string) (int64, bool) {
	spans, ok := x.spans(phase, fault)
	return x.phase(x.Slots(""), spans).Requests, ok
}

// DownstreamIncrease is how much the DownstreamMetric counter of service
// grew over [from, to), extrapolated beyond its samples as Measure does;
// false when the service has no such series.
func DownstreamIncrease(series []Series, service string, from, to time.Duration) (float64, bool) {
	c := newCounter(series, service, DownstreamMetric)
	if c == nil {
		return 0, false
	}
	return c.increase(from, to), true
}
