// Package clock holds the time helpers every layer of faultline shares: the
// Clock that policies read the time from (the system's by default, a Manual
// one in tests) and the one context-aware Sleep.
//
// It imports nothing of faultline.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time. Code that decides by time (a breaker's open wait, a
// retry budget's window) reads it from a Clock so that tests can move it by
// hand.
type Clock interface {
	Now() time.Time
}

// Func adapts a function to the Clock interface.
type Func func() time.Time

// Now returns f().
func (f Func) Now() time.Time { return f() }

// System is the machine's clock: time.Now.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Manual is a clock that only moves when told to, for tests. It is safe for
// concurrent use.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer // pending AfterFunc calls
}

// NewManual returns a manual clock set to now.
func NewManual(now time.Time) *Manual { return &Manual{now: now} }

// Now returns the clock's time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Advance moves the clock by d (backwards if d < 0), then runs the
// AfterFunc calls that came due, earliest first.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	due := m.due()
	m.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

// Sleep waits for d, or until ctx is done, when it returns ctx's error. A
// d <= 0 does not wait: it returns ctx's error, if any.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
