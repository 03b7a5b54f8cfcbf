package breaker

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/faultline/faultline/internal/clock"
)

func newTestBreaker(t *testing.T, mutate func(*Config), opts ...Option) (*Breaker, *clock.Manual) {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	b, err := New(cfg, append([]Option{WithClock(clk)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b, clk
}

// outcome of one call in a script.
type outcome int

const (
	ok       outcome = iota // fast success
	fail                    // fast failure
	slowOK                  // slow success
	slowFail                // slow failure
)

// step makes n calls with the same outcome, after advancing the clock.
type step struct {
	advance time.Duration
	n       int
	out     outcome
}

const slowThreshold = 100 * time.Millisecond

// run plays steps against b; calls that are rejected are skipped.
func run(b *Breaker, clk *clock.Manual, steps []step) {
	for _, s := range steps {
		clk.Advance(s.advance)
		for range s.n {
			p, err := b.Allow()
			if err != nil {
				continue
			}
			d := time.Millisecond
			if s.out == slowOK || s.out == slowFail {
				d = 2 * slowThreshold
			}
			p.Done(s.out == ok || s.out == slowOK, d)
		}
	}
}

// tripToOpen fails enough calls to open a default-configured breaker.
func tripToOpen(t *testing.T, b *Breaker, clk *clock.Manual) {
	t.Helper()
	run(b, clk, []step{{n: 10, out: fail}})
	if s := b.State(); s != Open {
		t.Fatalf("state after tripping = %v, want open", s)
	}
}

func TestClosedWindow(t *testing.T) {
	countWindow := func(size, minCalls int) func(*Config) {
		return func(c *Config) { c.Size, c.MinCalls = size, minCalls }
	}
	timeWindow := func(c *Config) { c.Window, c.Period, c.MinCalls = TimeWindow, 10*time.Second, 5 }
	slow := func(c *Config) { c.SlowCall, c.SlowRatio = slowThreshold, 0.5 }

	tests := []struct {
		name       string
		cfg        func(*Config)
		steps      []step
		want       State
		wantWindow [3]int // calls, failures, slow (checked when closed)
	}{
		{
			name:  "trips on failure ratio",
			steps: []step{{n: 5, out: ok}, {n: 5, out: fail}},
			want:  Open,
		},
		{
			name:       "stays closed below failure ratio",
			steps:      []step{{n: 6, out: ok}, {n: 4, out: fail}},
			want:       Closed,
			wantWindow: [3]int{10, 4, 0},
		},
		{
			name:       "does not trip below MinCalls",
			steps:      []step{{n: 9, out: fail}},
			want:       Closed,
			wantWindow: [3]int{9, 9, 0},
		},
		{
			name:  "trips when MinCalls is reached",
			steps: []step{{n: 9, out: fail}, {n: 1, out: ok}},
			want:  Open,
		},
		{
			name:  "ratio threshold is inclusive and exact",
			cfg:   func(c *Config) { c.FailureRatio = 0.3 },
			steps: []step{{n: 7, out: ok}, {n: 3, out: fail}},
			want:  Open,
		},
		{
			name:  "trips on slow-call ratio",
			cfg:   slow,
			steps: []step{{n: 5, out: ok}, {n: 5, out: slowOK}},
			want:  Open,
		},
		{
			name:       "stays closed below slow-call ratio",
			cfg:        slow,
			steps:      []step{{n: 6, out: ok}, {n: 4, out: slowOK}},
			want:       Closed,
			wantWindow: [3]int{10, 0, 4},
		},
		{
			name:       "slow-call detection off when SlowCall is 0",
			steps:      []step{{n: 10, out: slowOK}},
			want:       Closed,
			wantWindow: [3]int{10, 0, 0},
		},
		{
			name:  "slow failures count for both ratios",
			cfg:   func(c *Config) { slow(c); c.FailureRatio = 1 },
			steps: []step{{n: 5, out: ok}, {n: 5, out: slowFail}},
			want:  Open,
		},
		{
			name: "count window evicts old successes",
			cfg:  countWindow(10, 10),
			// Unwindowed 5/15 would stay closed; the last 10 are 5 ok + 5 failed.
			steps: []step{{n: 10, out: ok}, {n: 5, out: fail}},
			want:  Open,
		},
		{
			name:       "count window evicts old failures",
			cfg:        countWindow(10, 10),
			steps:      []step{{n: 4, out: fail}, {n: 10, out: ok}, {n: 4, out: fail}},
			want:       Closed,
			wantWindow: [3]int{10, 4, 0},
		},
		{
			name:       "count window keeps at most Size calls",
			cfg:        countWindow(10, 10),
			steps:      []step{{n: 25, out: ok}},
			want:       Closed,
			wantWindow: [3]int{10, 0, 0},
		},
		{
			name:  "time window keeps calls within Period",
			cfg:   timeWindow,
			steps: []step{{n: 4, out: fail}, {advance: 9 * time.Second, n: 1, out: fail}},
			want:  Open,
		},
		{
			name:       "time window drops calls older than Period",
			cfg:        timeWindow,
			steps:      []step{{n: 4, out: fail}, {advance: 10 * time.Second, n: 1, out: fail}},
			want:       Closed,
			wantWindow: [3]int{1, 1, 0},
		},
		{
			name: "time window slides bucket by bucket",
			cfg:  timeWindow,
			steps: []step{
				{n: 2, out: fail},
				{advance: 5 * time.Second, n: 4, out: ok}, // 2 of 6 failed
				{advance: 5 * time.Second, n: 1, out: ok}, // t=10s: the 2 failures left
			},
			want:       Closed,
			wantWindow: [3]int{5, 0, 0},
		},
		{
			name:       "time window forgets everything after a long pause",
			cfg:        timeWindow,
			steps:      []step{{n: 4, out: fail}, {advance: time.Hour}},
			want:       Closed,
			wantWindow: [3]int{0, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clk := newTestBreaker(t, tt.cfg)
			run(b, clk, tt.steps)
			if got := b.State(); got != tt.want {
				t.Fatalf("state = %v, want %v (counts %+v)", got, tt.want, b.Counts())
			}
			if tt.want != Closed {
				return
			}
			c := b.Counts()
			if got := [3]int{c.WindowCalls, c.WindowFailures, c.WindowSlow}; got != tt.wantWindow {
				t.Errorf("window (calls, failures, slow) = %v, want %v", got, tt.wantWindow)
			}
		})
	}
}

func TestOpenRejectsUntilOpenWait(t *testing.T) {
	b, clk := newTestBreaker(t, nil)
	tripToOpen(t, b, clk)

	for range 3 {
		p, err := b.Allow()
		if !errors.Is(err, ErrOpen) {
			t.Fatalf("Allow while open: err = %v, want ErrOpen", err)
		}
		p.Done(true, 0) // the zero permit is a no-op
		p.Release()
	}
	if got := b.Counts().Rejected; got != 3 {
		t.Errorf("Rejected = %d, want 3", got)
	}

	clk.Advance(DefaultConfig().OpenWait - time.Nanosecond)
	if s := b.State(); s != Open {
		t.Fatalf("state just before OpenWait = %v, want open", s)
	}
	clk.Advance(time.Nanosecond)
	if s := b.State(); s != HalfOpen {
		t.Fatalf("state at OpenWait = %v, want half-open", s)
	}
}

func TestOpenToHalfOpenOnAllow(t *testing.T) {
	b, clk := newTestBreaker(t, nil)
	tripToOpen(t, b, clk)
	clk.Advance(DefaultConfig().OpenWait)
	if _, err := b.Allow(); err != nil {
		t.Fatalf("Allow after OpenWait: %v", err)
	}
	c := b.Counts()
	if b.State() != HalfOpen || c.Probes != 1 {
		t.Fatalf("state = %v, probes = %d; want half-open with 1 probe", b.State(), c.Probes)
	}
}

// halfOpen returns a breaker that just became half-open.
func halfOpen(t *testing.T, mutate func(*Config), opts ...Option) (*Breaker, *clock.Manual) {
	t.Helper()
	b, clk := newTestBreaker(t, mutate, opts...)
	tripToOpen(t, b, clk)
	clk.Advance(DefaultConfig().OpenWait)
	if s := b.State(); s != HalfOpen {
		t.Fatalf("state = %v, want half-open", s)
	}
	return b, clk
}

func TestHalfOpenProbeLimit(t *testing.T) {
	b, _ := halfOpen(t, nil)
	var probes []Permit
	for i := range 3 {
		p, err := b.Allow()
		if err != nil {
			t.Fatalf("probe %d: %v", i, err)
		}
		probes = append(probes, p)
	}
	if _, err := b.Allow(); !errors.Is(err, ErrOpen) {
		t.Fatalf("fourth probe: err = %v, want ErrOpen", err)
	}
	if got := b.Counts().Probes; got != 3 {
		t.Errorf("Probes = %d, want 3", got)
	}

	// A released probe frees its slot.
	probes[0].Release()
	if _, err := b.Allow(); err != nil {
		t.Fatalf("probe after release: %v", err)
	}
	if _, err := b.Allow(); !errors.Is(err, ErrOpen) {
		t.Fatalf("probe beyond limit after release: err = %v, want ErrOpen", err)
	}
	if s := b.State(); s != HalfOpen {
		t.Errorf("state = %v, want half-open", s)
	}
}

func TestHalfOpenOutcomes(t *testing.T) {
	slow := func(c *Config) { c.SlowCall = slowThreshold }
	tests := []struct {
		name  string
		cfg   func(*Config)
		steps []step
		want  State
	}{
		{name: "all probes succeed: closes", steps: []step{{n: 3, out: ok}}, want: Closed},
		{name: "some probes succeed: stays half-open", steps: []step{{n: 2, out: ok}}, want: HalfOpen},
		{name: "a failed probe reopens", steps: []step{{n: 2, out: ok}, {n: 1, out: fail}}, want: Open},
		{name: "first probe fails: reopens", steps: []step{{n: 1, out: fail}}, want: Open},
		{name: "a slow probe reopens", cfg: slow, steps: []step{{n: 1, out: slowOK}}, want: Open},
		{name: "slow probes ignored when SlowCall is 0", steps: []step{{n: 3, out: slowOK}}, want: Closed},
		{
			name:  "HalfOpenCalls 1",
			cfg:   func(c *Config) { c.HalfOpenCalls = 1 },
			steps: []step{{n: 1, out: ok}},
			want:  Closed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clk := halfOpen(t, tt.cfg)
			gen := b.Counts().Generation
			run(b, clk, tt.steps)
			if got := b.State(); got != tt.want {
				t.Fatalf("state = %v, want %v", got, tt.want)
			}
			c := b.Counts()
			switch tt.want {
			case Closed:
				if c.WindowCalls != 0 || c.Generation != gen+1 {
					t.Errorf("closed with window calls %d, generation %d; want a fresh window, generation %d",
						c.WindowCalls, c.Generation, gen+1)
				}
			case Open:
				// Reopening restarts OpenWait.
				clk.Advance(DefaultConfig().OpenWait - time.Nanosecond)
				if s := b.State(); s != Open {
					t.Errorf("state before the new OpenWait = %v, want open", s)
				}
			}
		})
	}
}

func TestStalePermitIgnored(t *testing.T) {
	t.Run("success from closed does not close an open breaker", func(t *testing.T) {
		b, clk := newTestBreaker(t, nil)
		old, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		tripToOpen(t, b, clk)
		old.Done(true, time.Millisecond)
		c := b.Counts()
		if b.State() != Open || c.Stale != 1 || c.ConsecutiveSuccesses != 0 {
			t.Fatalf("state %v, stale %d, consecutive successes %d; want open, 1, 0",
				b.State(), c.Stale, c.ConsecutiveSuccesses)
		}
	})
	t.Run("failure from closed does not reopen a half-open breaker", func(t *testing.T) {
		b, clk := newTestBreaker(t, nil)
		old, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		tripToOpen(t, b, clk)
		clk.Advance(DefaultConfig().OpenWait)
		if s := b.State(); s != HalfOpen {
			t.Fatalf("state = %v, want half-open", s)
		}
		old.Done(false, time.Millisecond)
		if s := b.State(); s != HalfOpen {
			t.Fatalf("state after stale failure = %v, want half-open", s)
		}
	})
	t.Run("probe from an earlier half-open does not count", func(t *testing.T) {
		b, clk := halfOpen(t, func(c *Config) { c.HalfOpenCalls = 2 })
		old, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		run(b, clk, []step{{n: 1, out: fail}}) // reopen
		clk.Advance(DefaultConfig().OpenWait)
		run(b, clk, []step{{n: 1, out: ok}}) // one of two probes in the new half-open
		old.Release()                        // must not free a slot of the new generation
		old.Done(true, time.Millisecond)     // must not count as the second probe
		if s := b.State(); s != HalfOpen {
			t.Fatalf("state = %v, want half-open", s)
		}
		if got := b.Counts().Probes; got != 1 {
			t.Fatalf("Probes = %d, want 1", got)
		}
	})
}

func TestGeneration(t *testing.T) {
	b, clk := newTestBreaker(t, nil)
	gens := []uint64{b.Counts().Generation}
	tripToOpen(t, b, clk)
	gens = append(gens, b.Counts().Generation)
	clk.Advance(DefaultConfig().OpenWait)
	gens = append(gens, b.Counts().Generation) // Counts moves open to half-open
	run(b, clk, []step{{n: 3, out: ok}})
	gens = append(gens, b.Counts().Generation)
	run(b, clk, []step{{n: 100, out: ok}}) // sliding the window keeps the generation
	gens = append(gens, b.Counts().Generation)

	want := []uint64{1, 2, 3, 4, 4}
	for i := range want {
		if gens[i] != want[i] {
			t.Fatalf("generations = %v, want %v", gens, want)
		}
	}
}

type transition struct{ from, to State }

type recordingObserver struct {
	mu          sync.Mutex
	transitions []transition
	permits     map[State]int
	rejects     map[State]int
	results     [2][2]int // [success][slow]
}

func (o *recordingObserver) OnStateChange(from, to State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.transitions = append(o.transitions, transition{from, to})
}

func (o *recordingObserver) OnPermit(s State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.permits[s]++
}

func (o *recordingObserver) OnReject(s State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rejects[s]++
}

func (o *recordingObserver) OnResult(success, slow bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.results[b2i(success)][b2i(slow)]++
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func TestObserver(t *testing.T) {
	obs := &recordingObserver{permits: map[State]int{}, rejects: map[State]int{}}
	var hook []transition
	b, clk := newTestBreaker(t, func(c *Config) { c.SlowCall = slowThreshold },
		WithObserver(obs), WithOnStateChange(func(from, to State) { hook = append(hook, transition{from, to}) }))

	run(b, clk, []step{
		{n: 5, out: ok}, {n: 1, out: slowOK}, {n: 4, out: fail}, // 10 calls, 4 failed, 1 slow: closed
		{n: 1, out: fail},                           // 5 of 11 failed: still closed
		{n: 1, out: slowFail},                       // 6 of 12 failed: open
		{n: 2, out: ok},                             // rejected
		{advance: 5 * time.Second, n: 1, out: fail}, // probe fails: open
		{advance: 5 * time.Second, n: 4, out: ok},   // 3 probes close, the 4th is permitted in closed
	})

	wantTransitions := []transition{{Closed, Open}, {Open, HalfOpen}, {HalfOpen, Open}, {Open, HalfOpen}, {HalfOpen, Closed}}
	for name, got := range map[string][]transition{"observer": obs.transitions, "hook": hook} {
		if len(got) != len(wantTransitions) {
			t.Fatalf("%s transitions = %v, want %v", name, got, wantTransitions)
		}
		for i := range got {
			if got[i] != wantTransitions[i] {
				t.Fatalf("%s transitions = %v, want %v", name, got, wantTransitions)
			}
		}
	}
	if obs.permits[Closed] != 13 || obs.permits[HalfOpen] != 4 {
		t.Errorf("permits = %v, want closed:13 half-open:4", obs.permits)
	}
	if obs.rejects[Open] != 2 || len(obs.rejects) != 1 {
		t.Errorf("rejects = %v, want open:2", obs.rejects)
	}
	// [success][slow]: 5+3+1 fast ok, 1 slow ok, 4+1+1 fast failures, 1 slow failure.
	if want := [2][2]int{{6, 1}, {9, 1}}; obs.results != want {
		t.Errorf("results = %v, want %v", obs.results, want)
	}

	c := b.Counts()
	if c.Requests != 17 || c.Rejected != 2 || c.Successes != 10 || c.Failures != 7 || c.Slow != 2 || c.Stale != 0 {
		t.Errorf("counts = %+v", c)
	}
}

func TestConcurrent(t *testing.T) {
	b, clk := newTestBreaker(t, func(c *Config) { c.Window = TimeWindow; c.SlowCall = slowThreshold })
	const workers, calls = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				if w == 0 && i%50 == 0 {
					clk.Advance(500 * time.Millisecond)
				}
				p, err := b.Allow()
				if err != nil {
					continue
				}
				switch (i + w) % 7 {
				case 0:
					p.Release()
				case 1, 2, 3:
					p.Done(false, time.Millisecond)
				default:
					p.Done(true, time.Duration(i%3)*slowThreshold)
				}
				_ = b.State()
			}
		})
	}
	wg.Wait()
	c := b.Counts()
	if c.Requests+c.Rejected != workers*calls {
		t.Errorf("requests %d + rejected %d != %d calls", c.Requests, c.Rejected, workers*calls)
	}
	if c.Successes+c.Failures+c.Released != c.Requests {
		t.Errorf("successes %d + failures %d + released %d != requests %d", c.Successes, c.Failures, c.Released, c.Requests)
	}
	if c.Generation < 2 {
		t.Errorf("generation = %d: the breaker never tripped", c.Generation)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error; "" means valid
	}{
		{name: "defaults", mutate: func(*Config) {}},
		{name: "time window", mutate: func(c *Config) { c.Window, c.MinCalls = TimeWindow, 100 }},
		{name: "slow detection", mutate: func(c *Config) { c.SlowCall, c.SlowRatio = time.Second, 1 }},
		{name: "window", mutate: func(c *Config) { c.Window = "sliding" }, want: `window: must be "count" or "time", got "sliding"`},
		{name: "size zero", mutate: func(c *Config) { c.Size = 0 }, want: "size: must be in [1,1048576], got 0"},
		{name: "size huge", mutate: func(c *Config) { c.Size = MaxSize + 1 }, want: "size: must be in"},
		{name: "period", mutate: func(c *Config) { c.Period = 0 }, want: "period: must be at least 10ns"},
		{name: "min calls", mutate: func(c *Config) { c.MinCalls = 0 }, want: "min_calls: must be >= 1, got 0"},
		{name: "min calls above size", mutate: func(c *Config) { c.MinCalls = 21 }, want: "min_calls: must be <= size (20) for a count window, got 21"},
		{name: "failure ratio high", mutate: func(c *Config) { c.FailureRatio = 1.5 }, want: "failure_ratio: must be in (0,1], got 1.5"},
		{name: "failure ratio zero", mutate: func(c *Config) { c.FailureRatio = 0 }, want: "failure_ratio: must be in (0,1], got 0"},
		{name: "slow call", mutate: func(c *Config) { c.SlowCall = -time.Second }, want: "slow_call: must be >= 0 (0 disables), got -1s"},
		{name: "slow ratio", mutate: func(c *Config) { c.SlowRatio = -0.1 }, want: "slow_ratio: must be in (0,1], got -0.1"},
		{name: "open wait", mutate: func(c *Config) { c.OpenWait = 0 }, want: "open_wait: must be > 0, got 0s"},
		{name: "half-open calls", mutate: func(c *Config) { c.HalfOpenCalls = 0 }, want: "half_open_calls: must be >= 1, got 0"},
		{name: "zero config", mutate: func(c *Config) { *c = Config{} }, want: "half_open_calls:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mutate(&cfg)
			err := cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if _, err := New(cfg); err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.want)
			}
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigYAML(t *testing.T) {
	src := `
window: time
size: 50
period: 30s
min_calls: 5
failure_ratio: 0.25
slow_call: 800ms
slow_ratio: 0.75
open_wait: 2s
half_open_calls: 1
half_open_rule: ratios
`
	got := DefaultConfig()
	if err := yaml.Unmarshal([]byte(src), &got); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Window: TimeWindow, Size: 50, Period: 30 * time.Second, MinCalls: 5, FailureRatio: 0.25,
		SlowCall: 800 * time.Millisecond, SlowRatio: 0.75, OpenWait: 2 * time.Second, HalfOpenCalls: 1,
		HalfOpenRule: Ratios,
	}
	if got != want {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestStateString(t *testing.T) {
	tests := []struct {
		s    State
		want string
		num  int
	}{
		{Closed, "closed", 0},
		{Open, "open", 1},
		{HalfOpen, "half-open", 2},
		{State(7), "state(7)", 7},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want || int(tt.s) != tt.num {
			t.Errorf("State(%d).String() = %q, want %q (value %d)", int(tt.s), got, tt.want, tt.num)
		}
	}
}
