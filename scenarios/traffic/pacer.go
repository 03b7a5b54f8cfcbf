package traffic

import (
	"fmt"
	"math"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// stagePacer paces hits along a list of stages. Its rate r(t) is piecewise
// linear: constant over a step stage, a straight line from the previous
// stage's rate over a ramp. The expected hits H(t) are the exact integral of
// r(t), and hit n (counting from 0) is sent at the time t where H(t) = n, so
// a window [a, b) receives H(b) - H(a) hits (rounded) and the last hit falls
// before the end of the plan.
type stagePacer struct {
	stages []pacedStage
	total  time.Duration
	hits   float64 // H(total)
}

// pacedStage is one stage with its absolute start and the hits before it.
type pacedStage struct {
	start, dur float64 // seconds
	from, to   float64 // rate at start and end, per second
	before     float64 // hits expected before start
}

// hits returns the hits expected x seconds into the stage.
func (s pacedStage) hits(x float64) float64 {
	return s.from*x + (s.to-s.from)/(2*s.dur)*x*x
}

// at returns how many seconds into the stage the m-th hit of the stage is
// expected (m is fractional and 0 <= m <= s.hits(s.dur)).
func (s pacedStage) at(m float64) float64 {
	if m <= 0 {
		return 0
	}
	// Solve from*x + a/2*x² = m with a = (to-from)/dur, in the form that
	// stays stable when a is zero or tiny.
	a := (s.to - s.from) / s.dur
	d := math.Sqrt(math.Max(0, s.from*s.from+2*a*m))
	if den := s.from + d; den > 0 {
		return 2 * m / den
	}
	return 0
}

// NewPacer returns a Pacer that follows stages one after the other: a step
// stage holds its rate for its duration, a ramp moves linearly from the
// previous stage's rate (0 for the first stage) to its own. The Pacer stops
// the attack once every hit of the plan was sent. Negative rates count as 0
// and stages without a positive duration are skipped (a step of zero
// duration still sets the rate a following ramp starts from).
func NewPacer(stages []Stage) vegeta.Pacer {
	p := &stagePacer{}
	var start, before, prev float64
	for _, st := range stages {
		rate := math.Max(0, st.Rate)
		if st.Duration <= 0 {
			prev = rate
			continue
		}
		ps := pacedStage{start: start, dur: st.Duration.Seconds(), from: rate, to: rate, before: before}
		if st.Ramp {
			ps.from = prev
		}
		p.stages = append(p.stages, ps)
		p.total += st.Duration
		start += ps.dur
		before += ps.hits(ps.dur)
		prev = rate
	}
	p.hits = before
	return p
}

// hitsEpsilon absorbs float rounding when comparing a hit count with the
// integral, so a plan of exactly N hits sends N, not N+1.
const hitsEpsilon = 1e-6

// Pace implements vegeta.Pacer.
func (p *stagePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	n := float64(hits)
	if n >= p.hits-hitsEpsilon {
		return 0, true // every planned hit was sent
	}
	wait := p.at(n) - elapsed
	if wait < 0 {
		wait = 0 // running behind: hit now
	}
	return wait, false
}

// Rate implements vegeta.Pacer: the planned rate at elapsed, per second.
func (p *stagePacer) Rate(elapsed time.Duration) float64 {
	t := elapsed.Seconds()
	for _, s := range p.stages {
		if t >= s.start && t < s.start+s.dur {
			return s.from + (s.to-s.from)*(t-s.start)/s.dur
		}
	}
	return 0
}

// expected returns H(elapsed), the hits the plan expects by elapsed.
func (p *stagePacer) expected(elapsed time.Duration) float64 {
	t := elapsed.Seconds()
	for _, s := range p.stages {
		if t < s.start+s.dur {
			return s.before + s.hits(math.Max(0, t-s.start))
		}
	}
	return p.hits
}

// at returns the time at which hit n (from 0) is due.
func (p *stagePacer) at(n float64) time.Duration {
	for _, s := range p.stages {
		if n < s.before+s.hits(s.dur) {
			return time.Duration((s.start + s.at(n-s.before)) * float64(time.Second))
		}
	}
	return p.total
}

// String describes the pacer, like vegeta's pacers do.
func (p *stagePacer) String() string {
	var b strings.Builder
	b.WriteString("Stages{")
	for i, s := range p.stages {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.from == s.to {
			fmt.Fprintf(&b, "%g/s for %gs", s.to, s.dur)
		} else {
			fmt.Fprintf(&b, "%g→%g/s over %gs", s.from, s.to, s.dur)
		}
	}
	b.WriteString("}")
	return b.String()
}
