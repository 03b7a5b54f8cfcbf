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

// DefaultRevertTimeout bounds each Revert when Timeline.RevertTimeout is 0.
const DefaultRevertTimeout = 10 * time.Second

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
	Err      error         // Apply's and Revert's errors, joined
}

// Timeline applies faults on schedule and always reverts them. Each fault
// is applied at start+At and reverted at start+At+Duration (an instant
// fault, Duration 0, is "reverted" right after it is applied).
//
// Steps run one at a time, in time order (at the same instant, reverts
// before applies, then in the order of the faults), so a slow step delays
// the next ones; Records and Events carry the actual times. A failed step is
// recorded and the timeline goes on; a fault whose Apply failed is still
// reverted, at its planned time.
//
// A Timeline runs once. Its methods are safe for concurrent use. It keeps
// time with time.Now and timers, so tests run it in a testing/synctest
// bubble, where both are exact and instant.
type Timeline struct {
	// RevertTimeout bounds each Revert; default DefaultRevertTimeout.
	// Reverts run on a context detached from the run's cancellation, so
	// they work after Ctrl-C.
	RevertTimeout time.Duration
	// BeforeFirst, when set, is called when the first fault is due, before
	// it is applied; an error stops the timeline there: no fault is applied
	// and Run returns the error (a steady-state check).
	BeforeFirst func(ctx context.Context) error

	faults []Fault

	// step is held while a fault is applied or reverted, and while an event
	// is sent or the events channel closed.
	step sync.Mutex

	mu      sync.Mutex // guards the fields below
	recs    []Record
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
	t := &Timeline{faults: slices.Clone(faults), recs: make([]Record, len(faults))}
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

	var errs []error
	first := true
	for {
		i, revert, due, ok := t.next()
		if !ok {
			break
		}
		if err := clock.Sleep(ctx, time.Until(due)); err != nil {
			if !t.isStopped() {
				errs = append(errs, fmt.Errorf("faults: timeline stopped at %v: %w", t.offset(), err))
			}
			break
		}
		if first && t.BeforeFirst != nil {
			if err := t.BeforeFirst(ctx); err != nil {
				errs = append(errs, fmt.Errorf("faults: no fault applied: %w", err))
				break
			}
		}
		first = false
		t.do(ctx, i, revert)
	}
	t.revertAll(ctx)

	t.step.Lock()
	t.mu.Lock()
	if t.events != nil {
		close(t.events)
		t.events = nil
	}
	for _, r := range t.recs {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	t.mu.Unlock()
	t.step.Unlock()
	return errors.Join(errs...)
}

// RevertAll stops the timeline (no fault is applied any more) and reverts
// every fault still applied, waiting for a step in progress to end first.
// Each Revert gets a context detached from ctx's cancellation, bounded by
// RevertTimeout. It is idempotent: a fault is reverted once, whoever asks,
// and a second call reverts nothing and returns nil. It returns the errors
// of the reverts it made. Events are sent as long as Run has not returned.
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
	for j, r := range t.recs {
		c := t.faults[j].Base()
		var d time.Time
		switch r.State {
		case StatePending:
			d = t.start.Add(c.At)
		case StateActive:
			d = t.start.Add(c.At + c.Duration)
		default:
			continue
		}
		rv := r.State == StateActive
		// Earliest first; at the same instant reverts first; then in order.
		if !ok || d.Before(due) || (d.Equal(due) && rv && !revert) {
			i, revert, due, ok = j, rv, d, true
		}
	}
	return i, revert, due, ok
}

// do runs one step, unless the timeline was stopped meanwhile.
func (t *Timeline) do(ctx context.Context, i int, revert bool) {
	t.step.Lock()
	defer t.step.Unlock()
	if t.isStopped() {
		return
	}
	if revert {
		t.revert(ctx, i)
		return
	}
	f := t.faults[i]
	at := t.offset()
	t.mu.Lock()
	t.recs[i].State, t.recs[i].Applied = StateActive, at
	t.mu.Unlock()
	err := f.Apply(ctx, t.target)
	if err != nil {
		err = fmt.Errorf("fault %q: apply: %w", f.Base().Name, err)
	}
	t.record(Event{Index: i, Name: f.Base().Name, State: StateActive, At: at, Err: err})
}

// revertAll reverts every active fault, latest applied first, and returns
// their errors.
func (t *Timeline) revertAll(ctx context.Context) error {
	t.step.Lock()
	defer t.step.Unlock()
	t.mu.Lock()
	t.stopped = true
	var active []int
	for i, r := range t.recs {
		if r.State == StateActive {
			active = append(active, i)
		}
	}
	slices.SortStableFunc(active, func(a, b int) int { return -cmp.Compare(t.recs[a].Applied, t.recs[b].Applied) })
	t.mu.Unlock()
	var errs []error
	for _, i := range active {
		if err := t.revert(ctx, i); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// revert reverts fault i; t.step must be held.
func (t *Timeline) revert(ctx context.Context, i int) error {
	timeout := t.RevertTimeout
	if timeout <= 0 {
		timeout = DefaultRevertTimeout
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	f := t.faults[i]
	err := f.Revert(rctx, t.target)
	if err != nil {
		err = fmt.Errorf("fault %q: revert: %w", f.Base().Name, err)
	}
	t.record(Event{Index: i, Name: f.Base().Name, State: StateReverted, At: t.offset(), Err: err})
	return err
}

// record notes ev in the fault's record and sends it; t.step must be held.
func (t *Timeline) record(ev Event) {
	t.mu.Lock()
	r := &t.recs[ev.Index]
	r.State = ev.State
	if ev.State == StateReverted {
		r.Reverted = ev.At
	}
	r.Err = errors.Join(r.Err, ev.Err)
	events := t.events
	t.mu.Unlock()
	if events != nil {
		events <- ev
	}
}
