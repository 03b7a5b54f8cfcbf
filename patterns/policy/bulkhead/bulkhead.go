// Package bulkhead is faultline's reference bulkhead: a bound on how many
// calls to one dependency may be in flight at once, with a bounded wait for
// a free slot, so that a slow dependency ties up at most its own share of
// the caller's resources instead of all of them.
//
// It follows resilience4j's semaphore bulkhead (MaxConcurrent calls, a
// MaxWait for a slot, rejection when neither is available) and
// failsafe-go's bulkhead policy. A caller usually keeps one Bulkhead per
// dependency and answers a fallback when it rejects a call.
//
// Usage:
//
//	p, err := b.Acquire(ctx)
//	if err != nil {
//		return fallback() // errors.Is(err, bulkhead.ErrFull), or ctx's error
//	}
//	defer p.Release()
//	return call(ctx)
//
// The number of slots in use and the number of waiters share one atomic
// word: a call that finds a free slot and nobody waiting takes it and gives
// it back with one atomic add each, without a lock or an allocation. Calls
// that find every slot taken wait in a FIFO queue, under a mutex, for at
// most MaxWait (reusing pooled waiters and timers, so waiting allocates
// nothing either); a released slot is handed straight to the oldest waiter.
// A call arriving while others wait queues behind them, so waiters are not
// overtaken (except by a call racing with the first waiter's arrival).
//
// It is a policy (patterns/policy): a leaf library, with no HTTP and no
// metrics library and, of faultline, only its internal packages. Callers
// export metrics through an Observer or by reading Counts.
//
// It must not import patterns, faults, scenarios, reports, testbeds, cmd or github.com/prometheus/client_golang.
package bulkhead

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// ErrFull is returned by Acquire when every slot is taken and none was
// freed within MaxWait (at once when MaxWait is 0).
var ErrFull = errors.New("bulkhead: full")

// Observer receives the bulkhead's events, for metrics. All methods are
// called synchronously, without the bulkhead's lock held, and must be cheap.
type Observer interface {
	// OnAcquire is called when a call gets a slot, after waiting waited
	// (0 when a slot was free).
	OnAcquire(waited time.Duration)
	// OnRelease is called when a slot is given back.
	OnRelease()
	// OnWait is called when a call starts waiting for a slot.
	OnWait()
	// OnReject is called when Acquire fails: err is ErrFull, or the
	// context's error when the caller gave up first.
	OnReject(err error)
}

// Option customises a Bulkhead.
type Option func(*Bulkhead)

// WithObserver sends the bulkhead's events to o. A nil o is ignored.
func WithObserver(o Observer) Option {
	return func(b *Bulkhead) {
		if o != nil {
			b.obs = o
		}
	}
}

// Counts is a snapshot of a bulkhead's occupancy and counters.
type Counts struct {
	InUse   int // slots taken now
	Waiting int // calls waiting for a slot now
	// Totals since New; they never reset.
	Waited   uint64 // calls that had to wait (whatever came of it)
	Rejected uint64 // calls refused with ErrFull
	Canceled uint64 // calls whose context ended before they got a slot
}

// Bulkhead bounds concurrent calls. It is safe for concurrent use. Create
// one with New.
type Bulkhead struct {
	// Immutable after New.
	max     int64
	maxWait time.Duration
	obs     Observer

	// state packs the slots in use (low 32 bits; it may exceed max for an
	// instant, see tryAcquire) and the queue's length (high 32 bits), so
	// one atomic add both takes a slot and sees whether others wait. It
	// has a cache line of its own: every call writes it, and the fields
	// read on every call (max, obs) must not be invalidated with it.
	_     [64]byte
	state atomic.Uint64
	_     [56]byte

	waited, rejected, canceled atomic.Uint64

	mu         sync.Mutex // guards the queue
	head, tail *waiter

	pool sync.Pool // of *waiter, so waiting allocates nothing either
}

