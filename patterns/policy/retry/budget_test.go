package retry

import (
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/clock"
)

// TestBudget drives a budget through steps on a manual clock. Each step waits,
// then makes calls (deposits), then asks for retries, and checks how many
// were granted.
func TestBudget(t *testing.T) {
	type step struct {
		wait        time.Duration
		calls       int
		ask         int
		wantGranted int
	}
	cfg := func(ratio, min float64) BudgetConfig {
		return BudgetConfig{Enabled: true, Ratio: ratio, MinPerSecond: min, Window: 10 * time.Second}
	}
	tests := []struct {
		name  string
		cfg   BudgetConfig
		steps []step
	}{
		{"ratio of calls", cfg(0.2, 0), []step{
			{calls: 100, ask: 50, wantGranted: 20},
		}},
		{"exact ratio despite float rounding", cfg(0.1, 0), []step{
			{calls: 30, ask: 5, wantGranted: 3},
		}},
		{"reserve without calls", cfg(0.2, 1), []step{
			{ask: 20, wantGranted: 10}, // 1/s over 10s
		}},
		{"reserve plus ratio", cfg(0.5, 0.5), []step{
			{calls: 10, ask: 20, wantGranted: 10}, // 5 earned + 5 reserve
		}},
		{"no budget at all", cfg(0, 0), []step{
			{calls: 1000, ask: 1, wantGranted: 0},
		}},
		{"retries stay in the window", cfg(0.2, 0), []step{
			{calls: 100, ask: 20, wantGranted: 20},
			{wait: 5 * time.Second, calls: 100, ask: 100, wantGranted: 20}, // 40 earned, 20 spent
			{wait: 5 * time.Second, ask: 100, wantGranted: 0},              // first 100 calls and their 20 retries left together
			{wait: 5 * time.Second, calls: 50, ask: 100, wantGranted: 10},  // everything left
		}},
		{"deposits expire", cfg(0.2, 0), []step{
			{calls: 100},
			{wait: 10 * time.Second, ask: 1, wantGranted: 0},
		}},
		{"a long idle spell empties the window", cfg(1, 0), []step{
			{calls: 5, ask: 5, wantGranted: 5},
			{wait: time.Hour, calls: 3, ask: 5, wantGranted: 3},
		}},
		{"a clock going backwards counts as now", cfg(1, 0), []step{
			{calls: 2},
			{wait: -time.Minute, calls: 1, ask: 5, wantGranted: 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(time.Unix(1000, 0))
			b, err := NewBudget(tt.cfg, WithClock(clk))
			if err != nil {
				t.Fatal(err)
			}
			var calls, granted, refused uint64
			for i, s := range tt.steps {
				clk.Advance(s.wait)
				for range s.calls {
					b.Deposit()
				}
				calls += uint64(s.calls)
				avail := b.Available()
				got := 0
				for range s.ask {
					if b.Withdraw() {
						got++
					}
				}
				if got != s.wantGranted {
					t.Errorf("step %d: granted %d of %d retries, want %d", i, got, s.ask, s.wantGranted)
				}
				if s.ask > got && avail != got {
					t.Errorf("step %d: Available() = %d before granting %d", i, avail, got)
				}
				granted += uint64(got)
				refused += uint64(s.ask - got)
			}
			want := BudgetCounts{Calls: calls, Retries: granted, Refused: refused}
			if c := b.Counts(); c != want {
				t.Errorf("Counts() = %+v, want %+v", c, want)
			}
		})
	}
}

func TestNewBudgetRejectsBadConfig(t *testing.T) {
	if _, err := NewBudget(BudgetConfig{Ratio: 0.1, Window: 0}); err == nil {
		t.Error("NewBudget accepted a zero window")
	}
}

// TestBudgetConcurrent checks that concurrent callers never get more than
// the budget allows (run with -race).
func TestBudgetConcurrent(t *testing.T) {
	b, err := NewBudget(BudgetConfig{Enabled: true, Ratio: 0.1, Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				b.Deposit()
				if b.Withdraw() {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if granted > 800 || granted < 790 {
		t.Errorf("granted %d retries for 8000 calls at ratio 0.1, want 790..800", granted)
	}
}
