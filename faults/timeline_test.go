package faults_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/faultline/faultline/faults"
)

// stepFault logs "apply NAME @OFFSET" and "revert NAME @OFFSET".
type stepFault struct {
	faults.Common
	start    time.Time
	log      *callLog
	applyErr error
	took     time.Duration // how long Apply takes
}

func (f *stepFault) On() faults.On   { return faults.OnEdge }
func (f *stepFault) Validate() error { return nil }

func (f *stepFault) Apply(ctx context.Context, _ faults.Target) error {
	f.log.add(fmt.Sprintf("apply %s @%v", f.Name, time.Since(f.start)))
	time.Sleep(f.took)
	return f.applyErr
}

func (f *stepFault) Revert(ctx context.Context, _ faults.Target) error {
	if ctx.Err() != nil {
		f.log.add("revert " + f.Name + " with a done context")
		return ctx.Err()
	}
	f.log.add(fmt.Sprintf("revert %s @%v", f.Name, time.Since(f.start)))
	return nil
}

// timeline builds a timeline from "name at duration" triples, starting
// now. Tests call it inside a synctest bubble, where time only moves when
// every goroutine waits, so the offsets logged are exact.
func timeline(spec ...string) (*faults.Timeline, []*stepFault, *callLog, time.Time) {
	start := time.Now()
	log := &callLog{}
	var fs []faults.Fault
	var steps []*stepFault
	for _, s := range spec {
		fields := strings.Fields(s)
		name := fields[0]
		at, _ := time.ParseDuration(fields[1])
		dur, _ := time.ParseDuration(fields[2])
		f := &stepFault{Common: faults.Common{Name: name, At: at, Duration: dur}, start: start, log: log}
		fs = append(fs, f)
		steps = append(steps, f)
	}
	return faults.NewTimeline(fs), steps, log, start
}

func collect(events <-chan faults.Event) func() []string {
	var out []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			s := fmt.Sprintf("%d %s %v @%v", ev.Index, ev.Name, ev.State, ev.At)
			if ev.Err != nil {
				s += " err"
			}
			out = append(out, s)
		}
	}()
	return func() []string { <-done; return out }
}

func TestTimelineOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tl, _, log, start := timeline(
			"a 1s 2s",
			"b 2s 2s",
			"r 3s 0s", // instant, at the same time as a's revert and d's apply
			"d 3s 1s",
		)
		events := make(chan faults.Event, 8)
		got := collect(events)
		if err := tl.Run(t.Context(), nil, start, events); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"apply a @1s", "apply b @2s", "revert a @3s", "apply r @3s",
			"revert r @3s", "apply d @3s", "revert b @4s", "revert d @4s",
		}
		if calls := log.take(); !slices.Equal(calls, want) {
			t.Errorf("steps\n%q\nwant\n%q", calls, want)
		}
		wantEvents := []string{
			"0 a active @1s", "1 b active @2s", "0 a reverted @3s", "2 r active @3s",
			"2 r reverted @3s", "3 d active @3s", "1 b reverted @4s", "3 d reverted @4s",
		}
		if evs := got(); !slices.Equal(evs, wantEvents) {
			t.Errorf("events\n%q\nwant\n%q", evs, wantEvents)
		}
		recs := tl.Records()
		if r := recs[1]; r.Name != "b" || r.State != faults.StateReverted || r.Applied != 2*time.Second || r.Reverted != 4*time.Second || r.Err != nil {
			t.Errorf("record of b: %+v", r)
		}
		if a := tl.Active(); len(a) != 0 {
			t.Errorf("active after the run: %v", a)
		}
		if err := tl.Run(t.Context(), nil, start, nil); err == nil {
			t.Error("second Run: no error")
		}
	})
}

func TestTimelineSlowStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tl, steps, log, start := timeline("a 0s 10s", "b 1s 1s")
		steps[0].took = 3 * time.Second // b is due while a is being applied
		if err := tl.Run(t.Context(), nil, start, nil); err != nil {
			t.Fatal(err)
		}
		// b runs on schedule, beside a's slow apply (it used to wait for it).
		want := []string{"apply a @0s", "apply b @1s", "revert b @2s", "revert a @10s"}
		if calls := log.take(); !slices.Equal(calls, want) {
			t.Errorf("steps\n%q\nwant\n%q", calls, want)
		}
		if r := tl.Records()[1]; r.Applied != time.Second || r.Reverted != 2*time.Second {
			t.Errorf("b applied at %v, reverted at %v, want 1s and 2s", r.Applied, r.Reverted)
		}
	})
}

func TestTimelineCancelMidFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tl, _, log, start := timeline("a 1s 10s", "b 2s 1s", "c 5s 1s")
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(2500*time.Millisecond, cancel) // while b is active

		events := make(chan faults.Event, 6)
		got := collect(events)
		err := tl.Run(ctx, nil, start, events)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped at 2.5s") {
			t.Errorf("Run = %v, want context.Canceled at 2.5s", err)
		}
		// Both active faults are reverted, latest first, with a live context.
		want := []string{"apply a @1s", "apply b @2s", "revert b @2.5s", "revert a @2.5s"}
		if calls := log.take(); !slices.Equal(calls, want) {
			t.Errorf("steps\n%q\nwant\n%q", calls, want)
		}
		if evs := got(); len(evs) != 4 {
			t.Errorf("events: %q", evs)
		}
		states := []faults.State{}
		for _, r := range tl.Records() {
			states = append(states, r.State)
		}
		if want := []faults.State{faults.StateReverted, faults.StateReverted, faults.StatePending}; !slices.Equal(states, want) {
			t.Errorf("states %v, want %v", states, want)
		}
		// Reverting again does nothing.
		if err := tl.RevertAll(context.Background()); err != nil {
			t.Error(err)
		}
		if calls := log.take(); len(calls) != 0 {
			t.Errorf("second RevertAll did %q", calls)
		}
	})
}

func TestTimelineApplyError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tl, steps, log, start := timeline("a 0s 1s", "b 0s 2s")
		boom := errors.New("boom")
		steps[0].applyErr = boom
		err := tl.Run(t.Context(), nil, start, nil)
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), `fault "a": apply: boom`) {
			t.Errorf("Run = %v, want a's apply error", err)
		}
		// a is still reverted on time, and b goes on.
		want := []string{"apply a @0s", "apply b @0s", "revert a @1s", "revert b @2s"}
		if calls := log.take(); !slices.Equal(calls, want) {
			t.Errorf("steps\n%q\nwant\n%q", calls, want)
		}
		if r := tl.Records()[0]; !errors.Is(r.Err, boom) || r.State != faults.StateReverted {
			t.Errorf("record of a: %+v", r)
		}
	})
}

// TestTimelineRevertAll stops a running timeline from other goroutines.
func TestTimelineRevertAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := &callLog{}
		fs := []faults.Fault{
			&plainFault{Common: faults.Common{Name: "a", Duration: time.Hour}, log: log},
			&plainFault{Common: faults.Common{Name: "b", At: time.Hour, Duration: time.Hour}, log: log},
		}
		if err := faults.NewTimeline(fs).RevertAll(t.Context()); err != nil { // before Run: nothing to do
			t.Fatal(err)
		}
		tl := faults.NewTimeline(fs)
		events := make(chan faults.Event, 4)
		got := collect(events)
		done := make(chan error, 1)
		go func() { done <- tl.Run(t.Context(), nil, time.Now(), events) }()
		synctest.Wait() // Run has applied a and waits for a's revert
		if a := tl.Active(); !slices.Equal(a, []string{"a"}) {
			t.Fatalf("active %q, want [a]", a)
		}
		var wg sync.WaitGroup
		for range 3 { // concurrent calls revert a once
			wg.Go(func() {
				if err := tl.RevertAll(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil after RevertAll", err)
		}
		if calls := log.take(); !slices.Equal(calls, []string{"apply a", "revert a"}) {
			t.Errorf("steps %q", calls)
		}
		if evs := got(); len(evs) != 2 {
			t.Errorf("events %q", evs)
		}
	})
}

// plainFault logs "apply NAME" and "revert NAME".
type plainFault struct {
	faults.Common
	log *callLog
}

func (f *plainFault) On() faults.On   { return faults.OnEdge }
func (f *plainFault) Validate() error { return nil }

func (f *plainFault) Apply(ctx context.Context, _ faults.Target) error {
	f.log.add("apply " + f.Name)
	return nil
}

func (f *plainFault) Revert(ctx context.Context, _ faults.Target) error {
	f.log.add("revert " + f.Name)
	return ctx.Err()
}