// waiter is one queued call.
type waiter struct {
	ready      chan struct{} // receives a value when a slot is handed over
	timer      *time.Timer
	prev, next *waiter
	queued     bool
}

// New returns a bulkhead with every slot free, or an error if cfg is
// invalid.
func New(cfg Config, opts ...Option) (*Bulkhead, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bulkhead: invalid config: %w", err)
	}
	b := &Bulkhead{max: int64(cfg.MaxConcurrent), maxWait: cfg.MaxWait}
	for _, o := range opts {
		o(b)
	}
	return b, nil
}

// Permit is a slot taken by Acquire. Give it back with exactly one Release:
// a second Release of a copy frees a slot another call holds (it is only
// ignored when no slot is taken). The zero Permit (returned with an error)
// does nothing.
type Permit struct {
	b *Bulkhead
}

// Release gives the slot back, handing it to the oldest waiter if any.
func (p Permit) Release() {
	b := p.b
	if b == nil {
		return
	}
	if s := b.state.Add(minusSlot); s >= oneWaiter || uint32(s) == math.MaxUint32 {
		b.afterPut(s) // put, spelled out: it does not inline
	}
	if b.obs != nil {
		b.obs.OnRelease()
	}
}

// Acquire takes a slot, waiting at most MaxWait for one when all are taken.
// It returns ErrFull when none came free in time, and ctx's error when ctx
// is done first (or already was).
func (b *Bulkhead) Acquire(ctx context.Context) (Permit, error) {
	if done := ctx.Done(); done != nil {
		select {
		case <-done:
			return Permit{}, b.reject(ctx.Err())
		default:
		}
	}
	if b.tryAcquire() {
		if b.obs != nil {
			b.obs.OnAcquire(0)
		}
		return Permit{b: b}, nil
	}
	if b.maxWait <= 0 {
		return Permit{}, b.reject(ErrFull)
	}
	return b.wait(ctx)
}

// TryAcquire takes a slot if one is free and nobody waits for one, and
// returns ErrFull otherwise. It never waits.
func (b *Bulkhead) TryAcquire() (Permit, error) {
	if b.tryAcquire() {
		if b.obs != nil {
			b.obs.OnAcquire(0)
		}
		return Permit{b: b}, nil
	}
	return Permit{}, b.reject(ErrFull)
}

// MaxConcurrent returns the number of slots (Config.MaxConcurrent).
func (b *Bulkhead) MaxConcurrent() int { return int(b.max) }

// InUse returns the number of slots taken now.
func (b *Bulkhead) InUse() int { return int(min(int64(uint32(b.state.Load())), b.max)) }

// Waiting returns the number of calls waiting for a slot now.
func (b *Bulkhead) Waiting() int { return int(b.state.Load() >> 32) }

// Counts returns a snapshot of the bulkhead's occupancy and counters. The
// totals are read one by one, so under load they may be a little apart.
func (b *Bulkhead) Counts() Counts {
	s := b.state.Load()
	return Counts{
		InUse:    int(min(int64(uint32(s)), b.max)),
		Waiting:  int(s >> 32),
		Waited:   b.waited.Load(),
		Rejected: b.rejected.Load(),
		Canceled: b.canceled.Load(),
	}
}

// State words.
const (
	oneSlot     = 1       // one slot in use
	oneWaiter   = 1 << 32 // one call waiting
	minusSlot   = ^uint64(oneSlot - 1)
	minusWaiter = ^uint64(oneWaiter - 1)
)

// tryAcquire is the hot path: one atomic add takes a slot and tells whether
// it was free and nobody waited. A call that lost the race for the last
// slot, or to a waiter that just queued, gives its add back through put, which hands the slot on
// if a waiter queued meanwhile, so no wake-up is lost.
func (b *Bulkhead) tryAcquire() bool {
	if s := b.state.Load(); int64(uint32(s)) >= b.max || s >= oneWaiter {
		return false // a cheap no while full: rejections come in storms
	}
	s := b.state.Add(oneSlot)
	if int64(uint32(s)) <= b.max && s < oneWaiter {
		return true
	}
	b.put()
	return false
}

