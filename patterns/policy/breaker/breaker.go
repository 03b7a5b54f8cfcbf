// Package breaker is faultline's reference circuit breaker: one small,
// documented state machine that callers put in front of a dependency.
//
// It is modelled on sony/gobreaker (a single mutex-guarded state machine with
// a generation counter) and follows resilience4j's semantics (a count- or
// time-based sliding window, a minimum number of calls, failure and slow-call
// ratios, a bounded number of half-open probes).
//
// The state machine:
//
//	             window holds >= MinCalls calls and
//	             failure ratio >= FailureRatio, or slow ratio >= SlowRatio
//	+--------+ ---------------------------------------------------> +------+
//	| Closed |                                                      | Open |
//	+--------+ <-------------+                        +-----------> +------+
//	                         |                        |                |
//	      the probes pass                     the probes fail          | OpenWait elapsed
//	      (the window starts empty)           (HalfOpenRule)           | (a timer, and
//	                         |                        |                |  Allow, State, Counts)
//	                         |       +----------+     |                |
//	                         +------ | HalfOpen | ----+                |
//	                                 +----------+ <--------------------+
//
// Closed permits every call and records each outcome in the sliding window.
// Open rejects every call with ErrOpen; once OpenWait has passed, a timer
// moves it to HalfOpen (so the state gauge shows half-open on time, with no
// call arriving), when the clock can schedule (clock.Scheduler: the system's
// and Manual can); Allow, State and Counts also check it. HalfOpen grants at
// most HalfOpenCalls probe permits and rejects the rest with ErrOpen; what
// the probes decide follows Config.HalfOpenRule: with FirstFailure (gobreaker,
// Polly) the breaker closes when that many probes succeeded and opens again
// as soon as one fails (or is slow, when slow-call detection is on); with
// Ratios (resilience4j) it waits for every probe, then opens when their
// failure or slow ratio reaches its threshold and closes otherwise. Close
// stops the timer.
//
// Every state transition increments the breaker's generation. A Permit carries
// the generation it was granted in, and a result reported on a permit from an
// older generation is counted but otherwise ignored: a call that started
// before a transition never flips the newer state. Sliding the window does not
// change the generation; a result lands in the window as of when it is
// reported.
//
// Usage:
//
//	p, err := b.Allow()
//	if err != nil {
//		return fallback() // errors.Is(err, breaker.ErrOpen)
//	}
//	start := time.Now()
//	resp, err := call()
//	p.Done(err == nil && resp.StatusCode < 500, time.Since(start))
//
// It is a policy (patterns/policy): a leaf library, with no HTTP and no
// metrics library and, of faultline, only its internal packages. Callers
// export metrics through an Observer or by reading Counts (see
// breakerprom).
//
// It must not import patterns, faults, scenarios, reports, testbeds, cmd or github.com/prometheus/client_golang.
package breaker

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns/policy/internal/window"
)

// State is the state of a Breaker. Its numeric values are stable (they are
// exported as a gauge): Closed is 0, Open is 1, HalfOpen is 2.
type State int

