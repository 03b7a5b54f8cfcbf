package faults

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/faultline/faultline/internal/clock"
)

// Defaults of a Timeline's bounds.
const (
	// DefaultApplyTimeout bounds each Apply when Timeline.ApplyTimeout is
	// 0: a fault's API call held by a paused service must not hang.
	DefaultApplyTimeout = 5 * time.Second
	// DefaultRevertTimeout bounds each attempt at a Revert when
	// Timeline.RevertTimeout is 0.
	DefaultRevertTimeout = 10 * time.Second
	// RevertAttempts is how many times a failed Revert is tried in all.
	RevertAttempts = 3
	// revertBackoff is the wait before a Revert is tried again.
	revertBackoff = 200 * time.Millisecond
)

// State is where a fault stands in a timeline.
type State int

const (
	StatePending  State = iota // not applied yet (and, once the run is over, never)
	StateActive                // Apply was called (it may have failed); not reverted yet
	StateReverted              // Revert was called (it may have failed)
)

func (s State) String() string {
	switch s {
	case StatePending:
		return "pending"
	case StateActive:
		return "active"
	case StateReverted:
		return "reverted"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Event reports one step of a timeline: a fault applied or reverted.
type Event struct {
	Index int    // the fault's position in the timeline
	Name  string // the fault's name
	// State is StateActive after Apply and StateReverted after Revert.
	State State
	// At is when, as an offset from the run's start: when Apply was called,
	// or when Revert returned, so that [applied, reverted] covers the whole
	// time the fault may have had an effect.
	At  time.Duration
	Err error // the step's error, nil if it succeeded
}

// Record is what happened to one fault of a timeline.
type Record struct {
	Name     string
	State    State
	Applied  time.Duration // offset Apply was called at; set from StateActive on
	Reverted time.Duration // offset Revert returned at; set in StateReverted
	Err      error         // Apply's and Revert's errors, joined (a revert's only if every attempt failed)
	// Note says what went wrong without failing the fault: a revert that
	// succeeded only on a later attempt.
	Note string
}

// Timeline applies faults on schedule and always reverts them. Each fault
// is applied at start+At and reverted at start+At+Duration (an instant
// fault, Duration 0, is "reverted" right after it is applied).
//
// Each fault's steps run on a worker of its own, so a stuck step (an API
// call held by a paused service) delays only that fault: steps are started
// in time order (at the same instant, reverts before applies, then in the
// order of the faults) and, when each is quick, run in that order. Every
// Apply is bounded by ApplyTimeout and every Revert attempt by
// RevertTimeout; a failed Revert is tried again, up to RevertAttempts
// times. Records and Events carry the actual times and every failure. A
// failed step is recorded and the timeline goes on; a fault whose Apply
// failed is still reverted, at its planned time.
//
// A Timeline runs once. Its methods are safe for concurrent use. It keeps
// time with time.Now and timers, so tests run it in a testing/synctest
// bubble, where both are exact and instant.
type Timeline struct {
	// ApplyTimeout bounds each Apply; default DefaultApplyTimeout.
	ApplyTimeout time.Duration
	// RevertTimeout bounds each attempt at a Revert; default
	// DefaultRevertTimeout. Reverts run on a context detached from the
	// run's cancellation, so they work after Ctrl-C.
	RevertTimeout time.Duration
	// BeforeFirst, when set, is called when the first fault is due, before
	// it is applied; an error stops the timeline there: no fault is applied
	// and Run returns the error (a steady-state check).
	BeforeFirst func(ctx context.Context) error

	faults []Fault
	locks  []sync.Mutex // per fault: held while it is applied or reverted

	send sync.Mutex // held while an event is sent or the channel closed

	mu      sync.Mutex // guards the fields below
	recs    []Record
	started []int // per fault: steps handed to its worker (0, 1 apply, 2 revert)
	target  Target
	start   time.Time
	events  chan<- Event
	cancel  context.CancelFunc // stops Run's waiting
	ran     bool
	stopped bool // no fault is applied any more
}

// NewTimeline returns a timeline of faults, which it applies and reverts
// through their methods (it does not copy them).
func NewTimeline(faults []Fault) *Timeline {
	t := &Timeline{
		faults:  slices.Clone(faults),
		locks:   make([]sync.Mutex, len(faults)),
		recs:    make([]Record, len(faults)),
		started: make([]int, len(faults)),
	}
	for i, f := range faults {
		t.recs[i].Name = f.Base().Name
	}
	return t
}

// Run applies and reverts the faults on schedule, offsets counted from start
// (the load's start). It returns once every fault has been reverted, or when
// ctx is done or RevertAll is called: then it reverts every fault still
// applied and returns without applying the rest.
//
// Run sends an Event on events (if not nil) after every step and closes
// events when it returns. The receiver must keep receiving until then; a
// buffer of 2*len(faults) means Run never waits for it.
//
// The error joins every step's error and, if ctx ended before every fault
// was applied and reverted, ctx's error.
func (t *Timeline) Run(ctx context.Context, target Target, start time.Time, events chan<- Event) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t.mu.Lock()
	if t.ran {
		t.mu.Unlock()
		if events != nil {
			close(events)
		}
		return errors.New("faults: timeline already run")
	}
	t.ran, t.target, t.start, t.events, t.cancel = true, target, start, events, cancel
	t.mu.Unlock()

	err := t.dispatch(ctx)
	t.revertAll(ctx)

	t.send.Lock()
	t.mu.Lock()
	if t.events != nil {
		close(t.events)
		t.events = nil
	}
	errs := []error{err}
	for _, r := range t.recs {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	t.mu.Unlock()
	t.send.Unlock()
	return errors.Join(errs...)
}

// dispatch starts every step when it is due on its fault's worker, and
// returns once every worker is done. A step is waited for until the next
// one is due (or a millisecond, when that is due already, so quick steps
// keep their order); a stuck one is left to its worker.
func (t *Timeline) dispatch(ctx context.Context) error {
	queues := make([]chan func(), len(t.faults))
	var workers sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan func(), 2)
		workers.Go(func() {
			for step := range queues[i] {
				step()
			}
		})
	}
	defer workers.Wait()
	defer func() {
		for _, q := range queues {
			close(q)
		}
	}()
	var last <-chan struct{} // the step started last
	for {
		i, revert, due, ok := t.next()
		if !ok {
			return nil
		}
		if last != nil {
			wait := time.Until(due)
			if wait <= 0 {
				wait = time.Millisecond // due now: a quick step still goes first
			}
			select {
			case <-last:
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		if err := clock.Sleep(ctx, time.Until(due)); err != nil {
			if !t.isStopped() {
				return fmt.Errorf("faults: timeline stopped at %v: %w", t.offset(), err)
			}
			return nil
		}
		if last == nil && t.BeforeFirst != nil {
			if err := t.BeforeFirst(ctx); err != nil {
				return fmt.Errorf("faults: no fault applied: %w", err)
			}
		}
		done := make(chan struct{})
		t.markStarted(i, revert)
		queues[i] <- func() {
			defer close(done)
			if revert {
				t.revertOne(ctx, i)
			} else {
				t.apply(ctx, i)
			}
		}
		last = done
	}
}

// markStarted notes that fault i's apply (or revert) was handed to its
// worker, so next does not pick it again.
func (t *Timeline) markStarted(i int, revert bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.started[i] = 1
	if revert {
		t.started[i] = 2
	}
}

// RevertAll stops the timeline (no fault is applied any more) and reverts
// every fault still applied, waiting for a step in progress on it to end
// first. Each Revert gets a context detached from ctx's cancellation,
// bounded by RevertTimeout. It is idempotent: a fault is reverted once,
// whoever asks, and a second call reverts nothing and returns nil. It
// returns the errors of the reverts it made. Events are sent as long as Run
// has not returned.
func (t *Timeline) RevertAll(ctx context.Context) error {
	t.mu.Lock()
	t.stopped = true
	if t.cancel != nil {
		t.cancel()
	}
	t.mu.Unlock()
	return t.revertAll(ctx)
}

// Active returns the names of the faults applied and not yet reverted, in
// timeline order.
func (t *Timeline) Active() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, r := range t.recs {
		if r.State == StateActive {
			out = append(out, r.Name)
		}
	}
	return out
}

// Records returns what happened to each fault so far, in timeline order.
func (t *Timeline) Records() []Record {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.recs)
}

