package breaker

import (
	"errors"
	"testing"
	"time"
)

// probeCase is a resilience4j-style sequence: the outcomes of the probes
// of a just half-opened breaker (4 permitted, failure and slow ratios
// 50%, slow calls over 100ms), and the state after each.
type probeCase struct {
	name  string
	outs  []outcome
	after []State
}

func playProbes(t *testing.T, rule string, tests []probeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := halfOpen(t, func(c *Config) {
				c.HalfOpenRule = rule
				c.HalfOpenCalls = 4
				c.SlowCall = slowThreshold
			})
			// resilience4j grants every permit first; the calls then
			// complete one by one.
			var ps []Permit
			for range tt.outs {
				p, err := b.Allow()
				if err != nil {
					t.Fatalf("probe permit: %v", err)
				}
				ps = append(ps, p)
			}
			if _, err := b.Allow(); !errors.Is(err, ErrOpen) {
				t.Fatalf("a fifth probe: err = %v, want ErrOpen", err)
			}
			for i, out := range tt.outs {
				d := time.Millisecond
				if out == slowOK || out == slowFail {
					d = 2 * slowThreshold
				}
				ps[i].Done(out == ok || out == slowOK, d)
				if got := b.State(); got != tt.after[i] {
					t.Fatalf("after probe %d: state %v, want %v", i+1, got, tt.after[i])
				}
			}
		})
	}
}

// TestHalfOpenRuleRatios: once every permitted probe completed, the
// failure and slow ratios decide, as in resilience4j.
func TestHalfOpenRuleRatios(t *testing.T) {
	H, O, C := HalfOpen, Open, Closed
	playProbes(t, Ratios, []probeCase{
		{"all succeed: closed", []outcome{ok, ok, ok, ok}, []State{H, H, H, C}},
		{"1 of 4 failed (25% < 50%): closed", []outcome{fail, ok, ok, ok}, []State{H, H, H, C}},
		{"2 of 4 failed (50%): open", []outcome{ok, fail, ok, fail}, []State{H, H, H, O}},
		{"all failed: open only after the last", []outcome{fail, fail, fail, fail}, []State{H, H, H, O}},
		{"1 of 4 slow: closed", []outcome{slowOK, ok, ok, ok}, []State{H, H, H, C}},
		{"2 of 4 slow (50%): open", []outcome{slowOK, ok, slowOK, ok}, []State{H, H, H, O}},
		{"1 failed + 1 slow (25% each): closed", []outcome{fail, slowOK, ok, ok}, []State{H, H, H, C}},
	})
}

// TestHalfOpenRuleFirstFailure: the first failed or slow probe reopens;
// HalfOpenCalls successes close, as in gobreaker and Polly.
func TestHalfOpenRuleFirstFailure(t *testing.T) {
	H, O, C := HalfOpen, Open, Closed
	playProbes(t, FirstFailure, []probeCase{
		{"all succeed: closed", []outcome{ok, ok, ok, ok}, []State{H, H, H, C}},
		{"first fails: open at once", []outcome{fail, ok, ok, ok}, []State{O, O, O, O}},
		{"third fails: open then", []outcome{ok, ok, fail, ok}, []State{H, H, O, O}},
		{"a slow probe: open", []outcome{ok, slowOK, ok, ok}, []State{H, O, O, O}},
	})
}

// TestRatiosReleasedProbe: a released probe frees its permit and does not
// count; the decision waits for a replacement.
func TestRatiosReleasedProbe(t *testing.T) {
	b, _ := halfOpen(t, func(c *Config) { c.HalfOpenRule = Ratios; c.HalfOpenCalls = 2 })
	p1, _ := b.Allow()
	p2, _ := b.Allow()
	p1.Release()
	p2.Done(true, time.Millisecond)
	if s := b.State(); s != HalfOpen {
		t.Fatalf("after one probe and one release: %v, want half-open", s)
	}
	p3, err := b.Allow()
	if err != nil {
		t.Fatalf("replacement probe: %v", err)
	}
	p3.Done(true, time.Millisecond)
	if s := b.State(); s != Closed {
		t.Fatalf("after two successful probes: %v, want closed", s)
	}
}

// TestOpenToHalfOpenByTimer checks that the breaker half-opens when
// OpenWait passes, with no call arriving (the observer sees it, so the
// state gauge does), and that the timer is stopped when the breaker leaves
// open otherwise or is closed.
func TestOpenToHalfOpenByTimer(t *testing.T) {
	var seen []State
	b, clk := newTestBreaker(t, nil, WithOnStateChange(func(_, to State) { seen = append(seen, to) }))
	tripToOpen(t, b, clk)
	if clk.Pending() != 1 {
		t.Fatalf("%d timers pending after opening, want 1", clk.Pending())
	}
	clk.Advance(DefaultConfig().OpenWait - time.Nanosecond)
	if len(seen) != 1 {
		t.Fatalf("transitions before OpenWait: %v, want only open", seen)
	}
	clk.Advance(time.Nanosecond) // nobody calls the breaker
	if len(seen) != 2 || seen[1] != HalfOpen || clk.Pending() != 0 {
		t.Fatalf("transitions at OpenWait: %v (%d timers pending), want open, half-open", seen, clk.Pending())
	}

	// Reopened by a probe: a new timer; Close stops it.
	p, _ := b.Allow()
	p.Done(false, time.Millisecond)
	if b.State() != Open || clk.Pending() != 1 {
		t.Fatalf("state %v, %d timers; want open with one timer", b.State(), clk.Pending())
	}
	b.Close()
	if clk.Pending() != 0 {
		t.Fatalf("%d timers pending after Close, want 0", clk.Pending())
	}
	clk.Advance(DefaultConfig().OpenWait)
	if len(seen) != 3 {
		t.Errorf("transitions after Close: %v; the timer should not fire", seen)
	}
	if b.State() != HalfOpen { // asked: it still works, lazily
		t.Errorf("state when asked after Close and OpenWait: %v, want half-open", b.State())
	}
}
