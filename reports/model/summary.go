package model

import "time"

// DownstreamMetric is the counter, sampled from the Variant.Downstream
// service, that amplification is computed from.
const DownstreamMetric = "faultline_http_requests_total"

// Recovery tolerances: after a fault, the success share may be this much
// lower and the degraded share this much higher than before it.
const (
	recoverSuccessSlack  = 0.02
	recoverDegradedSlack = 0.02
	// p99 bound after a fault: max(2×before, before+boundSlack).
	boundSlack = 50 * time.Millisecond
)

// Summarize fills every variant's Headline from its windows, faults and
// series, ranks the sweep's configurations when the run has a sweep, and
// lists where each variant is worse than its baseline (TradeOffs).
// It is deterministic and may be called again (reports.Write does).
func Summarize(r *Run) {
	for _, v := range r.Variants {
		if v == nil {
			continue
		}
		summarizeVariant(r, v)
		for _, rep := range v.Repeats {
			if rep != nil {
				summarizeVariant(r, rep)
			}
		}
	}
	rankSweep(r)
	r.TradeOffs = TradeOffs(r)
}

// summarizeVariant fills one run of a variant's Headline.
func summarizeVariant(r *Run, v *Variant) {
	v.planned = r.Planned
	x := NewView(v, r.Window)
	v.window = x.w
	slots := x.Slots("")
	h := Headline{Overall: withLate(x.phase(slots, x.overall()), v.Late), Shortfalls: shortfalls(slots)}
	for i := range v.Faults {
		f := x.faultAt(i)
		h.Faults = append(h.Faults, FaultHeadline{
			Fault:    v.Faults[i].Name,
			Before:   x.phase(slots, x.before(f)),
			During:   x.phase(slots, []Span{f.Span}),
			After:    x.phase(slots, x.after(f)),
			FailFast: x.failFast(slots, f),
			Recover:  x.recover(slots, f),
		})
	}
	v.Headline = h
}

// Query names one measurement of a variant: a metric (see Metrics) over a
// route ("" = all routes) and a phase ("", "overall", "before", "during",
// "after"), relative to a fault ("" = all faults together).
type Query struct {
	Metric, Route, Phase, Fault string
	// OfPlan measures rate as a share of the planned rate (a ratio).
	OfPlan bool
}

// Measure returns the value of q in its metric's unit (ratios 0..1, latencies
// and times in seconds, rates per second, amplification as a factor). It
// returns false when the value cannot be computed: an unknown metric, phase
// or fault, no requests in the phase, a fail-fast or recovery that never
// happened, no downstream counter, no 2xx answer to size (bytes), or amplification asked for one route of
// several (downstream requests cannot be attributed to a route).
// time_to_fail_fast and time_to_recover ignore Phase and use the first fault
// when Fault is empty. With Repeats, it is the median over every run that
// measured it (see Spread).
func (v *Variant) Measure(q Query) (float64, bool) {
	if len(v.Repeats) > 0 {
		s, ok := v.Spread(q)
		return s.Median, ok
	}
	return v.measureOnce(q)
}

// measureOnce is Measure over this run alone, ignoring Repeats.
func (v *Variant) measureOnce(q Query) (float64, bool) {
	if _, ok := LookupMetric(q.Metric); !ok {
		return 0, false
	}
	x := NewView(v, v.window)
	if IsConsistencyMetric(q.Metric) {
		return v.measureConsistency(x, q)
	}
	slots := x.Slots(q.Route)
	switch q.Metric {
	case "time_to_fail_fast", "time_to_recover":
		f, ok := x.fault(q.Fault)
		if !ok {
			return 0, false
		}
		var d *time.Duration
		if q.Metric == "time_to_fail_fast" {
			d = x.failFast(slots, f)
		} else {
			d = x.recover(slots, f)
		}
		if d == nil {
			return 0, false
		}
		return d.Seconds(), true
	}
	spans, ok := x.spans(q.Phase, q.Fault)
	if !ok {
		return 0, false
	}
	p := x.phase(slots, spans)
	if p.Requests == 0 {
		return 0, false
	}
	switch q.Metric {
	case "success":
		return p.Success, true
	case "degraded":
		return p.Degraded, true
	case "errors":
		return 1 - p.Success, true
	case "p50":
		return p.P50.Seconds(), true
	case "p90":
		return p.P90.Seconds(), true
	case "p99":
		return p.P99.Seconds(), true
	case "max":
		return p.Max.Seconds(), true
	case "rate":
		if q.OfPlan {
			return p.Rate / p.Planned, p.Planned > 0
		}
		return p.Rate, true
	case "bytes":
		return p.Bytes, p.Success > 0
	case "amplification":
		if x.down == nil || (q.Route != "" && len(x.Routes()) > 1) {
			return 0, false
		}
		return p.Amplification, true
	case "calls_per_request":
		return x.callsPerRequest(slots, spans, q.Route)
	}
	return 0, false
}

