package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios/sampler"
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
}

// Run runs every variant of s in turn on a fresh topology, then evaluates
// the SLOs and writes the report into o.Dir. The report is written whatever
// happens: when ctx is cancelled (Ctrl-C) or a step fails, what was measured
// so far is kept and the run is marked partial. The returned run is nil only
// when nothing could be started or written.
func Run(ctx context.Context, s *Scenario, o Options) (*reports.Run, error) {
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
	run := &reports.Run{
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
	}
	var runErr error
	for _, v := range s.Variants {
		rv, err := runVariant(ctx, s, v, seed, o, run)
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
	reports.Summarize(run)
	evaluate(s, run)
	if err := reports.Write(o.Dir, run); err != nil {
		return run, errors.Join(runErr, fmt.Errorf("write report: %w", err))
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

// runVariant deploys one variant, drives its load while the fault timeline
// and the sampler run, and tears it down.
func runVariant(ctx context.Context, s *Scenario, v Variant, seed int64, o Options, run *reports.Run) (*reports.Variant, error) {
	topo := s.Impl.Topology()
	rv := &reports.Variant{
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
	if topo.StateMetric != "" {
		rv.StateSeries, rv.StateService = topo.StateMetric, topo.StateService
	}
	for _, t := range s.Load.Targets {
		rv.Routes = append(rv.Routes, t.Name)
	}
	for _, f := range s.Faults {
		b := f.Base()
		rv.Faults = append(rv.Faults, reports.FaultEvent{Name: b.Name, Kind: b.Kind, Target: b.Target, At: b.At, Duration: b.Duration})
	}

	began := time.Now()
	dep, err := o.Testbed.Deploy(ctx, testbeds.Variant{Pattern: s.Impl, Config: v.Config, Seed: seed})
	takeTimings(o.Testbed, v.Name, run)
	if err != nil {
		rv.Partial, rv.Error = true, err.Error()
		return rv, fmt.Errorf("deploy: %w", err)
	}
	run.Timings = append(run.Timings, reports.Timing{Name: "topology ready", Variant: v.Name, Duration: time.Since(began)})
	defer func() {
		began := time.Now()
		if err := dep.Close(context.WithoutCancel(ctx)); err != nil {
			rv.Error = strings.TrimSpace(rv.Error + "; teardown: " + err.Error())
		}
		run.Timings = append(run.Timings, reports.Timing{Name: "teardown", Variant: v.Name, Duration: time.Since(began)})
	}()

	raw, err := os.Create(filepath.Join(o.Dir, rv.Results))
	if err != nil {
		return rv, fmt.Errorf("raw results: %w", err)
	}
	defer raw.Close()

	plan := traffic.Plan{
		Stages:      s.Load.stages(),
		Targets:     targets(s.Load.Targets, dep.Entry()),
		Timeout:     s.Load.Timeout,
		Workers:     s.Load.Workers,
		Connections: s.Load.Connections,
		Seed:        seed,
		Window:      s.Window,
		Start:       time.Now().Add(100 * time.Millisecond),
		Name:        s.Name + "/" + v.Name,
	}
	attack, err := traffic.NewAttack(plan)
	if err != nil {
		return rv, err
	}

	// The timeline, the sampler, the window collector and the progress
	// display are owned here: each is stopped and waited for before return.
	var wg sync.WaitGroup
	timeline := faults.NewTimeline(s.Faults)
	var timelineErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		timelineErr = timeline.Run(ctx, dep, plan.Start, nil)
	}()

	sampleCtx, stopSampling := context.WithCancel(ctx)
	var series []reports.Series
	var sampleErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		series, sampleErr = sampler.Run(sampleCtx, dep.MetricsURLs(), o.SampleEvery, plan.Start, interesting)
	}()

	windows := make(chan reports.Window, 64)
	collected := make(chan []reports.Window, 1)
	go func() {
		var ws []reports.Window
		for w := range windows {
			ws = append(ws, w)
		}
		collected <- ws
	}()

	progressDone := make(chan struct{})
	stopProgress := startProgress(o.Progress, v.Name, attack, timeline, progressDone)

	loadErr := attack.Run(ctx, raw, windows)
	rv.Windows = <-collected
	stopProgress()
	<-progressDone

	// Every fault ends before the load does; RevertAll covers an early end.
	revertErr := timeline.RevertAll(context.WithoutCancel(ctx))
	stopSampling()
	wg.Wait()
	rv.Series = series

	for i, rec := range timeline.Records() {
		ev := &rv.Faults[i]
		if rec.State != faults.StatePending {
			ev.Applied = rec.Applied
		}
		if rec.State == faults.StateReverted {
			ev.Reverted = rec.Reverted
		}
		if rec.Err != nil {
			ev.Error = rec.Err.Error()
		}
	}
	if ctx.Err() != nil {
		rv.Partial = true
		return rv, ctx.Err()
	}
	if timelineErr != nil {
		// A failed step is recorded on its fault; the run goes on.
		rv.Error = timelineErr.Error()
	}
	if err := errors.Join(loadErr, revertErr, sampleErr); err != nil {
		rv.Partial, rv.Error = true, err.Error()
		return rv, err
	}
	return rv, nil
}

// interesting keeps the series reports use: faultline's own metrics.
func interesting(name string) bool { return strings.HasPrefix(name, "faultline_") }

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
		})
	}
	return out
}

// evaluate checks every SLO against every variant it applies to.
func evaluate(s *Scenario, run *reports.Run) {
	for _, rv := range run.Variants {
		rv.SLOs = nil
		for _, slo := range s.SLOs {
			if !appliesTo(slo, rv.Name) {
				continue
			}
			q := reports.Query{Metric: slo.Metric, Route: slo.Route, Phase: slo.Phase, Fault: slo.Fault}
			if slo.Min != nil {
				rv.SLOs = append(rv.SLOs, rv.Check(slo.Name, q, ">=", slo.Min.Value))
			}
			if slo.Max != nil {
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
