package scenarios

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/faults/actions"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios/sampler"
	"github.com/faultline/faultline/scenarios/traffic"
	"github.com/faultline/faultline/testbeds"
)

// observers watch one variant while its load runs: the fault timeline
// applies and reverts the faults, the sampler scrapes the services'
// metrics, and the progress display shows both beside the load. They start
// together with startObservers, and one call to Stop ends them all.
type observers struct {
	timeline     *faults.Timeline
	plan         *actions.Plan
	stopPlan     context.CancelFunc
	foreign      *faults.ForeignWatch
	stopSampling context.CancelFunc
	stopProgress func() // returns once the display has stopped
	wg           sync.WaitGroup

	// Set by the goroutines, read after wg.Wait.
	timelineErr error
	planErr     error
	series      []model.Series
	sampleErr   error
}

// observed is what the observers recorded.
type observed struct {
	records []faults.Record       // what happened to each fault, in order
	actions []actions.Record      // what happened to each action, in order
	series  []model.Series        // the sampled metrics
	foreign []faults.ForeignToxic // toxics the run did not create (removed)
	// timelineErr is the timeline's own error: failed steps, each also on
	// its fault's record; and the actions' failed steps.
	timelineErr error
}

// startObservers starts the fault timeline, the plan of actions, the watch
// for foreign toxics and the sampler on dep, all aligned on start (when the
// attack's load begins), and the progress display of variant's attack on
// o.Progress. gate, when not nil, is asked before the first fault is
// applied (see faults.Timeline.BeforeFirst).
func startObservers(ctx context.Context, dep testbeds.Deployment, s *Scenario, a *traffic.Attack, start time.Time, variant string, o Options, gate func(context.Context) error) *observers {
	sampleCtx, stopSampling := context.WithCancel(ctx)
	planCtx, stopPlan := context.WithCancel(ctx)
	ob := &observers{
		timeline:     faults.NewTimeline(s.Faults),
		plan:         actions.NewPlan(s.Actions),
		stopPlan:     stopPlan,
		foreign:      faults.NewForeignWatch(dep, s.edges(), s.Faults, start),
		stopSampling: stopSampling,
	}
	ob.timeline.BeforeFirst = gate
	events := make(chan faults.Event, 2*len(s.Faults)) // Run never waits for us
	ob.wg.Add(4)
	go func() {
		defer ob.wg.Done()
		ob.planErr = ob.plan.Run(planCtx, dep, start)
	}()
	go func() {
		defer ob.wg.Done()
		ob.timelineErr = ob.timeline.Run(ctx, dep, start, events)
	}()
	go func() {
		defer ob.wg.Done()
		ob.watchForeign(ctx, events)
	}()
	go func() {
		defer ob.wg.Done()
		ob.series, ob.sampleErr = sampler.Run(sampleCtx, dep.MetricsURLs(), o.SampleEvery, start, interesting)
	}()
	ob.stopProgress = startProgress(o.Progress, variant, a, ob.timeline)
	return ob
}

// Stop ends the observers once the load is over and waits for them: the
// display shows its last line, every fault still applied is reverted (each
// ends before the load does; this covers a load cut short), whatever ctx
// says, and then sampling stops. Its error is a failed revert's or the
// sampler's. Call it once.
func (ob *observers) Stop(ctx context.Context) (observed, error) {
	ob.stopProgress()
	revertErr := ob.timeline.RevertAll(context.WithoutCancel(ctx))
	ob.stopPlan()
	ob.stopSampling()
	ob.wg.Wait()
	// At the end: look once more, and remove what the run did not create.
	foreignErr := ob.foreign.Remove(context.WithoutCancel(ctx))
	seen := observed{records: ob.timeline.Records(), actions: ob.plan.Records(), series: ob.series, timelineErr: ob.timelineErr, foreign: ob.foreign.Found()}
	if ob.planErr != nil && !errors.Is(ob.planErr, context.Canceled) {
		seen.timelineErr = errors.Join(seen.timelineErr, ob.planErr)
	}
	return seen, errors.Join(revertErr, ob.sampleErr, foreignErr)
}

// watchForeign looks for toxics the run did not create after each fault
// revert, until the timeline closes events. A failed look is not the
// run's failure: the last look, at Stop, reports its error.
func (ob *observers) watchForeign(ctx context.Context, events <-chan faults.Event) {
	for ev := range events {
		if ev.State == faults.StateReverted {
			_ = ob.foreign.Scan(context.WithoutCancel(ctx))
		}
	}
}

// interesting keeps the series reports use: faultline's own metrics.
func interesting(name string) bool { return strings.HasPrefix(name, "faultline_") }