// Check evaluates one SLO: the value of q compared with threshold by op
// (">=" or "<="). A value that cannot be computed, or an unknown op, fails
// with Missing set.
func (v *Variant) Check(name string, q Query, op string, threshold float64) SLOResult {
	info, _ := LookupMetric(q.Metric)
	res := SLOResult{
		Name: name, Metric: q.Metric, Route: q.Route, Phase: q.Phase, Fault: q.Fault,
		Op: op, Threshold: threshold, Unit: string(info.Unit), OfPlan: q.OfPlan,
	}
	if q.OfPlan {
		res.Unit = string(Ratio) // of the planned rate
	}
	actual, ok := v.Measure(q)
	if !ok {
		res.Missing = true
		return res
	}
	res.Actual = actual
	switch op {
	case ">=":
		res.Pass = actual >= threshold
	case "<=":
		res.Pass = actual <= threshold
	}
	return res
}

// phase aggregates the slots whose midpoint lies in one of spans. From and
// To are the bounds of the windows that belong to the phase (the nominal
// bounds when none does); Rate and Amplification use the time those windows
// cover.
func (x *View) phase(slots []Slot, spans []Span) Phase {
	var p Phase
	if len(spans) > 0 {
		p.From, p.To = spans[0].From, spans[len(spans)-1].To
	}
	h, sent := NewHistogram(), NewHistogram()
	var success, degraded, bytes int64
	var planned float64
	var lagged bool
	var covered []Span
	for _, sp := range spans {
		c := Span{From: -1}
		for i := range slots {
			s := &slots[i]
			if !sp.Contains(s.Start + x.w/2) {
				continue
			}
			p.Requests += s.Count
			success += s.Success
			degraded += s.Degraded
			bytes += s.Bytes
			planned += s.Planned
			h.Merge(s.Latency)
			sent.Merge(sentOr(s.Sent, s.Latency))
			lagged = lagged || s.Sent != nil
			if c.From < 0 {
				c.From = s.Start
			}
			c.To = min(s.Start+x.w, x.end)
		}
		if c.From >= 0 {
			covered = append(covered, c)
		}
	}
	if len(covered) == 0 {
		return p
	}
	p.From, p.To = covered[0].From, covered[len(covered)-1].To
	var secs, down float64
	for _, c := range covered {
		secs += (c.To - c.From).Seconds()
		if x.down != nil {
			down += x.down.increase(c.From, c.To)
		}
	}
	if p.Requests == 0 {
		return p
	}
	p.Success = ratio(success, p.Requests)
	p.Degraded = ratio(degraded, p.Requests)
	if success > 0 {
		p.Bytes = float64(bytes) / float64(success)
	}
	p.P50 = h.Quantile(0.50)
	p.P90 = h.Quantile(0.90)
	p.P99 = h.Quantile(0.99)
	p.Max = h.Max()
	if secs > 0 {
		p.Rate = float64(p.Requests) / secs
		p.Planned = planned / secs
		p.Short = Short(float64(p.Requests), planned)
	}
	if lagged {
		p.P50Sent, p.P99Sent = sentQuantiles(p, sent)
	}
	p.Amplification = down / float64(p.Requests)
	return p
}

// reference is the healthy state a fault's windows are compared with: the
// steady state before the first fault, so that a fault that starts while
// the topology is still recovering from an earlier one is not judged
// against that recovery. With no fault-free start, it is the span before f.
func (x *View) reference(slots []Slot, f FaultSpan) Phase {
	if first, ok := x.fault(""); ok {
		if p := x.phase(slots, x.before(first)); p.Requests > 0 {
			return p
		}
	}
	return x.phase(slots, x.before(f))
}

// bound is the p99 a fault's windows are compared with.
func bound(beforeP99 time.Duration) time.Duration {
	return max(2*beforeP99, beforeP99+boundSlack)
}

// failFast is how long after f was applied the first window within f has a
// p99 under the bound of the healthy reference; nil when none has.
func (x *View) failFast(slots []Slot, f FaultSpan) *time.Duration {
	before := x.reference(slots, f)
	if before.Requests == 0 {
		return nil
	}
	b := bound(before.P99)
	for i := range slots {
		s := &slots[i]
		if s.Count == 0 || !f.Contains(s.Start+x.w/2) {
			continue
		}
		if s.Latency.Quantile(0.99) <= b {
			d := max(0, s.Start-f.From)
			return &d
		}
	}
	return nil
}

// recover is how long after f was reverted the first window (before the
// next fault) starts from which success, degraded share and p99 are back to
// their healthy reference levels, for that window and the next; nil when
// never.
func (x *View) recover(slots []Slot, f FaultSpan) *time.Duration {
	after := x.after(f)
	if len(after) == 0 {
		return nil
	}
	return x.recoveredIn(slots, x.reference(slots, f), after[0])
}

// recoveredIn is how long after the start of span the first window in it
// starts from which success, degraded share and p99 are back to the levels
// of ref, for that window and the next; nil when never.
func (x *View) recoveredIn(slots []Slot, ref Phase, after Span) *time.Duration {
	if ref.Requests == 0 {
		return nil
	}
	b := bound(ref.P99)
	var cand []*Slot
	for i := range slots {
		s := &slots[i]
		if s.Count > 0 && after.Contains(s.Start+x.w/2) {
			cand = append(cand, s)
		}
	}
	ok := func(s *Slot) bool {
		return s.SuccessRatio() >= ref.Success-recoverSuccessSlack &&
			s.DegradedRatio() <= ref.Degraded+recoverDegradedSlack &&
			s.Latency.Quantile(0.99) <= b
	}
	for i, s := range cand {
		if ok(s) && (i+1 == len(cand) || ok(cand[i+1])) {
			d := max(0, s.Start-after.From)
			return &d
		}
	}
	return nil
}
