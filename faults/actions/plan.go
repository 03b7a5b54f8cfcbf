package actions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/clock"
)

// DefaultApplyTimeout bounds each Apply when Plan.ApplyTimeout is 0.
const DefaultApplyTimeout = 5 * time.Second

// Record is what happened to one action of a plan.
type Record struct {
	Name    string
	Done    bool          // Apply was called (it may have failed)
	Applied time.Duration // offset from the start Apply was called at
	Err     error
}

// Plan applies actions on schedule: each at start+At, one at a time, in
// time order (at the same instant, in the order written). A failed action
// is recorded and the plan goes on. A Plan runs once; Records is safe to
// call while it runs. It keeps time with time.Now and timers, so tests run
// it in a testing/synctest bubble.
type Plan struct {
	// ApplyTimeout bounds each Apply; default DefaultApplyTimeout.
	ApplyTimeout time.Duration

	actions []Action
	order   []int // indexes of actions, in time order

	mu   sync.Mutex
	recs []Record
}

// NewPlan returns a plan of actions (it does not copy them).
func NewPlan(actions []Action) *Plan {
	p := &Plan{actions: slices.Clone(actions), recs: make([]Record, len(actions))}
	for i, a := range actions {
		p.recs[i].Name = a.Base().Name
		p.order = append(p.order, i)
	}
	slices.SortStableFunc(p.order, func(a, b int) int {
		return cmp.Compare(actions[a].Base().At, actions[b].Base().At)
	})
	return p
}

// Run applies every action on target at its time, offsets counted from
// start (the load's start), and returns once the last is applied or ctx is
// done (then the rest are not applied). Its error joins the actions'
// errors and, when ctx ended first, ctx's error.
func (p *Plan) Run(ctx context.Context, target faults.Target, start time.Time) error {
	var errs []error
	for _, i := range p.order {
		a := p.actions[i]
		if err := clock.Sleep(ctx, time.Until(start.Add(a.Base().At))); err != nil {
			errs = append(errs, fmt.Errorf("actions: plan stopped at %v: %w", time.Since(start).Round(time.Millisecond), err))
			break
		}
		if err := p.apply(ctx, i, target, time.Since(start)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// apply applies action i, called at offset at, and records it.
func (p *Plan) apply(ctx context.Context, i int, target faults.Target, at time.Duration) error {
	timeout := cmp.Or(p.ApplyTimeout, DefaultApplyTimeout)
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	a := p.actions[i]
	err := a.Apply(actx, target)
	if err != nil {
		err = fmt.Errorf("action %q: %w", a.Base().Name, err)
	}
	p.mu.Lock()
	p.recs[i].Done, p.recs[i].Applied, p.recs[i].Err = true, at, err
	p.mu.Unlock()
	return err
}

// Records returns what happened to each action so far, in the order
// written.
func (p *Plan) Records() []Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.recs)
}
