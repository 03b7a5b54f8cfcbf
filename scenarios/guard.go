package scenarios

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// StopError is why a guard stopped a variant's run early: the system was
// not steady before the first fault, or an SLO marked abort_after stayed
// breached.
type StopError struct {
	NotSteady bool
	Msg       string
}

func (e *StopError) Error() string { return e.Msg }

// guard watches one variant's windows as they close: it answers the
// timeline's steady-state question before the first fault (steady), and
// stops the variant (cancel) once an SLO with abort_after has been
// breached that long in a row (add).
type guard struct {
	s      *Scenario
	rv     *model.Variant // the report's variant: name, faults as planned
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	windows []model.Window
	streak  []time.Duration // per SLO: how long it has been breached in a row
	stopped bool
}

func newGuard(s *Scenario, rv *model.Variant, cancel context.CancelCauseFunc) *guard {
	return &guard{s: s, rv: rv, cancel: cancel, streak: make([]time.Duration, len(s.SLOs))}
}

// add records a closed window; with the last route of its start in, the
// abort_after SLOs judge that start.
func (g *guard) add(w model.Window) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.windows = append(g.windows, w)
	if g.stopped {
		return
	}
	start := w.Start
	var slot []model.Window
	for _, x := range g.windows {
		if x.Start == start {
			slot = append(slot, x)
		}
	}
	if len(slot) < max(len(g.rv.Routes), 1) {
		return // the start's other routes are still to come
	}
	for i, o := range g.s.SLOs {
		if o.AbortAfter <= 0 || !appliesTo(o, g.rv.Name) {
			continue
		}
		res, judged := g.check(o, slot)
		switch {
		case !judged:
			g.streak[i] = 0
		case res.Pass:
			g.streak[i] = 0
		default:
			g.streak[i] += g.s.Window
		}
		if g.streak[i] >= o.AbortAfter {
			g.stop(&StopError{Msg: fmt.Sprintf("aborted: SLO %q breached for %s (%s %s %s, got %s in the last window)",
				o.Name, g.streak[i], o.Metric, res.Op, thresholdText(o), formatActual(res))})
			return
		}
	}
}

// steady is the timeline's gate before the first fault: every SLO of the
// variant on the time before it must hold over the windows closed so far.
func (g *guard) steady(context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	first, _ := firstFault(g.s.Faults)
	if len(g.windows) == 0 {
		err := &StopError{NotSteady: true, Msg: "system not steady: no results before the first fault to judge it by"}
		g.stop(err)
		return err
	}
	for _, o := range g.s.SLOs {
		if !beforeFirst(o, first) || !appliesTo(o, g.rv.Name) {
			continue
		}
		if res, _ := g.check(o, g.windows); !res.Pass {
			err := &StopError{NotSteady: true, Msg: fmt.Sprintf("system not steady: SLO %q does not hold before the first fault (%s %s %s, got %s); no fault was injected",
				o.Name, o.Metric, res.Op, thresholdText(o), formatActual(res))}
			g.stop(err)
			return err
		}
	}
	return nil
}

// check evaluates o over ws, as the report will; judged is false when the
// windows hold nothing of o's phase.
func (g *guard) check(o SLO, ws []model.Window) (res model.SLOResult, judged bool) {
	v := &model.Variant{Name: g.rv.Name, Routes: g.rv.Routes, Faults: slices.Clone(g.rv.Faults), Windows: ws}
	model.Summarize(&model.Run{Window: g.s.Window, Variants: []*model.Variant{v}})
	q := model.Query{Metric: o.Metric, Route: o.Route, Phase: o.Phase, Fault: o.event()}
	if o.Min != nil {
		res = v.Check(o.Name, q, ">=", o.Min.Value)
	}
	if o.Max != nil && (o.Min == nil || res.Pass) {
		res = v.Check(o.Name, q, "<=", o.Max.Value)
	}
	return res, !res.Missing
}

// stop cancels the variant with err, once. Call with g.mu held.
func (g *guard) stop(err *StopError) {
	if !g.stopped {
		g.stopped = true
		g.cancel(err)
	}
}

// thresholdText is an SLO's bound as written.
func thresholdText(o SLO) string {
	switch {
	case o.Min != nil && o.Max != nil:
		return o.Min.Text + ".." + o.Max.Text
	case o.Min != nil:
		return o.Min.Text
	case o.Max != nil:
		return o.Max.Text
	}
	return ""
}

// formatActual is a result's value in its unit, briefly.
func formatActual(r model.SLOResult) string {
	if r.Missing {
		return "nothing"
	}
	switch model.Unit(r.Unit) {
	case model.Ratio:
		return fmt.Sprintf("%.1f%%", 100*r.Actual)
	case model.Seconds:
		return time.Duration(r.Actual * float64(time.Second)).Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%.3g", r.Actual)
}
