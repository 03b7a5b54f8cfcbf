package clock

import (
	"slices"
	"time"
)

// Timer is a call scheduled with AfterFunc; Stop cancels it and reports
// whether it was still pending.
type Timer interface {
	Stop() bool
}

// Scheduler is a Clock that can also call a function once a duration has
// passed on it: the system's clock (time.AfterFunc) or a Manual one (when
// Advance passes the time). Code that must act when time passes, not only
// when it is asked (a breaker's open → half-open), takes one.
type Scheduler interface {
	Clock
	AfterFunc(d time.Duration, f func()) Timer
}

// AfterFunc calls f on its own goroutine once d has passed.
func (System) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// manualTimer is a call pending on a Manual clock.
type manualTimer struct {
	m  *Manual
	at time.Time
	f  func()
}

// Stop cancels the call; false when it already ran or was stopped.
func (t *manualTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	i := slices.Index(t.m.timers, t)
	if i < 0 {
		return false
	}
	t.m.timers = slices.Delete(t.m.timers, i, i+1)
	return true
}

// AfterFunc calls f once Advance has moved the clock d or more past now.
// f runs on the goroutine that calls Advance, after the clock moved, with
// no lock held.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTimer{m: m, at: m.now.Add(d), f: f}
	m.timers = append(m.timers, t)
	return t
}

// Pending is how many AfterFunc calls are waiting (for tests that check a
// timer was stopped).
func (m *Manual) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// due removes and returns the timers due at the clock's time, earliest
// first. m.mu is held.
func (m *Manual) due() []*manualTimer {
	var out, keep []*manualTimer
	for _, t := range m.timers {
		if t.at.After(m.now) {
			keep = append(keep, t)
		} else {
			out = append(out, t)
		}
	}
	m.timers = keep
	slices.SortStableFunc(out, func(a, b *manualTimer) int { return a.at.Compare(b.at) })
	return out
}