func (t *Timeline) isStopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stopped
}

// offset is the time since the run's start.
func (t *Timeline) offset() time.Duration { return time.Since(t.start) }

// next returns the next step due: fault i's apply, or its revert; ok is
// false when there is none left or the timeline is stopped.
func (t *Timeline) next() (i int, revert bool, due time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return 0, false, time.Time{}, false
	}
	for j := range t.recs {
		c := t.faults[j].Base()
		var d time.Time
		switch t.started[j] {
		case 0:
			d = t.start.Add(c.At)
		case 1:
			d = t.start.Add(c.At + c.Duration)
		default:
			continue
		}
		rv := t.started[j] == 1
		// Earliest first; at the same instant reverts first; then in order.
		if !ok || d.Before(due) || (d.Equal(due) && rv && !revert) {
			i, revert, due, ok = j, rv, d, true
		}
	}
	return i, revert, due, ok
}

// apply applies fault i, bounded by ApplyTimeout, unless the timeline was
// stopped meanwhile.
func (t *Timeline) apply(ctx context.Context, i int) {
	t.locks[i].Lock()
	defer t.locks[i].Unlock()
	if t.isStopped() || ctx.Err() != nil {
		return
	}
	timeout := t.ApplyTimeout
	if timeout <= 0 {
		timeout = DefaultApplyTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	f := t.faults[i]
	at := t.offset()
	t.mu.Lock()
	t.recs[i].State, t.recs[i].Applied = StateActive, at
	t.mu.Unlock()
	err := f.Apply(actx, t.target)
	if err != nil {
		if errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("timed out after %v: %w", timeout, err)
		}
		err = fmt.Errorf("fault %q: apply: %w", f.Base().Name, err)
	}
	t.record(Event{Index: i, Name: f.Base().Name, State: StateActive, At: at, Err: err})
}

