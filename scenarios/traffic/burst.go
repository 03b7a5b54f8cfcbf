package traffic

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Burst is extra load on one route for a while: Rate more hits per second
// from At for Duration, sent to the plan's targets named Route (picked
// among them by weight). It adds to the stages' load; it does not take a
// share of it. The part of a burst past the plan's end is not sent.
type Burst struct {
	Name     string
	Route    string
	At       time.Duration
	Duration time.Duration
	Rate     float64
}

// active reports whether the burst sends at t.
func (b Burst) active(t time.Duration) bool { return b.At <= t && t < b.At+b.Duration }

// checkBursts checks p's bursts against its targets.
func checkBursts(p Plan) error {
	for i, b := range p.Bursts {
		switch {
		case b.At < 0 || b.Duration < 0 || b.Rate < 0 || math.IsNaN(b.Rate) || math.IsInf(b.Rate, 0):
			return fmt.Errorf("load: burst %d (%q): negative start, duration or rate", i, b.Name)
		case !slices.ContainsFunc(p.Targets, func(t Target) bool { return t.Name == b.Route }):
			return fmt.Errorf("load: burst %d (%q): no target is named %q", i, b.Name, b.Route)
		}
	}
	return nil
}

// schedule is the plan's rate with its bursts added, as stages: the
// stages' rate cut wherever a burst starts or ends, each piece raised by
// the bursts that send over it. A ramp's piece starts with a step of no
// duration, which sets the rate the ramp moves from.
func (p Plan) schedule() []Stage {
	if len(p.Bursts) == 0 {
		return p.Stages
	}
	base := NewPacer(p.Stages).(*stagePacer)
	cuts := []time.Duration{0}
	var t time.Duration
	for _, st := range p.Stages {
		t += max(st.Duration, 0)
		cuts = append(cuts, t)
	}
	for _, b := range p.Bursts {
		cuts = append(cuts, min(b.At, base.total), min(b.At+b.Duration, base.total))
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []Stage
	for i := 1; i < len(cuts); i++ {
		from, to := cuts[i-1], cuts[i]
		r0, r1 := base.rateOver(from, to)
		e := p.extra(from)
		if r0 == r1 {
			out = append(out, Stage{Duration: to - from, Rate: r0 + e})
			continue
		}
		out = append(out, Stage{Rate: r0 + e}, Stage{Duration: to - from, Rate: r1 + e, Ramp: true})
	}
	return out
}

// extra is the rate the plan's bursts add at t.
func (p Plan) extra(t time.Duration) float64 {
	var e float64
	for _, b := range p.Bursts {
		if b.active(t) {
			e += b.Rate
		}
	}
	return e
}

// rateOver returns the rate at the start and at the end of [from, to),
// a span within one stage.
func (p *stagePacer) rateOver(from, to time.Duration) (r0, r1 float64) {
	f, t := from.Seconds(), to.Seconds()
	for i, s := range p.stages {
		if f < s.start+s.dur-1e-9 || i == len(p.stages)-1 {
			at := func(x float64) float64 {
				x = math.Min(math.Max(x-s.start, 0), s.dur)
				return s.from + (s.to-s.from)*x/s.dur
			}
			return at(f), at(t)
		}
	}
	return 0, 0
}

// burstHits is how many hits the plan's bursts on route send over
// [from, to).
func (p Plan) burstHits(route string, from, to time.Duration) float64 {
	end := p.Duration()
	var n float64
	for _, b := range p.Bursts {
		if b.Route != route {
			continue
		}
		lo, hi := max(from, b.At), min(to, b.At+b.Duration, end)
		if hi > lo {
			n += b.Rate * (hi - lo).Seconds()
		}
	}
	return n
}

// PeakRate is the highest rate the plan schedules, bursts included, per
// second.
func (p Plan) PeakRate() float64 {
	var peak float64
	for _, st := range p.schedule() {
		peak = max(peak, st.Rate)
	}
	return peak
}
