package testkit

import (
	"testing"
	"time"
)

// Pause between two asks: it starts short, for conditions that hold within
// moments, and grows to at most maxPause, for those that take seconds.
const (
	firstPause = time.Millisecond
	maxPause   = 50 * time.Millisecond
)

// Until calls cond until it returns true. If it has not within d, Until
// fails t with "gave up after d waiting for: what", so what should name
// the awaited state ("the waiter queued"). cond runs on the caller's
// goroutine, so it may call t.Fatal.
func Until(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for pause := firstPause; !cond(); pause = min(2*pause, maxPause) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for: %s", d, what)
			return
		}
		time.Sleep(pause)
	}
}
