package model

import (
	"slices"
	"strings"
)

// Per-route backend calls (the calls_per_request metric) are read from the
// sampled counters of Variant.Counters whose name ends in CallsSuffix,
// summed over the series whose CallerLabel is the client route's name: a
// service that counts its outbound calls by tenant, with targets named
// after the tenants, lets an SLO say how many backend calls one tenant's
// requests caused (0 for requests refused at the edge).
const (
	CallsSuffix = "_backend_calls_total"
	CallerLabel = "tenant"
)

// callsPerRequest is the backend calls made for route's requests over the
// slots (of that route) whose midpoint lies in one of spans, divided by
// those requests; false without a route, a calls counter for it, or
// requests.
func (x *View) callsPerRequest(slots []Slot, spans []Span, route string) (float64, bool) {
	if route == "" {
		return 0, false
	}
	var series []Series
	for _, s := range x.v.Series {
		if strings.HasSuffix(s.Name, CallsSuffix) && slices.Contains(x.v.Counters, s.Name) && s.Labels[CallerLabel] == route {
			series = append(series, s)
		}
	}
	var counters []*counter
	for _, s := range series {
		if c := newCounter([]Series{s}, s.Service, s.Name); c != nil {
			counters = append(counters, c)
		}
	}
	if len(counters) == 0 {
		return 0, false
	}
	var calls float64
	var requests int64
	for _, sp := range spans {
		for i := range slots {
			s := &slots[i]
			if !sp.Contains(s.Start + x.w/2) {
				continue
			}
			requests += s.Count
			for _, c := range counters {
				calls += c.increase(s.Start, min(s.Start+x.w, x.end))
			}
		}
	}
	if requests == 0 {
		return 0, false
	}
	return calls / float64(requests), true
}
