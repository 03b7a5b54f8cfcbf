package testkit

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// fakeT records a failure instead of ending the test.
type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
}

func TestUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ready atomic.Bool
		go func() {
			time.Sleep(300 * time.Millisecond)
			ready.Store(true)
		}()
		start := time.Now()
		ft := &fakeT{TB: t}
		Until(ft, time.Second, "ready", ready.Load)
		if ft.failed != "" {
			t.Errorf("Until failed: %s", ft.failed)
		}
		if took := time.Since(start); took < 300*time.Millisecond || took > 300*time.Millisecond+maxPause {
			t.Errorf("Until returned after %v, want within %v of the condition holding at 300ms", took, maxPause)
		}
	})
}

func TestUntilGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		start := time.Now()
		ft := &fakeT{TB: t}
		Until(ft, time.Second, "the waiter queued", func() bool { calls++; return false })
		if want := "gave up after 1s waiting for: the waiter queued"; !strings.Contains(ft.failed, want) {
			t.Errorf("failure %q, want %q", ft.failed, want)
		}
		if took := time.Since(start); took < time.Second || took > time.Second+maxPause {
			t.Errorf("gave up after %v, want 1s", took)
		}
		if calls < 10 {
			t.Errorf("asked %d times in a second", calls)
		}
	})
}

func TestUntilAtOnce(t *testing.T) {
	calls := 0
	Until(t, 0, "nothing", func() bool { calls++; return true })
	if calls != 1 {
		t.Errorf("a condition that holds was asked %d times, want 1", calls)
	}
}
