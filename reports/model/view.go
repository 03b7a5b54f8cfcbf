package model

import (
	"slices"
	"sort"
	"time"
)

// View is one variant's results as measurements and plots read them: its
// windows merged by start (Slots), its faults' effective spans and its
// downstream counter, on a time axis of one window length. Summarize and
// Measure compute from it; renderers draw from it.
type View struct {
	v      *Variant
	w      time.Duration // window length
	end    time.Duration // end of the data: last window's end
	faults []FaultSpan   // sorted by start
	down   *counter      // nil when there is no downstream counter
}

// NewView lays v out with the given window length; 0 infers it from the
// smallest gap between window starts.
func NewView(v *Variant, window time.Duration) *View {
	x := &View{v: v, w: window}
	if v.Window > 0 {
		x.w = v.Window // coarsened: a long run
	}
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
		x.faults = append(x.faults, FaultSpan{Span: faultSpan(f, x.end), Index: i})
	}
	sort.SliceStable(x.faults, func(i, j int) bool { return x.faults[i].From < x.faults[j].From })
	if v.Downstream != "" {
		x.down = newCounter(v.Series, v.Downstream, DownstreamMetric)
	}
	return x
}

// Window is the window length.
func (x *View) Window() time.Duration { return x.w }

// End is where the data ends: the last window's end, or the load's planned
// end when the load ended inside that window.
func (x *View) End() time.Duration { return x.end }

// Faults returns the spans the variant's faults were in force, sorted by
// start.
func (x *View) Faults() []FaultSpan { return slices.Clone(x.faults) }

// HasDownstream reports whether the variant has a sampled downstream
// counter (see DownstreamMetric), which amplification needs.
func (x *View) HasDownstream() bool { return x.down != nil }

// Downstream is how many requests the downstream service received over
// [from, to); false without a downstream counter, or when its samples do
// not cover the span.
func (x *View) Downstream(from, to time.Duration) (float64, bool) {
	if x.down == nil || !x.down.covers(from, to) {
		return 0, false
	}
	return x.down.increase(from, to), true
}

// Span is the half-open time interval [From, To), as offsets from the
// variant's load start.
type Span struct{ From, To time.Duration }

// Contains reports whether t lies in the span.
func (s Span) Contains(t time.Duration) bool { return s.From <= t && t < s.To }

// FaultSpan is when one fault was in force.
type FaultSpan struct {
	Span
	Index int // in Variant.Faults
}

// Slot aggregates the windows of one start (over one route or all).
type Slot struct {
	Start                    time.Duration
	Count, Success, Degraded int64
	Bytes                    int64      // body bytes of the 2xx answers
	Planned                  float64    // requests the load planned
	Latency                  *Histogram // never nil; read only
	// Sent is the latency from the actual send time when a window of the
	// slot kept it (it differed from Latency); nil otherwise.
	Sent   *Histogram
	merged bool // Latency belongs to the slot
}

// SuccessRatio is the share of the slot's requests answered 2xx.
func (s *Slot) SuccessRatio() float64 { return ratio(s.Success, s.Count) }

// DegradedRatio is the share of the slot's requests answered from a
// fallback.
func (s *Slot) DegradedRatio() float64 { return ratio(s.Degraded, s.Count) }

// MeanBytes is the mean body size of the slot's 2xx answers; false
// without one.
func (s *Slot) MeanBytes() (float64, bool) {
	return float64(s.Bytes) / float64(max(s.Success, 1)), s.Success > 0
}

// ErrorRatio is the share of the slot's requests not answered 2xx.
func (s *Slot) ErrorRatio() float64 { return ratio(s.Count-s.Success, s.Count) }

func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
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
func faultSpan(f FaultEvent, end time.Duration) Span {
	s := Span{From: f.At, To: f.At + f.Duration}
	if f.Applied > 0 {
		s.From = f.Applied
	}
	if f.Reverted > 0 {
		s.To = f.Reverted
	} else if f.Duration <= 0 {
		s.To = max(end, s.From)
	}
	if s.To < s.From {
		s.To = s.From
	}
	return s
}

// Routes lists the variant's routes: as configured, else as its windows
// name them.
func (x *View) Routes() []string {
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

// Slots merges the windows of route ("" = every route) by start, in order.
// A slot of one window shares that window's histogram (read only); a slot
// of several gets a sparse merge, so a long run costs little memory.
func (x *View) Slots(route string) []Slot {
	var out []Slot
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
			out = append(out, Slot{Start: w.Start, Count: w.Count, Success: w.Success, Degraded: w.Degraded,
				Planned: w.Planned, Bytes: w.Bytes, Latency: h, Sent: w.Sent})
			continue
		}
		s := &out[j]
		s.add(w, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// add merges window w, whose latencies are h, into a slot of the same start.
func (s *Slot) add(w *Window, h *Histogram) {
	if s.Sent != nil || w.Sent != nil {
		sent := newSparse()
		sent.Merge(sentOr(s.Sent, s.Latency))
		sent.Merge(sentOr(w.Sent, h))
		s.Sent = sent
	}
	s.Count += w.Count
	s.Success += w.Success
	s.Degraded += w.Degraded
	s.Bytes += w.Bytes
	s.Planned += w.Planned
	if !s.merged {
		m := newSparse()
		m.Merge(s.Latency)
		s.Latency, s.merged = m, true
	}
	s.Latency.Merge(h)
}

// sentOr is sent, or latency when no separate histogram from the actual
// send time was kept (they did not differ).
func sentOr(sent, latency *Histogram) *Histogram {
	if sent != nil {
		return sent
	}
	return latency
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
func (x *View) fault(name string) (FaultSpan, bool) {
	for _, f := range x.faults {
		if name == "" || x.v.Faults[f.Index].Name == name {
			return f, true
		}
	}
	return FaultSpan{}, false
}

// faultAt returns the span of Variant.Faults[i].
func (x *View) faultAt(i int) FaultSpan {
	for _, f := range x.faults {
		if f.Index == i {
			return f
		}
	}
	return FaultSpan{}
}

func (x *View) overall() []Span { return []Span{{0, x.end}} }

// before is [end of the previous fault or 0, f applied).
func (x *View) before(f FaultSpan) []Span {
	var from time.Duration
	for _, g := range x.faults {
		if g.Index == f.Index {
			break
		}
		from = max(from, g.To)
	}
	if f.From <= from {
		return nil
	}
	return []Span{{from, f.From}}
}

// after is [f reverted, next fault applied or end).
func (x *View) after(f FaultSpan) []Span {
	to := x.end
	seen := false
	for _, g := range x.faults {
		if seen {
			to = min(to, g.From)
			break
		}
		seen = g.Index == f.Index
	}
	if to <= f.To {
		return nil
	}
	return []Span{{f.To, to}}
}

// spans returns the intervals of a phase; false for an unknown phase or fault.
func (x *View) spans(phase, fault string) ([]Span, bool) {
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
			return []Span{f.Span}, true
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
		if first := x.faults[0].From; first > 0 {
			return []Span{{0, first}}, true
		}
		return nil, true
	case "during":
		return x.faultUnion(), true
	default:
		var last time.Duration
		for _, f := range x.faults {
			last = max(last, f.To)
		}
		if last >= x.end {
			return nil, true
		}
		return []Span{{last, x.end}}, true
	}
}

// faultUnion merges overlapping fault windows.
func (x *View) faultUnion() []Span {
	var out []Span
	for _, f := range x.faults {
		if f.To <= f.From {
			continue
		}
		if n := len(out); n > 0 && f.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, f.To)
			continue
		}
		out = append(out, f.Span)
	}
	return out
}