// put frees a slot and, when calls wait, hands free slots to the oldest.
// Slots and waiters share a word, so a waiter queued before the add is
// seen by it, and one queued after it sees the freed slot.
func (b *Bulkhead) put() {
	if s := b.state.Add(minusSlot); s >= oneWaiter || uint32(s) == math.MaxUint32 {
		b.afterPut(s)
	}
}

// afterPut wakes waiters, or undoes the release of a slot that was not
// taken (a Permit released twice), which would otherwise borrow from the
// waiter count.
func (b *Bulkhead) afterPut(s uint64) {
	if uint32(s) == math.MaxUint32 {
		b.state.Add(oneSlot)
		return
	}
	b.mu.Lock()
	b.handOff()
	b.mu.Unlock()
}

// handOff gives free slots to waiters, oldest first, each with one
// compare-and-swap that takes the slot and dequeues the waiter. b.mu is
// held.
func (b *Bulkhead) handOff() {
	for b.head != nil {
		s := b.state.Load()
		if int64(uint32(s)) >= b.max {
			return
		}
		if !b.state.CompareAndSwap(s, s+oneSlot-oneWaiter) {
			continue
		}
		w := b.head
		b.remove(w)
		w.ready <- struct{}{} // buffered: never blocks
	}
}

// wait queues the call until a slot is handed to it, MaxWait passes or ctx
// is done.
func (b *Bulkhead) wait(ctx context.Context) (Permit, error) {
	w, _ := b.pool.Get().(*waiter)
	if w == nil {
		w = &waiter{ready: make(chan struct{}, 1), timer: time.NewTimer(b.maxWait)}
	} else {
		w.timer.Reset(b.maxWait)
	}
	start := time.Now()
	b.waited.Add(1)
	if b.obs != nil {
		b.obs.OnWait()
	}

	b.mu.Lock()
	b.link(w)
	b.handOff() // a slot may have been freed before we queued
	b.mu.Unlock()

	var err error
	select {
	case <-w.ready:
	case <-w.timer.C:
		err = ErrFull
	case <-ctx.Done():
		err = ctx.Err()
	}
	w.timer.Stop()
	if err != nil {
		b.mu.Lock()
		queued := w.queued
		if queued {
			b.remove(w)
			b.state.Add(minusWaiter)
		}
		b.mu.Unlock()
		if queued {
			b.pool.Put(w)
			return Permit{}, b.reject(err)
		}
		// A slot was handed over as we gave up: take it, unless the
		// caller is gone, then pass it on.
		<-w.ready
		if !errors.Is(err, ErrFull) {
			b.pool.Put(w)
			b.put()
			return Permit{}, b.reject(err)
		}
	}
	b.pool.Put(w)
	if b.obs != nil {
		b.obs.OnAcquire(time.Since(start))
	}
	return Permit{b: b}, nil
}

// reject counts a refused call and returns err.
func (b *Bulkhead) reject(err error) error {
	if err == ErrFull { // our sentinel, never wrapped here
		b.rejected.Add(1)
	} else {
		b.canceled.Add(1)
	}
	if b.obs != nil {
		b.obs.OnReject(err)
	}
	return err
}

// link appends w to the queue and counts it. b.mu is held.
func (b *Bulkhead) link(w *waiter) {
	w.prev, w.next, w.queued = b.tail, nil, true
	if b.tail != nil {
		b.tail.next = w
	} else {
		b.head = w
	}
	b.tail = w
	b.state.Add(oneWaiter)
}

// remove takes w out of the queue; the caller uncounts it. b.mu is held.
func (b *Bulkhead) remove(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		b.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		b.tail = w.prev
	}
	w.prev, w.next, w.queued = nil, nil, false
}
