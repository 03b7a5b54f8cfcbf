package traffic

import (
	"math"
	"slices"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// simulate runs p on a virtual clock, as vegeta's attack loop does with no
// delay of its own, and returns when each hit was sent.
func simulate(t *testing.T, p vegeta.Pacer) []time.Duration {
	t.Helper()
	var (
		elapsed time.Duration
		sent    []time.Duration
	)
	for hits := uint64(0); ; hits++ {
		wait, stop := p.Pace(elapsed, hits)
		if stop {
			return sent
		}
		if wait < 0 {
			t.Fatalf("hit %d: negative wait %v", hits, wait)
		}
		elapsed += wait
		sent = append(sent, elapsed)
		if len(sent) > 1e6 {
			t.Fatal("pacer never stops")
		}
	}
}

func TestPacer(t *testing.T) {
	type at struct {
		elapsed time.Duration
		hits    float64 // expected hits by elapsed
		rate    float64 // planned rate at elapsed
	}
	tests := []struct {
		name    string
		stages  []Stage
		total   float64 // hits of the whole plan
		at      []at
		windows []int // hits sent per second
	}{
		{
			name:   "constant",
			stages: []Stage{{Duration: 3 * time.Second, Rate: 100}},
			total:  300,
			at: []at{
				{0, 0, 100},
				{time.Second, 100, 100},
				{1500 * time.Millisecond, 150, 100},
				{3 * time.Second, 300, 0},
				{time.Hour, 300, 0},
			},
			windows: []int{100, 100, 100},
		},
		{
			name: "step",
			stages: []Stage{
				{Duration: 2 * time.Second, Rate: 100},
				{Duration: 2 * time.Second, Rate: 300},
			},
			total: 800,
			at: []at{
				{time.Second, 100, 100},
				{2 * time.Second, 200, 300},
				{3 * time.Second, 500, 300},
				{4 * time.Second, 800, 0},
			},
			windows: []int{100, 100, 300, 300},
		},
		{
			name: "ramp up, hold, ramp down",
			stages: []Stage{
				{Duration: 2 * time.Second, Rate: 100, Ramp: true}, // 0 → 100
				{Duration: time.Second, Rate: 100},
				{Duration: 2 * time.Second, Rate: 300, Ramp: true}, // 100 → 300
				{Duration: 2 * time.Second, Rate: 0, Ramp: true},   // 300 → 0
			},
			total: 100 + 100 + 400 + 300,
			at: []at{
				{0, 0, 0},
				{time.Second, 25, 50},
				{2 * time.Second, 100, 100},
				{3 * time.Second, 200, 100},
				{4 * time.Second, 350, 200}, // 200 + 100·1 + (200/2)·1²/2
				{5 * time.Second, 600, 300},
				{6 * time.Second, 825, 150},
				{7 * time.Second, 900, 0},
			},
			windows: []int{25, 75, 100, 150, 250, 225, 75},
		},
		{
			name: "pause in the middle and at the end",
			stages: []Stage{
				{Duration: time.Second, Rate: 50},
				{Duration: time.Second, Rate: 0},
				{Duration: time.Second, Rate: 50},
				{Duration: time.Second, Rate: 0},
			},
			total: 100,
			at: []at{
				{1500 * time.Millisecond, 50, 0},
				{2500 * time.Millisecond, 75, 50},
				{4 * time.Second, 100, 0},
			},
			windows: []int{50, 0, 50},
		},
		{
			name:    "fractional",
			stages:  []Stage{{Duration: 2 * time.Second, Rate: 2.25}},
			total:   4.5,
			at:      []at{{time.Second, 2.25, 2.25}},
			windows: []int{3, 2}, // hits at 0, 0.44, 0.89 | 1.33, 1.78
		},
		{
			name:    "zero duration and negative stages are skipped",
			stages:  []Stage{{Duration: 0, Rate: 100}, {Duration: time.Second, Rate: 200, Ramp: true}, {Duration: -time.Second, Rate: 5}},
			total:   150,
			at:      []at{{500 * time.Millisecond, 62.5, 150}},
			windows: []int{150},
		},
		{
			name:   "nothing to send",
			stages: []Stage{{Duration: time.Second, Rate: 0}},
			total:  0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPacer(tt.stages).(*stagePacer)
			if math.Abs(p.hits-tt.total) > 1e-9 {
				t.Errorf("total hits = %v, want %v", p.hits, tt.total)
			}
			for _, a := range tt.at {
				if got := p.expected(a.elapsed); math.Abs(got-a.hits) > 1e-9 {
					t.Errorf("hits at %v = %v, want %v", a.elapsed, got, a.hits)
				}
				if got := p.Rate(a.elapsed); math.Abs(got-a.rate) > 1e-9 {
					t.Errorf("rate at %v = %v, want %v", a.elapsed, got, a.rate)
				}
			}

			sent := simulate(t, p)
			if want := int(math.Ceil(tt.total - hitsEpsilon)); len(sent) != want {
				t.Errorf("sent %d hits, want %d", len(sent), want)
			}
			var windows []int
			for i, at := range sent {
				if at >= p.total {
					t.Fatalf("hit %d sent at %v, after the end %v", i, at, p.total)
				}
				// Hit i is due when the integral reaches i.
				if got := p.expected(at); math.Abs(got-float64(i)) > 1e-6 {
					t.Fatalf("hit %d sent at %v where %v hits are due", i, at, got)
				}
				w := int(at / time.Second)
				for len(windows) <= w {
					windows = append(windows, 0)
				}
				windows[w]++
			}
			if !slices.Equal(windows, tt.windows) {
				t.Errorf("hits per second = %v, want %v", windows, tt.windows)
			}
		})
	}
}

func TestPacerCatchesUp(t *testing.T) {
	p := NewPacer([]Stage{{Duration: 10 * time.Second, Rate: 100}})
	// Behind schedule: 5s in and only 10 hits sent.
	if wait, stop := p.Pace(5*time.Second, 10); wait != 0 || stop {
		t.Errorf("behind: Pace = %v, %v; want 0, false", wait, stop)
	}
	// Ahead: hit 600 is due at 6s.
	if wait, stop := p.Pace(5*time.Second, 600); wait != time.Second || stop {
		t.Errorf("ahead: Pace = %v, %v; want 1s, false", wait, stop)
	}
	if _, stop := p.Pace(5*time.Second, 1000); !stop {
		t.Error("all hits sent: Pace does not stop")
	}
}