// The states of a Breaker.
const (
	Closed   State = 0
	Open     State = 1
	HalfOpen State = 2
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// ErrOpen is returned by Allow when the breaker rejects a call: it is open,
// or it is half-open and every probe permit is taken.
var ErrOpen = errors.New("breaker: circuit open")

// Observer receives the breaker's events, for metrics. All methods are called
// synchronously and must be cheap. OnStateChange is called with the breaker's
// lock held, in transition order, and must not call the Breaker's methods;
// the others are called after the lock is released.
type Observer interface {
	// OnStateChange is called on every transition.
	OnStateChange(from, to State)
	// OnPermit is called when Allow grants a permit in state s (Closed, or
	// HalfOpen for a probe).
	OnPermit(s State)
	// OnReject is called when Allow returns ErrOpen in state s (Open, or
	// HalfOpen with every probe permit taken).
	OnReject(s State)
	// OnResult is called for every result reported with Permit.Done, stale
	// ones included (the call happened; the breaker only ignores its effect).
	OnResult(success, slow bool)
}

// Option customises a Breaker.
type Option func(*Breaker)

// WithClock makes the breaker read the time from c instead of time.Now
// (tests pass a clock.Manual). A nil c is ignored.
func WithClock(c clock.Clock) Option {
	return func(b *Breaker) {
		if c != nil {
			b.clock = c
		}
	}
}

// WithObserver sends the breaker's events to o. A nil o is ignored.
func WithObserver(o Observer) Option {
	return func(b *Breaker) {
		if o != nil {
			b.obs = o
		}
	}
}

// WithOnStateChange calls f on every transition, with the same contract as
// Observer.OnStateChange (lock held; must not call the Breaker).
func WithOnStateChange(f func(from, to State)) Option {
	return func(b *Breaker) { b.onChange = f }
}

// Counts is a snapshot of a breaker's counters.
type Counts struct {
	// Generation increments on every state transition; it starts at 1.
	Generation uint64

	// Totals since New; they never reset.
	Requests  uint64 // permits granted by Allow
	Rejected  uint64 // Allow calls refused with ErrOpen
	Successes uint64 // results reported as successful (slow ones included)
	Failures  uint64 // results reported as failed
	Slow      uint64 // results slower than Config.SlowCall (a subset of the two above)
	Stale     uint64 // results ignored because their permit predates the current generation
	Released  uint64 // permits given back with Permit.Release

	// Since the current state was entered (results of the current generation).
	ConsecutiveSuccesses int
	ConsecutiveFailures  int

	// The sliding window the trip decision is made on. It is only filled in
	// the closed state (and emptied on every transition).
	WindowCalls    int
	WindowFailures int
	WindowSlow     int

	// Probes is the number of probe permits granted (and not released) in the
	// current half-open state; 0 in the other states.
	Probes int
}

// Breaker is a circuit breaker. It is safe for concurrent use. Create one
// with New.
type Breaker struct {
	// Immutable after New.
	clock         clock.Clock
	obs           Observer
	onChange      func(from, to State)
	timed         bool // time-based window: results need the clock
	minCalls      int
	failureRatio  float64
	slowCall      time.Duration
	slowRatio     float64
	openWait      time.Duration
	halfOpenCalls int
	ratios        bool            // HalfOpenRule is Ratios
	sched         clock.Scheduler // nil: open → half-open only when asked

	mu        sync.Mutex
	state     State
	gen       uint64
	openUntil time.Time // when Open may become HalfOpen
	probes    int       // HalfOpen: probe permits granted and not released
	probeOK   int       // HalfOpen: successful probes
	probeBad  int       // HalfOpen: failed probes
	probeSlow int       // HalfOpen: slow probes
	timer     clock.Timer
	closed    bool // Close was called: no more timers
	consecOK  int
	consecBad int
	n         Counts // lifetime totals (the other fields are filled by Counts)
	win       callWindow
}

// New returns a closed breaker, or an error if cfg is invalid.
func New(cfg Config, opts ...Option) (*Breaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("breaker: invalid config: %w", err)
	}
	b := &Breaker{
		clock:         clock.System{},
		timed:         cfg.Window == TimeWindow,
		minCalls:      cfg.MinCalls,
		failureRatio:  cfg.FailureRatio,
		slowCall:      cfg.SlowCall,
		slowRatio:     cfg.SlowRatio,
		openWait:      cfg.OpenWait,
		halfOpenCalls: cfg.HalfOpenCalls,
		ratios:        cfg.HalfOpenRule == Ratios,
		state:         Closed,
		gen:           1,
	}
	for _, o := range opts {
		o(b)
	}
	b.sched, _ = b.clock.(clock.Scheduler)
	if b.timed {
		b.win.timed = window.New(cfg.Period, b.clock.Now())
	} else {
		b.win.ring = make([]uint8, cfg.Size)
	}
	return b, nil
}

// Permit is the right to make one call, granted by Allow. Report the call's
// outcome with exactly one Done, or give the permit back with Release. The
// zero Permit (returned with ErrOpen) does nothing.
type Permit struct {
	b   *Breaker
	gen uint64
}

// Allow asks to make a call. It returns a permit, or ErrOpen when the breaker
// is open or half-open with all HalfOpenCalls probe permits taken. It moves an
// open breaker to half-open once OpenWait has elapsed.
func (b *Breaker) Allow() (Permit, error) {
	b.mu.Lock()
	if b.state == Closed { // the hot path
		b.n.Requests++
		gen := b.gen
		b.mu.Unlock()
		if b.obs != nil {
			b.obs.OnPermit(Closed)
		}
		return Permit{b: b, gen: gen}, nil
	}
	if b.state == Open {
		b.maybeHalfOpen(b.clock.Now())
	}
	s := b.state
	if s == HalfOpen && b.probes < b.halfOpenCalls {
		b.probes++
		b.n.Requests++
		gen := b.gen
		b.mu.Unlock()
		if b.obs != nil {
			b.obs.OnPermit(s)
		}
		return Permit{b: b, gen: gen}, nil
	}
	b.n.Rejected++
	b.mu.Unlock()
	if b.obs != nil {
		b.obs.OnReject(s)
	}
	return Permit{}, ErrOpen
}

