package window

import (
	"testing"
	"time"
)

// TestTime plays steps on a 10s window: each step happens at an offset from
// the window's start, adds counts (or resets the window) and checks the
// window's totals.
func TestTime(t *testing.T) {
	type step struct {
		at    time.Duration
		add   Counts
		reset bool
		want  Counts
	}
	s := time.Second
	tests := []struct {
		name  string
		steps []step
	}{
		{"empty", []step{{at: 0, want: Counts{}}}},
		{"adds up", []step{
			{at: 0, add: Counts{1, 1, 0}, want: Counts{1, 1, 0}},
			{at: 1 * s, add: Counts{1, 0, 1}, want: Counts{2, 1, 1}},
			{at: 9 * s, add: Counts{3, 2, 1}, want: Counts{5, 3, 2}},
		}},
		{"a count falls out when its bucket is Buckets behind", []step{
			{at: 0, add: Counts{1}, want: Counts{1}},
			{at: 10*s - 1, want: Counts{1}},
			{at: 10 * s, want: Counts{}},
		}},
		{"a count lives 9 to 10 buckets' time", []step{
			{at: 1500 * time.Millisecond, add: Counts{1}, want: Counts{1}}, // bucket 1
			{at: 11*s - 1, want: Counts{1}},
			{at: 11 * s, want: Counts{}}, // 9.5s after it was added
		}},
		{"buckets fall out one by one", []step{
			{at: 0, add: Counts{1}, want: Counts{1}},
			{at: 1 * s, add: Counts{2}, want: Counts{3}},
			{at: 2 * s, add: Counts{4}, want: Counts{7}},
			{at: 10 * s, want: Counts{6}},
			{at: 11 * s, want: Counts{4}},
			{at: 12 * s, want: Counts{}},
		}},
		{"adding after a slide", []step{
			{at: 0, add: Counts{1, 1}, want: Counts{1, 1}},
			{at: 15 * s, add: Counts{1}, want: Counts{1}},
			{at: 24 * s, want: Counts{1}},
			{at: 25 * s, want: Counts{}},
		}},
		{"a long idle spell empties the window", []step{
			{at: 0, add: Counts{5, 5, 5}, want: Counts{5, 5, 5}},
			{at: 3 * s, add: Counts{1}, want: Counts{6, 5, 5}},
			{at: time.Hour, add: Counts{0, 1}, want: Counts{0, 1}},
		}},
		{"a time before the newest bucket counts as the newest", []step{
			{at: 5 * s, add: Counts{1}, want: Counts{1}},
			{at: 1 * s, add: Counts{1}, want: Counts{2}}, // lands in bucket 5
			{at: 14*s + 999*time.Millisecond, want: Counts{2}},
			{at: 15 * s, want: Counts{}},
		}},
		{"reset restarts the buckets at now", []step{
			{at: 0, add: Counts{3}, want: Counts{3}},
			{at: 2500 * time.Millisecond, reset: true, want: Counts{}},
			{at: 2500 * time.Millisecond, add: Counts{1}, want: Counts{1}},
			{at: 12500*time.Millisecond - 1, want: Counts{1}},
			{at: 12500 * time.Millisecond, want: Counts{}},
		}},
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(10*time.Second, start)
			for i, st := range tt.steps {
				now := start.Add(st.at)
				switch {
				case st.reset:
					w.Reset(now)
				case st.add != Counts{}:
					w.Add(now, st.add)
				default:
					w.Slide(now)
				}
				if got := totals(&w); got != st.want {
					t.Errorf("step %d (at %v): totals %v, want %v", i, st.at, got, st.want)
				}
			}
		})
	}
}

func TestNewRejectsAnEmptyBucket(t *testing.T) {
	for _, length := range []time.Duration{0, Buckets - 1, -time.Second} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v) did not panic", length)
				}
			}()
			New(length, time.Time{})
		}()
	}
	w := New(Buckets, time.Time{}) // the shortest window: 1ns buckets
	w.Add(time.Time{}.Add(Buckets-1), Counts{1})
	if got := totals(&w); got != (Counts{1}) {
		t.Errorf("shortest window: %v", got)
	}
	w.Slide(time.Time{}.Add(2 * Buckets))
	if got := totals(&w); got != (Counts{}) {
		t.Errorf("shortest window after its length: %v", got)
	}
}

func totals(w *Time) Counts {
	var c Counts
	for i := range c {
		c[i] = w.Total(i)
	}
	return c
}

// BenchmarkAdd measures counting one event, the hot path of the breaker's
// time window and the budget's deposits: in the newest bucket, and one
// bucket later each time (the window slides by one bucket).
func BenchmarkAdd(b *testing.B) {
	now := time.Now()
	b.Run("same-bucket", func(b *testing.B) {
		w := New(10*time.Second, now)
		b.ReportAllocs()
		for b.Loop() {
			w.Add(now, Counts{1, 0, 1})
		}
	})
	b.Run("next-bucket", func(b *testing.B) {
		w := New(10*time.Second, now)
		at := now
		b.ReportAllocs()
		for b.Loop() {
			at = at.Add(time.Second)
			w.Add(at, Counts{1, 0, 1})
		}
	})
}
