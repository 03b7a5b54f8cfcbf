package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios/traffic"
	"github.com/faultline/faultline/testbeds"
)

// DefaultSampleEvery is how often services' /metrics are scraped.
const DefaultSampleEvery = 250 * time.Millisecond

// Options says how to run a scenario.
type Options struct {
	Testbed testbeds.Testbed
	// Dir receives the report, summary.json, junit.xml and raw results.
	Dir string
	// Scale multiplies load and fault durations (1 when 0).
	Scale float64
	// Seed overrides the scenario's seed when not nil.
	Seed *int64
	// SampleEvery is the metrics scrape interval; DefaultSampleEvery when 0.
	SampleEvery time.Duration
	// Progress receives a live display (a terminal) or periodic lines; nil
	// for silence.
	Progress io.Writer
	// Repeat runs each variant this many times (1 when 0); see repeat.go.
	Repeat int
	// Baseline, when set, is a stored run of the same scenario the run is
	// compared with before its report is written (the report's "Against
	// baseline" section, compare.html).
	Baseline *model.Run
}

// Run runs every variant of s in turn on a fresh topology, then evaluates
// the SLOs and writes the report into o.Dir. The report is written whatever
// happens: when ctx is cancelled (Ctrl-C) or a step fails, what was measured
// so far is kept and the run is marked partial. The returned run is nil only
// when nothing could be started or written.
func Run(ctx context.Context, s *Scenario, o Options) (*model.Run, error) {
	if o.Scale == 0 {
		o.Scale = 1
	}
	if o.Scale != 1 {
		s = s.Scaled(o.Scale)
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = DefaultSampleEvery
	}
	if err := CheckTestbed(s, o.Testbed); err != nil {
		return nil, err
	}
	seed := s.Seed
	if o.Seed != nil {
		seed = *o.Seed
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("report directory: %w", err)
	}
	run := &model.Run{
		Scenario:    s.Name,
		Description: s.Description,
		Pattern:     s.Pattern,
		Testbed:     o.Testbed.Name(),
		Seed:        seed,
		Scale:       o.Scale,
		Window:      s.Window,
		StartedAt:   time.Now().UTC().Truncate(time.Second),
		Planned:     s.Total(),
		Sweep:       reportSweep(s.Sweep),
		Tolerances:  s.tolerances(),
		Repeat:      max(1, o.Repeat),
	}
	var runErr error
	for _, v := range s.Variants {
		rv, err := runRepeated(ctx, s, v, seed, o, run)
		if rv != nil {
			run.Variants = append(run.Variants, rv)
		}
		if ctx.Err() != nil {
			run.Partial, run.Reason = true, "interrupted during variant "+v.Name
			break
		}
		if err != nil {
			run.Partial, run.Reason = true, fmt.Sprintf("variant %s: %v", v.Name, err)
			runErr = fmt.Errorf("variant %s: %w", v.Name, err)
			break
		}
	}
	model.Summarize(run)
	evaluate(s, run)
	if err := compareBaseline(o, run); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if err := reports.Write(o.Dir, run); err != nil {
		return run, errors.Join(runErr, err) // it says "write report: ..."
	}
	return run, runErr
}

// Total is the planned length of the scenario's load (one variant).
func (s *Scenario) Total() time.Duration {
	return traffic.Plan{Stages: s.Load.stages()}.Duration()
}

// stages is the load as the traffic package runs it: one constant stage,
// or the stages as written.
func (l *Load) stages() []traffic.Stage {
	if len(l.Stages) == 0 {
		return []traffic.Stage{{Duration: l.Duration, Rate: l.Rate.PerSecond()}}
	}
	out := make([]traffic.Stage, len(l.Stages))
	for i, st := range l.Stages {
		out[i] = traffic.Stage{Duration: st.Duration, Rate: st.Rate.PerSecond(), Ramp: st.Ramp}
	}
	return out
}

// loadDelay is how long after planning the load starts, so that the fault
// timeline and the sampler, aligned on the same start, are running by then.
const loadDelay = 100 * time.Millisecond

