package scenarios

import (
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/faultline/faultline/faults"
)

// Scaled returns a copy of the scenario with its timeline stretched by f:
// the load's duration, every stage's duration, every fault's and load
// burst's start and duration and every action's time are multiplied by f (0.1 runs a 60s
// scenario in 6s). Rates, timeouts, the window, SLO thresholds and the
// pattern's configuration are left alone. Faults still end when the load does at the latest. A factor
// that is not a positive finite number gives an unscaled copy.
//
// The copy shares nothing it changes with s; variant configurations are
// shared, since they are not changed.
func (s *Scenario) Scaled(f float64) *Scenario {
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		f = 1
	}
	c := *s
	c.Variants = slices.Clone(s.Variants)
	c.SLOs = slices.Clone(s.SLOs)
	for i, o := range c.SLOs {
		c.SLOs[i].Variants = slices.Clone(o.Variants)
		if o.Min != nil {
			m := *o.Min
			c.SLOs[i].Min = &m
		}
		if o.Max != nil {
			m := *o.Max
			c.SLOs[i].Max = &m
		}
	}
	c.Load.Targets = slices.Clone(s.Load.Targets)
	c.Load.Duration = scaleDuration(s.Load.Duration, f)
	c.Load.Stages = slices.Clone(s.Load.Stages)
	for i := range c.Load.Stages {
		c.Load.Stages[i].Duration = scaleDuration(c.Load.Stages[i].Duration, f)
	}
	total := c.Total()
	if s.Faults != nil {
		c.Faults = make([]faults.Fault, len(s.Faults))
	}
	for i, x := range s.Faults {
		y := shallowCopy(x)
		b := y.Base()
		b.At, b.Duration = scaleSpan(b.At, b.Duration, f, total)
		c.Faults[i] = y
	}
	c.Load.Bursts = slices.Clone(s.Load.Bursts)
	for i, b := range c.Load.Bursts {
		c.Load.Bursts[i].At, c.Load.Bursts[i].Duration = scaleSpan(b.At, b.Duration, f, total)
	}
	c.Actions = slices.Clone(s.Actions)
	for i, x := range s.Actions {
		y := shallowCopy(x)
		y.Base().At = scaleDuration(x.Base().At, f)
		if total > 0 {
			y.Base().At = min(y.Base().At, total)
		}
		c.Actions[i] = y
	}
	return &c
}

// scaleSpan scales a timeline entry's start and duration by f. Rounding
// must not push the entry past the end of the load (total, when known),
// nor make a lasting one instantaneous.
func scaleSpan(at, d time.Duration, f float64, total time.Duration) (time.Duration, time.Duration) {
	sa, sd := scaleDuration(at, f), scaleDuration(d, f)
	if total > 0 {
		sa = min(sa, total)
		if sd > total-sa {
			sd = total - sa
			if sd == 0 && d > 0 {
				sd, sa = 1, total-1
			}
		}
	}
	return sa, sd
}

// scaleDuration multiplies d by f, keeping a positive duration positive and
// saturating instead of overflowing.
func scaleDuration(d time.Duration, f float64) time.Duration {
	x := math.Round(float64(d) * f)
	switch {
	case x >= math.MaxInt64:
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	case d > 0 && x < 1:
		return 1
	}
	return time.Duration(x)
}

// shallowCopy returns a shallow copy of a timeline entry (a pointer to its
// kind's struct), so the copy's timing can change without touching the
// original.
func shallowCopy[T any](x T) T {
	v := reflect.ValueOf(x)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return x
	}
	n := reflect.New(v.Elem().Type())
	n.Elem().Set(v.Elem())
	if c, ok := n.Interface().(T); ok {
		return c
	}
	return x
}