// revertAll reverts every active fault, latest applied first, and returns
// their errors.
func (t *Timeline) revertAll(ctx context.Context) error {
	t.mu.Lock()
	t.stopped = true
	var active []int
	for i, r := range t.recs {
		if r.State == StateActive || t.started[i] == 1 {
			active = append(active, i) // applied, or being applied
		}
	}
	slices.SortStableFunc(active, func(a, b int) int { return -cmp.Compare(t.recs[a].Applied, t.recs[b].Applied) })
	t.mu.Unlock()
	var errs []error
	for _, i := range active {
		if err := t.revertOne(ctx, i); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// revertOne reverts fault i if it is active, trying again on failure.
func (t *Timeline) revertOne(ctx context.Context, i int) error {
	t.locks[i].Lock()
	defer t.locks[i].Unlock()
	t.mu.Lock()
	active := t.recs[i].State == StateActive
	t.mu.Unlock()
	if !active {
		return nil
	}
	f := t.faults[i]
	var failed []error
	for attempt := 1; attempt <= RevertAttempts; attempt++ {
		err := t.revertOnce(ctx, f)
		if err == nil {
			break
		}
		failed = append(failed, fmt.Errorf("attempt %d: %w", attempt, err))
		if attempt < RevertAttempts {
			_ = clock.Sleep(context.WithoutCancel(ctx), revertBackoff)
		}
	}
	var err error
	note := ""
	switch {
	case len(failed) == RevertAttempts:
		err = fmt.Errorf("fault %q: revert failed %d times: %w", f.Base().Name, len(failed), errors.Join(failed...))
	case len(failed) > 0:
		note = fmt.Sprintf("revert succeeded on attempt %d after: %v", len(failed)+1, errors.Join(failed...))
	}
	t.mu.Lock()
	t.recs[i].Note = note
	t.mu.Unlock()
	t.record(Event{Index: i, Name: f.Base().Name, State: StateReverted, At: t.offset(), Err: err})
	return err
}

// revertOnce makes one attempt at reverting f, bounded by RevertTimeout.
func (t *Timeline) revertOnce(ctx context.Context, f Fault) error {
	timeout := t.RevertTimeout
	if timeout <= 0 {
		timeout = DefaultRevertTimeout
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return f.Revert(rctx, t.target)
}

// record notes ev in the fault's record and sends it.
func (t *Timeline) record(ev Event) {
	t.mu.Lock()
	r := &t.recs[ev.Index]
	r.State = ev.State
	if ev.State == StateReverted {
		r.Reverted = ev.At
	}
	r.Err = errors.Join(r.Err, ev.Err)
	t.mu.Unlock()
	t.send.Lock()
	defer t.send.Unlock()
	t.mu.Lock()
	events := t.events
	t.mu.Unlock()
	if events != nil {
		events <- ev
	}
}
