package reports

import (
	"math"
	"slices"
	"sort"
	"time"
)

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
// series, and ranks the sweep's configurations when the run has a sweep.
// It is deterministic and may be called again (Write does).
func Summarize(r *Run) {
	for _, v := range r.Variants {
		if v == nil {
			continue
		}
		v.planned = r.Planned
		x := newView(v, r.Window)
		v.window = x.w
		slots := x.slots("")
		h := Headline{Overall: x.phase(slots, x.overall())}
		for i := range v.Faults {
			f := x.faultAt(i)
			h.Faults = append(h.Faults, FaultHeadline{
				Fault:    v.Faults[i].Name,
				Before:   x.phase(slots, x.before(f)),
				During:   x.phase(slots, []span{f.span}),
				After:    x.phase(slots, x.after(f)),
				FailFast: x.failFast(slots, f),
				Recover:  x.recover(slots, f),
			})
		}
		v.Headline = h
	}
	rankSweep(r)
}

// Query names one measurement of a variant: a metric (see Metrics) over a
// route ("" = all routes) and a phase ("", "overall", "before", "during",
// "after"), relative to a fault ("" = all faults together).
type Query struct {
	Metric, Route, Phase, Fault string
}

// Measure returns the value of q in its metric's unit (ratios 0..1, latencies
// and times in seconds, rates per second, amplification as a factor). It
// returns false when the value cannot be computed: an unknown metric, phase
// or fault, no requests in the phase, a fail-fast or recovery that never
// happened, no downstream counter, or amplification asked for one route of
// several (downstream requests cannot be attributed to a route).
// time_to_fail_fast and time_to_recover ignore Phase and use the first fault
// when Fault is empty.
func (v *Variant) Measure(q Query) (float64, bool) {
	if _, ok := LookupMetric(q.Metric); !ok {
		return 0, false
	}
	x := newView(v, v.window)
	slots := x.slots(q.Route)
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
		return p.Rate, true
	case "amplification":
		if x.down == nil || (q.Route != "" && len(x.routes()) > 1) {
			return 0, false
		}
		return p.Amplification, true
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
		Op: op, Threshold: threshold, Unit: string(info.Unit),
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

// span is the half-open time interval [from, to).
type span struct{ from, to time.Duration }

func (s span) contains(t time.Duration) bool { return s.from <= t && t < s.to }

// fspan is one fault's effective window.
type fspan struct {
	span
	idx int // in Variant.Faults
}

// slot aggregates the windows of one start (over one route or all).
type slot struct {
	start                    time.Duration
	count, success, degraded int64
	hist                     *Histogram // never nil
	merged                   bool       // hist belongs to the slot
}

func (s *slot) successRatio() float64  { return ratio(s.success, s.count) }
func (s *slot) degradedRatio() float64 { return ratio(s.degraded, s.count) }
func (s *slot) errorRatio() float64    { return ratio(s.count-s.success, s.count) }

func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// view holds what every measurement of one variant needs.
type view struct {
	v      *Variant
	w      time.Duration // window length
	end    time.Duration // end of the data: last window's end
	faults []fspan       // sorted by start
	down   *counter      // nil when there is no downstream counter
}

func newView(v *Variant, window time.Duration) *view {
	x := &view{v: v, w: window}
	if x.w <= 0 {
		x.w = inferWindow(v.Windows)
	}
	for _, w := range v.Windows {
		x.end = max(x.end, w.Start+x.w)
	}
	if v.planned > 0 && v.planned < x.end {
		x.end = v.planned // the load ended inside the last window
	}
	for i, f := range v.Faults {
		x.faults = append(x.faults, fspan{span: faultSpan(f, x.end), idx: i})
	}
	sort.SliceStable(x.faults, func(i, j int) bool { return x.faults[i].from < x.faults[j].from })
	if v.Downstream != "" {
		x.down = newCounter(v.Series, v.Downstream, DownstreamMetric)
	}
	return x
}

// inferWindow guesses the window length from the smallest gap between
// window starts (1s when there is no gap to measure).
func inferWindow(ws []Window) time.Duration {
	var w time.Duration
	for i := 1; i < len(ws); i++ {
		if d := ws[i].Start - ws[i-1].Start; d > 0 && (w == 0 || d < w) {
			w = d
		}
	}
	if w == 0 {
		w = time.Second
	}
	return w
}

// faultSpan is when a fault was in force: actual times when known, else
// planned ones. A fault never reverted and without a planned duration lasts
// until end.
func faultSpan(f FaultEvent, end time.Duration) span {
	s := span{from: f.At, to: f.At + f.Duration}
	if f.Applied > 0 {
		s.from = f.Applied
	}
	if f.Reverted > 0 {
		s.to = f.Reverted
	} else if f.Duration <= 0 {
		s.to = max(end, s.from)
	}
	if s.to < s.from {
		s.to = s.from
	}
	return s
}

func (x *view) routes() []string {
	if len(x.v.Routes) > 0 {
		return x.v.Routes
	}
	var rs []string
	for _, w := range x.v.Windows {
		if !slices.Contains(rs, w.Route) {
			rs = append(rs, w.Route)
		}
	}
	return rs
}

// slots merges the windows of route ("" = every route) by start, in order.
// A slot of one window shares that window's histogram (read only); a slot
// of several gets a sparse merge, so a long run costs little memory.
func (x *view) slots(route string) []slot {
	var out []slot
	idx := map[time.Duration]int{}
	for i := range x.v.Windows {
		w := &x.v.Windows[i]
		if route != "" && w.Route != route {
			continue
		}
		h := w.Latency
		if h.Count() == 0 {
			h = newSparse()
			approximate(h, w)
		}
		j, ok := idx[w.Start]
		if !ok {
			idx[w.Start] = len(out)
			out = append(out, slot{start: w.Start, count: w.Count, success: w.Success, degraded: w.Degraded, hist: h})
			continue
		}
		s := &out[j]
		s.count += w.Count
		s.success += w.Success
		s.degraded += w.Degraded
		if !s.merged {
			m := newSparse()
			m.Merge(s.hist)
			s.hist, s.merged = m, true
		}
		s.hist.Merge(h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// approximate records a window without a histogram from its percentiles:
// half its requests at p50, 40% at p90, 9% at p99 and the rest at max.
func approximate(h *Histogram, w *Window) {
	n := w.Count
	if n <= 0 {
		return
	}
	n50 := n / 2
	n90 := n * 4 / 10
	n99 := n * 9 / 100
	h.recordN(w.P50, n50)
	h.recordN(w.P90, n90)
	h.recordN(w.P99, n99)
	h.recordN(max(w.Max, w.P99), n-n50-n90-n99)
}

// fault finds a fault by name; "" is the first fault to start.
func (x *view) fault(name string) (fspan, bool) {
	for _, f := range x.faults {
		if name == "" || x.v.Faults[f.idx].Name == name {
			return f, true
		}
	}
	return fspan{}, false
}

// faultAt returns the span of Variant.Faults[i].
func (x *view) faultAt(i int) fspan {
	for _, f := range x.faults {
		if f.idx == i {
			return f
		}
	}
	return fspan{}
}

func (x *view) overall() []span { return []span{{0, x.end}} }

// before is [end of the previous fault or 0, f applied).
func (x *view) before(f fspan) []span {
	var from time.Duration
	for _, g := range x.faults {
		if g.idx == f.idx {
			break
		}
		from = max(from, g.to)
	}
	if f.from <= from {
		return nil
	}
	return []span{{from, f.from}}
}

// after is [f reverted, next fault applied or end).
func (x *view) after(f fspan) []span {
	to := x.end
	seen := false
	for _, g := range x.faults {
		if seen {
			to = min(to, g.from)
			break
		}
		seen = g.idx == f.idx
	}
	if to <= f.to {
		return nil
	}
	return []span{{f.to, to}}
}

// spans returns the intervals of a phase; false for an unknown phase or fault.
func (x *view) spans(phase, fault string) ([]span, bool) {
	switch phase {
	case "", "overall":
		return x.overall(), true
	case "before", "during", "after":
	default:
		return nil, false
	}
	if fault != "" {
		f, ok := x.fault(fault)
		if !ok {
			return nil, false
		}
		switch phase {
		case "before":
			return x.before(f), true
		case "during":
			return []span{f.span}, true
		default:
			return x.after(f), true
		}
	}
	if len(x.faults) == 0 {
		if phase == "before" {
			return x.overall(), true
		}
		return nil, true
	}
	switch phase {
	case "before":
		if first := x.faults[0].from; first > 0 {
			return []span{{0, first}}, true
		}
		return nil, true
	case "during":
		return x.faultUnion(), true
	default:
		var last time.Duration
		for _, f := range x.faults {
			last = max(last, f.to)
		}
		if last >= x.end {
			return nil, true
		}
		return []span{{last, x.end}}, true
	}
}

// faultUnion merges overlapping fault windows.
func (x *view) faultUnion() []span {
	var out []span
	for _, f := range x.faults {
		if f.to <= f.from {
			continue
		}
		if n := len(out); n > 0 && f.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, f.to)
			continue
		}
		out = append(out, f.span)
	}
	return out
}

// phase aggregates the slots whose midpoint lies in one of spans. From and
// To are the bounds of the windows that belong to the phase (the nominal
// bounds when none does); Rate and Amplification use the time those windows
// cover.
func (x *view) phase(slots []slot, spans []span) Phase {
	var p Phase
	if len(spans) > 0 {
		p.From, p.To = spans[0].from, spans[len(spans)-1].to
	}
	h := NewHistogram()
	var success, degraded int64
	var covered []span
	for _, sp := range spans {
		c := span{from: -1}
		for i := range slots {
			s := &slots[i]
			if !sp.contains(s.start + x.w/2) {
				continue
			}
			p.Requests += s.count
			success += s.success
			degraded += s.degraded
			h.Merge(s.hist)
			if c.from < 0 {
				c.from = s.start
			}
			c.to = min(s.start+x.w, x.end)
		}
		if c.from >= 0 {
			covered = append(covered, c)
		}
	}
	if len(covered) == 0 {
		return p
	}
	p.From, p.To = covered[0].from, covered[len(covered)-1].to
	var secs, down float64
	for _, c := range covered {
		secs += (c.to - c.from).Seconds()
		if x.down != nil {
			down += x.down.increase(c.from, c.to)
		}
	}
	if p.Requests == 0 {
		return p
	}
	p.Success = ratio(success, p.Requests)
	p.Degraded = ratio(degraded, p.Requests)
	p.P50 = h.Quantile(0.50)
	p.P90 = h.Quantile(0.90)
	p.P99 = h.Quantile(0.99)
	p.Max = h.Max()
	if secs > 0 {
		p.Rate = float64(p.Requests) / secs
	}
	p.Amplification = down / float64(p.Requests)
	return p
}

// reference is the healthy state a fault's windows are compared with: the
// steady state before the first fault, so that a fault that starts while
// the topology is still recovering from an earlier one is not judged
// against that recovery. With no fault-free start, it is the span before f.
func (x *view) reference(slots []slot, f fspan) Phase {
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
func (x *view) failFast(slots []slot, f fspan) *time.Duration {
	before := x.reference(slots, f)
	if before.Requests == 0 {
		return nil
	}
	b := bound(before.P99)
	for i := range slots {
		s := &slots[i]
		if s.count == 0 || !f.contains(s.start+x.w/2) {
			continue
		}
		if s.hist.Quantile(0.99) <= b {
			d := max(0, s.start-f.from)
			return &d
		}
	}
	return nil
}

// recover is how long after f was reverted the first window (before the
// next fault) starts from which success, degraded share and p99 are back to
// their healthy reference levels, for that window and the next; nil when
// never.
func (x *view) recover(slots []slot, f fspan) *time.Duration {
	after := x.after(f)
	if len(after) == 0 {
		return nil
	}
	return x.recoveredIn(slots, x.reference(slots, f), after[0])
}

// recoveredIn is how long after the start of span the first window in it
// starts from which success, degraded share and p99 are back to the levels
// of ref, for that window and the next; nil when never.
func (x *view) recoveredIn(slots []slot, ref Phase, after span) *time.Duration {
	if ref.Requests == 0 {
		return nil
	}
	b := bound(ref.P99)
	var cand []*slot
	for i := range slots {
		s := &slots[i]
		if s.count > 0 && after.contains(s.start+x.w/2) {
			cand = append(cand, s)
		}
	}
	ok := func(s *slot) bool {
		return s.successRatio() >= ref.Success-recoverSuccessSlack &&
			s.degradedRatio() <= ref.Degraded+recoverDegradedSlack &&
			s.hist.Quantile(0.99) <= b
	}
	for i, s := range cand {
		if ok(s) && (i+1 == len(cand) || ok(cand[i+1])) {
			d := max(0, s.start-after.from)
			return &d
		}
	}
	return nil
}

// counter is the sum of a service's counter series, with resets undone.
type counter struct {
	series [][]Point // reset-adjusted, ordered by T
}

// newCounter collects the series called name of service; nil when none.
// A series first seen after the service's first sample is assumed to have
// been 0 at the sample before (client libraries create a label set on its
// first increment), so its first requests are not lost.
func newCounter(all []Series, service, name string) *counter {
	var scrapes []time.Duration
	for _, s := range all {
		if s.Service != service {
			continue
		}
		for _, p := range s.Points {
			scrapes = append(scrapes, p.T)
		}
	}
	slices.Sort(scrapes)
	c := &counter{}
	for _, s := range all {
		if s.Service != service || s.Name != name || len(s.Points) == 0 {
			continue
		}
		pts := slices.DeleteFunc(slices.Clone(s.Points), func(p Point) bool {
			return math.IsNaN(p.V) || math.IsInf(p.V, 0)
		})
		if len(pts) == 0 {
			continue
		}
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].T < pts[j].T })
		if i, _ := slices.BinarySearch(scrapes, pts[0].T); i > 0 {
			pts = append([]Point{{T: scrapes[i-1]}}, pts...)
		}
		var offset float64
		adj := make([]Point, len(pts))
		for i, p := range pts {
			if i > 0 && p.V < pts[i-1].V {
				offset += pts[i-1].V // a reset: the counter restarted from 0
			}
			adj[i] = Point{T: p.T, V: p.V + offset}
		}
		c.series = append(c.series, adj)
	}
	if len(c.series) == 0 {
		return nil
	}
	return c
}

