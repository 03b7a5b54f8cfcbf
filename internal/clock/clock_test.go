package clock

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestSleep runs in a synctest bubble, where time only moves when every
// goroutine waits, so the time a Sleep took is exact.
func TestSleep(t *testing.T) {
	tests := []struct {
		name     string
		d        time.Duration
		cancelAt time.Duration // cancel the context this long after the start; 0: never
		want     error
		took     time.Duration
	}{
		{"waits", 20 * time.Millisecond, 0, nil, 20 * time.Millisecond},
		{"zero does not wait", 0, 0, nil, 0},
		{"negative does not wait", -time.Second, 0, nil, 0},
		{"a done context ends the wait", time.Hour, time.Second, context.Canceled, time.Second},
		{"a context done before the sleep", time.Hour, -1, context.Canceled, 0},
		{"zero on a done context", 0, -1, context.Canceled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				switch {
				case tt.cancelAt < 0:
					cancel()
				case tt.cancelAt > 0:
					time.AfterFunc(tt.cancelAt, cancel)
				}
				start := time.Now()
				err := Sleep(ctx, tt.d)
				if !errors.Is(err, tt.want) || err != nil && tt.want == nil {
					t.Errorf("Sleep = %v, want %v", err, tt.want)
				}
				if took := time.Since(start); took != tt.took {
					t.Errorf("took %v, want %v", took, tt.took)
				}
			})
		})
	}
}

func TestClocks(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewManual(at)
	tests := []struct {
		name  string
		clock Clock
		move  func()
		want  time.Time
	}{
		{"manual", m, func() {}, at},
		{"manual advanced", m, func() { m.Advance(90 * time.Second) }, at.Add(90 * time.Second)},
		{"manual moved back", m, func() { m.Advance(-time.Minute) }, at.Add(30 * time.Second)},
		{"func", Func(func() time.Time { return at }), func() {}, at},
	}
	for _, tt := range tests {
		tt.move()
		if got := tt.clock.Now(); !got.Equal(tt.want) {
			t.Errorf("%s: Now() = %v, want %v", tt.name, got, tt.want)
		}
	}
	synctest.Test(t, func(t *testing.T) { // the bubble's fake time is time.Now's
		if got, want := (System{}).Now(), time.Now(); !got.Equal(want) {
			t.Errorf("System.Now() = %v, want %v", got, want)
		}
	})
}
