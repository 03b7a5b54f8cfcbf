package retry

import (
	"context"
	"errors"
	"github.com/faultline/faultline/internal/testkit"
	"testing"
	"time"
)

var (
	errFlaky = errors.New("flaky")
	errFatal = errors.New("fatal")
)

func TestConfigValidate(t *testing.T) {
	mut := func(f func(*Config)) Config { c := DefaultConfig(); f(&c); return c }
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none: valid
	}{
		{"defaults", DefaultConfig(), nil},
		{"one attempt, no delay", mut(func(c *Config) { c.MaxAttempts, c.BaseDelay, c.MaxDelay = 1, 0, 0 }), nil},
		{"disabled budget is not checked", mut(func(c *Config) { c.Budget = BudgetConfig{Ratio: -1} }), nil},
		{"attempts", mut(func(c *Config) { c.MaxAttempts = 0 }), []string{"max_attempts: must be in [1,100], got 0"}},
		{"too many attempts", mut(func(c *Config) { c.MaxAttempts = 101 }), []string{"max_attempts"}},
		{"negative base", mut(func(c *Config) { c.BaseDelay = -1 }), []string{"base_delay: must be >= 0, got -1ns"}},
		{"cap below base", mut(func(c *Config) { c.MaxDelay = time.Millisecond }),
			[]string{"max_delay: must be >= base_delay (25ms), got 1ms"}},
		{"jitter", mut(func(c *Config) { c.Jitter = "equal" }), []string{`jitter: must be "full" or "none", got "equal"`}},
		{"budget fields", mut(func(c *Config) { c.Budget.Ratio, c.Budget.MinPerSecond, c.Budget.Window = 11, -1, 5 }),
			[]string{"budget.ratio: must be in [0,10], got 11", "budget.min_per_second", "budget.window: must be at least 10ns"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.ErrorContains(t, "Validate()", tt.cfg.Validate(), tt.want)
			if len(tt.want) == 0 {
				return
			}
			if _, nerr := New(tt.cfg); nerr == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	cfg := func(base, cap time.Duration, jitter string) Config {
		c := DefaultConfig()
		c.BaseDelay, c.MaxDelay, c.Jitter = base, cap, jitter
		return c
	}
	const ms = time.Millisecond
	tests := []struct {
		name string
		cfg  Config
		rand float64
		n    int
		want time.Duration
	}{
		{"first retry waits base", cfg(10*ms, time.Second, JitterNone), 0, 1, 10 * ms},
		{"doubles", cfg(10*ms, time.Second, JitterNone), 0, 2, 20 * ms},
		{"doubles again", cfg(10*ms, time.Second, JitterNone), 0, 4, 80 * ms},
		{"capped", cfg(10*ms, 50*ms, JitterNone), 0, 4, 50 * ms},
		{"huge retry number stays capped", cfg(10*ms, 50*ms, JitterNone), 0, 1000, 50 * ms},
		{"cap at max duration", cfg(time.Hour, 1<<62, JitterNone), 0, 100, 1 << 62},
		{"no retry before the first", cfg(10*ms, time.Second, JitterNone), 0, 0, 0},
		{"zero base never waits", cfg(0, time.Second, JitterFull), 0.99, 5, 0},
		{"full jitter low draw", cfg(10*ms, time.Second, JitterFull), 0, 3, 0},
		{"full jitter mid draw", cfg(10*ms, time.Second, JitterFull), 0.5, 3, 20 * ms},
		{"full jitter high draw under ceiling", cfg(10*ms, 30*ms, JitterFull), 0.999, 3, 29970 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg, WithRand(func() float64 { return tt.rand }))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Backoff(tt.n); got != tt.want {
				t.Errorf("Backoff(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

// TestBackoffFullJitterSpread checks that seeded full jitter stays under the
// ceiling, spreads over it, and repeats for the same seed.
func TestBackoffFullJitterSpread(t *testing.T) {
	c := DefaultConfig()
	c.BaseDelay, c.MaxDelay = 100*time.Millisecond, time.Second
	a, _ := New(c, WithSeed(7))
	b, _ := New(c, WithSeed(7))
	var lo, hi int
	for range 2000 {
		d := a.Backoff(2) // ceiling 200ms
		if d < 0 || d >= 200*time.Millisecond {
			t.Fatalf("Backoff(2) = %v, want in [0, 200ms)", d)
		}
		if d < 50*time.Millisecond {
			lo++
		}
		if d >= 150*time.Millisecond {
			hi++
		}
		if e := b.Backoff(2); e != d {
			t.Fatalf("same seed drew %v and %v", d, e)
		}
	}
	// Each quarter of the range should get about 500 of 2000 draws.
	if lo < 400 || hi < 400 {
		t.Errorf("draws under 50ms: %d, over 150ms: %d; want about 500 each", lo, hi)
	}
}

// recorder is an Observer that remembers what it saw.
type recorder struct {
	retries   []int
	delays    []time.Duration
	throttled []int
}

func (r *recorder) OnRetry(attempt int, d time.Duration) {
	r.retries = append(r.retries, attempt)
	r.delays = append(r.delays, d)
}
func (r *recorder) OnThrottled(attempt int) { r.throttled = append(r.throttled, attempt) }

func TestDo(t *testing.T) {
	tests := []struct {
		name      string
		attempts  int
		results   []error // what fn returns, attempt by attempt (nil after the end)
		budget    *BudgetConfig
		wantErr   error
		wantCalls int
		wantRetry []int
		wantThrot []int
	}{
		{"success first", 3, nil, nil, nil, 1, nil, nil},
		{"success on retry", 3, []error{errFlaky, errFlaky}, nil, nil, 3, []int{2, 3}, nil},
		{"attempts exhausted", 3, []error{errFlaky, errFlaky, errFlaky, nil}, nil, errFlaky, 3, []int{2, 3}, nil},
		{"one attempt never retries", 1, []error{errFlaky, nil}, nil, errFlaky, 1, nil, nil},
		{"not retryable", 3, []error{errFatal, nil}, nil, errFatal, 1, nil, nil},
		{"last error returned", 3, []error{errFlaky, errFatal, nil}, nil, errFatal, 2, []int{2}, nil},
		{"budget refuses", 3, []error{errFlaky, errFlaky, nil},
			&BudgetConfig{Enabled: true, Ratio: 0, MinPerSecond: 0.1, Window: 10 * time.Second}, // one retry in reserve
			errFlaky, 2, []int{2}, []int{3}},
		{"empty budget refuses the first retry", 3, []error{errFlaky, nil},
			&BudgetConfig{Enabled: true, Ratio: 0, Window: 10 * time.Second}, errFlaky, 1, nil, []int{2}},
		{"budget earned by the call", 3, []error{errFlaky, nil},
			&BudgetConfig{Enabled: true, Ratio: 1, Window: 10 * time.Second}, nil, 2, []int{2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.MaxAttempts = tt.attempts
			c.Budget.Enabled = false
			if tt.budget != nil {
				c.Budget = *tt.budget
			}
			var rec recorder
			var slept []time.Duration
			p, err := New(c,
				WithRetryable(func(err error) bool { return !errors.Is(err, errFatal) }),
				WithObserver(&rec),
				WithRand(func() float64 { return 0.5 }),
				WithSleep(func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }),
			)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			err = p.Do(context.Background(), func(context.Context) error {
				calls++
				if calls <= len(tt.results) {
					return tt.results[calls-1]
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Do() = %v, want %v", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Errorf("fn called %d times, want %d", calls, tt.wantCalls)
			}
			if !equal(rec.retries, tt.wantRetry) {
				t.Errorf("OnRetry attempts %v, want %v", rec.retries, tt.wantRetry)
			}
			if !equal(rec.throttled, tt.wantThrot) {
				t.Errorf("OnThrottled attempts %v, want %v", rec.throttled, tt.wantThrot)
			}
			// Full jitter at 0.5 waits half of 25ms, 50ms, ...
			for i, d := range slept {
				if want := 25 * time.Millisecond << i / 2; d != want {
					t.Errorf("wait %d = %v, want %v", i+1, d, want)
				}
			}
			if len(slept) != len(rec.retries) {
				t.Errorf("waited %d times for %d retries", len(slept), len(rec.retries))
			}
		})
	}
}

func TestDoStopsWhenTheContextEnds(t *testing.T) {
	c := DefaultConfig()
	c.Budget.Enabled = false

	t.Run("while waiting", func(t *testing.T) {
		p, _ := New(c, WithSleep(func(ctx context.Context, _ time.Duration) error { return context.Canceled }))
		calls := 0
		err := p.Do(context.Background(), func(context.Context) error { calls++; return errFlaky })
		if !errors.Is(err, context.Canceled) || calls != 1 {
			t.Errorf("Do() = %v after %d calls, want context.Canceled after 1", err, calls)
		}
	})
	t.Run("during an attempt", func(t *testing.T) {
		p, _ := New(c)
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		err := p.Do(ctx, func(context.Context) error { calls++; cancel(); return errFlaky })
		if !errors.Is(err, errFlaky) || calls != 1 {
			t.Errorf("Do() = %v after %d calls, want the attempt's error after 1", err, calls)
		}
	})
	t.Run("real timer", func(t *testing.T) {
		c := c
		c.BaseDelay, c.MaxDelay, c.Jitter = time.Hour, time.Hour, JitterNone
		p, _ := New(c)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := p.Do(ctx, func(context.Context) error { return errFlaky })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Do() = %v, want context.DeadlineExceeded", err)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("Do took %v to notice the context", el)
		}
	})
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDoDoesNotAllocate pins the hot path: a call that succeeds at once and
// one that retries twice without waiting allocate nothing of the policy's.
func TestDoDoesNotAllocate(t *testing.T) {
	c := DefaultConfig()
	c.BaseDelay, c.MaxDelay = 0, 0
	c.Budget.Ratio = MaxRatio
	p, err := New(c, WithObserver(&counting{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := 0
	flaky := func(context.Context) error {
		n++
		if n%3 != 0 {
			return errFlaky
		}
		return nil
	}
	ok := func(context.Context) error { return nil }
	for name, fn := range map[string]func(context.Context) error{"success-first": ok, "retry-twice": flaky} {
		if a := testing.AllocsPerRun(100, func() { _ = p.Do(ctx, fn) }); a != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, a)
		}
	}
}

// counting is an Observer that only counts, as a metrics observer does.
type counting struct{ retries, throttled int }

func (c *counting) OnRetry(int, time.Duration) { c.retries++ }
func (c *counting) OnThrottled(int)            { c.throttled++ }