// at is the counter's value at t, interpolated linearly between samples.
// Outside the samples it is extrapolated from the nearest interval for at
// most that interval's length (as Prometheus' increase does), then held;
// never below 0.
func (c *counter) at(t time.Duration) float64 {
	var sum float64
	for _, pts := range c.series {
		n := len(pts)
		i := sort.Search(n, func(i int) bool { return pts[i].T >= t })
		switch {
		case n == 1:
			sum += pts[0].V
		case i == 0:
			a, b := pts[0], pts[1]
			dt := min(a.T-t, b.T-a.T)
			sum += math.Max(0, a.V-slope(a, b)*dt.Seconds())
		case i == n:
			a, b := pts[n-2], pts[n-1]
			dt := min(t-b.T, b.T-a.T)
			sum += b.V + slope(a, b)*dt.Seconds()
		default:
			a, b := pts[i-1], pts[i]
			f := float64(t-a.T) / float64(b.T-a.T)
			sum += a.V + f*(b.V-a.V)
		}
	}
	return sum
}

func slope(a, b Point) float64 {
	if b.T <= a.T {
		return 0
	}
	return (b.V - a.V) / (b.T - a.T).Seconds()
}

// covers reports whether [from, to) lies within the samples, or within one
// sampling interval of them, so its increase is not cut short. (A series
// starting later was 0 before: its label set did not exist yet.)
func (c *counter) covers(from, to time.Duration) bool {
	first, last := time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
	for _, pts := range c.series {
		n := len(pts)
		lo, hi := pts[0].T, pts[n-1].T
		if n > 1 {
			lo -= pts[1].T - pts[0].T
			hi += pts[n-1].T - pts[n-2].T
		}
		first, last = min(first, lo), max(last, hi)
	}
	return first <= from && last >= to
}

// increase is how much the counter grew over [from, to).
func (c *counter) increase(from, to time.Duration) float64 {
	return math.Max(0, c.at(to)-c.at(from))
}