// runVariant runs one variant: it deploys the topology, plans the load,
// drives it while the observers (fault timeline, sampler, progress display)
// run, stops them, and tears the topology down. The report's variant is
// returned whatever happens, marked partial when the run was cut short.
func runVariant(ctx context.Context, s *Scenario, v Variant, seed int64, o Options, run *model.Run, rep int) (*model.Variant, error) {
	rv := reportVariant(s, v)
	if rep > 1 {
		rv.Results = fmt.Sprintf("results-%s-%d.bin", v.Name, rep)
	}
	dep, err := deploy(ctx, s, v, seed, o.Testbed, run)
	if err != nil {
		rv.Partial, rv.Error = true, err.Error()
		return rv, fmt.Errorf("deploy: %w", err)
	}
	defer teardown(ctx, dep, rv, run)
	announceToxiproxy(dep, rv, o.Progress)

	raw, err := os.Create(filepath.Join(o.Dir, rv.Results))
	if err != nil {
		return rv, fmt.Errorf("raw results: %w", err)
	}
	defer raw.Close()

	plan := s.plan(v, seed, dep.Entry(), time.Now().Add(loadDelay))
	attack, err := traffic.NewAttack(plan)
	if err != nil {
		return rv, err
	}

	vctx, stopVariant := context.WithCancelCause(ctx)
	defer stopVariant(nil)
	g := newGuard(s, rv, stopVariant)
	var gate func(context.Context) error
	if s.SteadyState {
		gate = g.steady
	}
	obs := startObservers(vctx, dep, s, attack, plan.Start, v.Name, o, gate)
	windows, width, loadErr := drive(vctx, attack, raw, g.add)
	seen, stopErr := obs.Stop(ctx)
	rv.Windows, rv.Series, rv.Late = windows, seen.series, attack.Late()
	rv.Foreign = reportForeign(seen.foreign)
	if width != s.Window {
		rv.Window = width
	}
	recordFaults(rv.Faults, seen.records)
	recordActions(rv.Actions, seen.actions)
	if err := raw.Sync(); err == nil && ctx.Err() == nil {
		if err := checkConsistency(ctx, s.Impl.Topology().Consistency, dep, rv, raw.Name(), plan.Start); err != nil {
			rv.Error = joinMsg(rv.Error, err.Error())
		}
	}

	var stop *StopError
	if errors.As(context.Cause(vctx), &stop) && ctx.Err() == nil {
		rv.Partial, rv.Error = true, stop.Msg
		return rv, stop
	}

	if ctx.Err() != nil {
		rv.Partial = true
		return rv, ctx.Err()
	}
	if seen.timelineErr != nil {
		// A failed step is recorded on its fault; the run goes on.
		rv.Error = seen.timelineErr.Error()
	}
	if err := errors.Join(loadErr, stopErr); err != nil {
		rv.Partial, rv.Error = true, err.Error()
		return rv, err
	}
	return rv, nil
}

// reportVariant is v's entry in the report, before it runs: its
// configuration, what its topology exposes, its routes and its faults.
func reportVariant(s *Scenario, v Variant) *model.Variant {
	topo := s.Impl.Topology()
	rv := &model.Variant{
		Name:            v.Name,
		Baseline:        v.Baseline,
		ExpectViolation: v.Expect == "violate",
		Config:          v.Config,
		Params:          v.Params,
		ReportOnly:      v.Expect == "report",
		Downstream:      topo.Downstream,
		StateNames:      topo.StateNames,
		Gauges:          topo.Gauges,
		Counters:        topo.Counters,
		Results:         "results-" + v.Name + ".bin",
	}
	if c := topo.Consistency; c != nil {
		rv.LagSeries = c.LagGauge
	}
	if topo.StateMetric != "" {
		rv.StateSeries, rv.StateService = topo.StateMetric, topo.StateService
	}
	for _, t := range s.Load.Targets {
		if !slices.Contains(rv.Routes, t.Name) { // targets sharing a name are one route
			rv.Routes = append(rv.Routes, t.Name)
		}
	}
	for _, f := range s.Faults {
		b := f.Base()
		rv.Faults = append(rv.Faults, model.FaultEvent{Name: b.Name, Kind: b.Kind, Target: b.Target, At: b.At, Duration: b.Duration})
	}
	rv.Faults = append(rv.Faults, burstEvents(s.Load.Bursts)...)
	rv.Actions = reportActions(s.Actions)
	return rv
}

// deploy deploys v's topology on tb and records, in run, the testbed's own
// timings and how long the topology took to be ready.
func deploy(ctx context.Context, s *Scenario, v Variant, seed int64, tb testbeds.Testbed, run *model.Run) (testbeds.Deployment, error) {
	began := time.Now()
	dep, err := tb.Deploy(ctx, testbeds.Variant{Pattern: s.Impl, Config: v.Config, Seed: seed})
	takeTimings(tb, v.Name, run)
	if err != nil {
		return nil, err
	}
	run.Timings = append(run.Timings, model.Timing{Name: "topology ready", Variant: v.Name, Duration: time.Since(began)})
	return dep, nil
}