// Done reports the outcome of the permitted call: whether it succeeded and how
// long it took (a call longer than Config.SlowCall is slow). Outcomes of stale
// permits (granted before the latest transition) are counted in Counts but do
// not affect the state.
func (p Permit) Done(success bool, d time.Duration) {
	b := p.b
	if b == nil {
		return
	}
	slow := b.slowCall > 0 && d > b.slowCall
	var now time.Time
	if b.timed {
		now = b.clock.Now()
	}
	b.mu.Lock()
	b.record(p.gen, success, slow, now)
	b.mu.Unlock()
	if b.obs != nil {
		b.obs.OnResult(success, slow)
	}
}

// Release gives the permit back without an outcome, for calls that say
// nothing about the dependency (the caller gave up, its context was
// cancelled). In the half-open state it frees the probe slot.
func (p Permit) Release() {
	b := p.b
	if b == nil {
		return
	}
	b.mu.Lock()
	b.n.Released++
	if p.gen == b.gen && b.state == HalfOpen && b.probes > 0 {
		b.probes--
	}
	b.mu.Unlock()
}

// State returns the current state, moving an open breaker to half-open once
// OpenWait has elapsed.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open {
		b.maybeHalfOpen(b.clock.Now())
	}
	return b.state
}

// Counts returns a snapshot of the breaker's counters as of now.
func (b *Breaker) Counts() Counts {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Open:
		b.maybeHalfOpen(b.clock.Now())
	case Closed:
		if b.timed {
			b.win.slide(b.clock.Now())
		}
	}
	c := b.n
	c.Generation = b.gen
	c.ConsecutiveSuccesses = b.consecOK
	c.ConsecutiveFailures = b.consecBad
	c.WindowCalls = b.win.total(slotCalls)
	c.WindowFailures = b.win.total(slotFailures)
	c.WindowSlow = b.win.total(slotSlow)
	if b.state == HalfOpen {
		c.Probes = b.probes
	}
	return c
}

// record applies one result. now is zero for count windows (the clock is
// read lazily, only on a transition). b.mu is held.
func (b *Breaker) record(gen uint64, success, slow bool, now time.Time) {
	if success {
		b.n.Successes++
	} else {
		b.n.Failures++
	}
	if slow {
		b.n.Slow++
	}
	if gen != b.gen {
		b.n.Stale++
		return
	}
	if success {
		b.consecOK++
		b.consecBad = 0
	} else {
		b.consecBad++
		b.consecOK = 0
	}
	switch b.state {
	case Closed:
		w := &b.win
		w.add(now, !success, slow)
		if calls := w.total(slotCalls); calls >= b.minCalls &&
			(ratio(w.total(slotFailures), calls) >= b.failureRatio ||
				b.slowCall > 0 && ratio(w.total(slotSlow), calls) >= b.slowRatio) {
			b.setState(Open, now)
		}
	case HalfOpen:
		b.probe(success, slow, now)
	}
	// Open grants no permits, so no result carries an Open generation.
}

// ratio divides rather than multiplies so that, e.g., 3 of 10 meets a 0.3
// threshold exactly (3.0/10 and 0.3 are the same float64).
func ratio(k, n int) float64 { return float64(k) / float64(n) }

// maybeHalfOpen moves Open to HalfOpen once OpenWait has elapsed. b.mu is held.
func (b *Breaker) maybeHalfOpen(now time.Time) {
	if !now.Before(b.openUntil) {
		b.setState(HalfOpen, now)
	}
}

// setState performs a transition and starts a new generation. b.mu is held.
func (b *Breaker) setState(to State, now time.Time) {
	if now.IsZero() {
		now = b.clock.Now()
	}
	from := b.state
	b.state = to
	b.gen++
	b.consecOK, b.consecBad = 0, 0
	b.probes, b.probeOK, b.probeBad, b.probeSlow = 0, 0, 0, 0
	b.win.reset(now)
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if to == Open {
		b.openUntil = now.Add(b.openWait)
		b.schedule()
	}
	if b.onChange != nil {
		b.onChange(from, to)
	}
	if b.obs != nil {
		b.obs.OnStateChange(from, to)
	}
}