// teardown closes the deployment, even once ctx is cancelled, adding a
// failure to rv's error and how long it took to run.
func teardown(ctx context.Context, dep testbeds.Deployment, rv *model.Variant, run *model.Run) {
	began := time.Now()
	if err := dep.Close(context.WithoutCancel(ctx)); err != nil {
		rv.Error = joinMsg(rv.Error, "teardown: "+err.Error())
	}
	run.Timings = append(run.Timings, model.Timing{Name: "teardown", Variant: rv.Name, Duration: time.Since(began)})
}

// plan is v's load, aimed at the deployment's entry and starting at start.
func (s *Scenario) plan(v Variant, seed int64, entry string, start time.Time) traffic.Plan {
	return traffic.Plan{
		Stages:      s.Load.stages(),
		Targets:     targets(s.Load.Targets, entry),
		Bursts:      s.Load.bursts(),
		Timeout:     s.Load.Timeout,
		Workers:     s.Load.Workers,
		Connections: s.Load.Connections,
		Seed:        seed,
		Window:      s.Window,
		Start:       start,
		Name:        s.Name + "/" + v.Name,
	}
}

// drive runs the attack, streaming its raw results to raw, and returns the
// windows it closed, each also passed to seen as it closes, and their
// length (coarser than the plan's in a long run: see model.WindowLog).
func drive(ctx context.Context, a *traffic.Attack, raw io.Writer, seen func(model.Window)) ([]model.Window, time.Duration, error) {
	windows := make(chan model.Window, 64)
	collected := make(chan coarse, 1)
	go func() {
		log := model.NewWindowLog(a.Window(), a.Routes()) // coarser past a point
		for w := range windows {
			seen(w)
			log.Add(w)
		}
		ws, width := log.Windows()
		collected <- coarse{ws, width}
	}()
	err := a.Run(ctx, raw, windows) // closes windows
	c := <-collected
	return c.windows, c.width, err
}

// coarse is what a variant's windows came to: windows of width.
type coarse struct {
	windows []model.Window
	width   time.Duration
}

// recordFaults copies what the timeline recorded (when each fault was
// applied and reverted, and how it failed) onto the report's faults.
func recordFaults(evs []model.FaultEvent, recs []faults.Record) {
	for i, rec := range recs {
		ev := &evs[i]
		if rec.State != faults.StatePending {
			ev.Applied = rec.Applied
		}
		if rec.State == faults.StateReverted {
			ev.Reverted = rec.Reverted
		}
		if rec.Err != nil {
			ev.Error = rec.Err.Error()
		}
		if rec.Note != "" { // a revert that needed another attempt
			ev.Error = strings.TrimPrefix(ev.Error+"; "+rec.Note, "; ")
		}
	}
}

// targets points the scenario's routes at the deployment's entry.
func targets(ts []Target, entry string) []traffic.Target {
	out := make([]traffic.Target, 0, len(ts))
	for _, t := range ts {
		h := http.Header{}
		for k, v := range t.Headers {
			h.Set(k, v)
		}
		out = append(out, traffic.Target{
			Name: t.Name, Method: t.Method, URL: entry + t.Path, Header: h, Body: []byte(t.Body), Weight: t.Weight,
			Template:  t.template(entry),
			BurstOnly: t.Weight == 0,
		})
	}
	return out
}

// evaluate checks every SLO against every variant it applies to.
func evaluate(s *Scenario, run *model.Run) {
	for _, rv := range run.Variants {
		rv.SLOs = nil
		for _, slo := range s.SLOs {
			if !appliesTo(slo, rv.Name) {
				continue
			}
			q := model.Query{Metric: slo.Metric, Route: slo.Route, Phase: slo.Phase, Fault: slo.event()}
			if slo.Min != nil {
				q.OfPlan = slo.Min.OfPlan
				rv.SLOs = append(rv.SLOs, rv.Check(slo.Name, q, ">=", slo.Min.Value))
			}
			if slo.Max != nil {
				q.OfPlan = slo.Max.OfPlan
				rv.SLOs = append(rv.SLOs, rv.Check(slo.Name, q, "<=", slo.Max.Value))
			}
		}
	}
}

func appliesTo(slo SLO, variant string) bool {
	if len(slo.Variants) == 0 {
		return true
	}
	for _, v := range slo.Variants {
		if v == variant {
			return true
		}
	}
	return false
}

// joinMsg appends msg to a variant's error message, "; " between them.
func joinMsg(prev, msg string) string {
	if prev == "" {
		return msg
	}
	return prev + "; " + msg
}
