package bulkhead

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/faultline/faultline/internal/testkit"
)

func newTestBulkhead(t *testing.T, maxConcurrent int, maxWait time.Duration, opts ...Option) *Bulkhead {
	t.Helper()
	b, err := New(Config{MaxConcurrent: maxConcurrent, MaxWait: maxWait}, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none: valid
	}{
		{name: "defaults", cfg: DefaultConfig()},
		{name: "one slot, waiting", cfg: Config{MaxConcurrent: 1, MaxWait: time.Second}},
		{name: "zero slots", cfg: Config{MaxConcurrent: 0}, want: []string{"max_concurrent: must be in [1,"}},
		{name: "too many slots", cfg: Config{MaxConcurrent: MaxConcurrentLimit + 1}, want: []string{"max_concurrent"}},
		{name: "negative wait", cfg: Config{MaxConcurrent: 1, MaxWait: -time.Second}, want: []string{"max_wait: must be >= 0"}},
		{name: "every field", cfg: Config{MaxConcurrent: -1, MaxWait: -1}, want: []string{"max_concurrent", "max_wait"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.ErrorContains(t, "Validate()", tt.cfg.Validate(), tt.want)
			if len(tt.want) == 0 {
				if _, err := New(tt.cfg); err != nil {
					t.Fatalf("New() = %v, want nil", err)
				}
				return
			}
			if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), "invalid config") {
				t.Errorf("New() = %v, want an invalid config error", err)
			}
		})
	}
}

func TestConfigYAMLKeys(t *testing.T) {
	cfg := DefaultConfig()
	if err := yaml.Unmarshal([]byte("max_concurrent: 8\nmax_wait: 20ms\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if want := (Config{MaxConcurrent: 8, MaxWait: 20 * time.Millisecond}); cfg != want {
		t.Errorf("decoded %+v, want %+v", cfg, want)
	}
}

func TestAcquireWithoutWaiting(t *testing.T) {
	tests := []struct {
		name       string
		slots      int
		calls      int // Acquire calls, none released
		wantOK     int
		wantCounts Counts
	}{
		{name: "under the bound", slots: 3, calls: 2, wantOK: 2, wantCounts: Counts{InUse: 2}},
		{name: "at the bound", slots: 3, calls: 3, wantOK: 3, wantCounts: Counts{InUse: 3}},
		{name: "over the bound", slots: 3, calls: 5, wantOK: 3, wantCounts: Counts{InUse: 3, Rejected: 2}},
		{name: "one slot", slots: 1, calls: 4, wantOK: 1, wantCounts: Counts{InUse: 1, Rejected: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBulkhead(t, tt.slots, 0)
			var permits []Permit
			for i := range tt.calls {
				start := time.Now()
				p, err := b.Acquire(context.Background())
				switch {
				case i < tt.wantOK && err != nil:
					t.Fatalf("call %d: %v, want a slot", i, err)
				case i >= tt.wantOK && !errors.Is(err, ErrFull):
					t.Fatalf("call %d: %v, want ErrFull", i, err)
				case i >= tt.wantOK && time.Since(start) > 100*time.Millisecond:
					t.Errorf("call %d: rejection took %v, want at once", i, time.Since(start))
				}
				if err == nil {
					permits = append(permits, p)
				}
			}
			if got := b.Counts(); got != tt.wantCounts {
				t.Errorf("Counts() = %+v, want %+v", got, tt.wantCounts)
			}
			for _, p := range permits {
				p.Release()
			}
			if got := b.InUse(); got != 0 {
				t.Errorf("InUse() after releasing all = %d, want 0", got)
			}
			if _, err := b.TryAcquire(); err != nil {
				t.Errorf("TryAcquire() after releasing all = %v, want a slot", err)
			}
		})
	}
}

func TestWaiting(t *testing.T) {
	tests := []struct {
		name    string
		maxWait time.Duration
		// what happens while the call waits: nothing, a release, or its
		// context ends.
		release, cancel bool
		want            error
		wantCounts      Counts // after the waiter is done (its slot kept)
	}{
		{name: "a slot is freed", maxWait: 10 * time.Second, release: true,
			wantCounts: Counts{InUse: 1, Waited: 1}},
		{name: "max wait passes", maxWait: 30 * time.Millisecond, want: ErrFull,
			wantCounts: Counts{InUse: 1, Waited: 1, Rejected: 1}},
		{name: "the caller gives up", maxWait: 10 * time.Second, cancel: true, want: context.Canceled,
			wantCounts: Counts{InUse: 1, Waited: 1, Canceled: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBulkhead(t, 1, tt.maxWait)
			held, err := b.Acquire(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type result struct {
				p   Permit
				err error
				d   time.Duration
			}
			done := make(chan result, 1)
			go func() {
				start := time.Now()
				p, err := b.Acquire(ctx)
				done <- result{p, err, time.Since(start)}
			}()
			testkit.Until(t, 5*time.Second, "the call waits", func() bool { return b.Waiting() == 1 })
			switch {
			case tt.release:
				held.Release()
			case tt.cancel:
				cancel()
			}
			r := <-done
			if !errors.Is(r.err, tt.want) || (tt.want == nil) != (r.err == nil) {
				t.Fatalf("Acquire() = %v, want %v", r.err, tt.want)
			}
			if errors.Is(tt.want, ErrFull) && r.d < tt.maxWait {
				t.Errorf("rejected after %v, before max wait %v", r.d, tt.maxWait)
			}
			if got := b.Counts(); got != tt.wantCounts {
				t.Errorf("Counts() = %+v, want %+v", got, tt.wantCounts)
			}
			r.p.Release()
			if !tt.release {
				held.Release()
			}
			if c := b.Counts(); c.InUse != 0 || c.Waiting != 0 {
				t.Errorf("after releasing everything: %+v, want nothing in use or waiting", c)
			}
		})
	}
}

func TestContextDoneBeforeAcquire(t *testing.T) {
	b := newTestBulkhead(t, 1, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire(done ctx) = %v, want context.Canceled", err)
	}
	if c := b.Counts(); c != (Counts{Canceled: 1}) {
		t.Errorf("Counts() = %+v, want one canceled call and nothing in use", c)
	}
}

// TestFIFO queues waiters one after another and checks that released slots
// go to them in arrival order, and that a newcomer does not overtake them.
func TestFIFO(t *testing.T) {
	const waiters = 5
	b := newTestBulkhead(t, 1, 10*time.Second)
	held, _ := b.Acquire(context.Background())
	order := make(chan int, waiters)
	permits := make(chan Permit, waiters)
	for i := range waiters {
		go func() {
			p, err := b.Acquire(context.Background())
			if err != nil {
				t.Errorf("waiter %d: %v", i, err)
				return
			}
			order <- i
			permits <- p
		}()
		testkit.Until(t, 5*time.Second, "the waiter queues", func() bool { return b.Waiting() == i+1 })
	}
	held.Release()
	for want := range waiters {
		got := <-order
		if got != want {
			t.Fatalf("slot %d went to waiter %d, want %d", want, got, want)
		}
		if want < waiters-1 {
			// The slot is handed over, not freed: a newcomer cannot take it.
			if _, err := b.TryAcquire(); !errors.Is(err, ErrFull) {
				t.Fatalf("TryAcquire() with waiters queued = %v, want ErrFull", err)
			}
		}
		(<-permits).Release()
	}
	if c := b.Counts(); c.InUse != 0 || c.Waiting != 0 || c.Waited != waiters {
		t.Errorf("Counts() = %+v, want nothing in use or waiting and %d waited", c, waiters)
	}
}

func TestZeroPermit(t *testing.T) {
	var p Permit
	p.Release() // must not panic
	b := newTestBulkhead(t, 1, 0)
	held, _ := b.Acquire(context.Background())
	rejected, err := b.Acquire(context.Background())
	if !errors.Is(err, ErrFull) {
		t.Fatalf("Acquire() = %v, want ErrFull", err)
	}
	rejected.Release() // the zero Permit: frees nothing
	if got := b.InUse(); got != 1 {
		t.Errorf("InUse() = %d after releasing a rejected permit, want 1", got)
	}
	held.Release()
}

// recorder is an Observer that counts events.
type recorder struct {
	acquired, waitedAcquire, released, waits, full, gaveUp atomic.Int64
}

func (r *recorder) OnAcquire(waited time.Duration) {
	r.acquired.Add(1)
	if waited > 0 {
		r.waitedAcquire.Add(1)
	}
}
func (r *recorder) OnRelease() { r.released.Add(1) }
func (r *recorder) OnWait()    { r.waits.Add(1) }
func (r *recorder) OnReject(err error) {
	if errors.Is(err, ErrFull) {
		r.full.Add(1)
	} else {
		r.gaveUp.Add(1)
	}
}

func TestObserver(t *testing.T) {
	rec := &recorder{}
	b := newTestBulkhead(t, 1, 20*time.Millisecond, WithObserver(rec), WithObserver(nil))
	held, _ := b.Acquire(context.Background()) // acquired
	if _, err := b.Acquire(context.Background()); !errors.Is(err, ErrFull) {
		t.Fatalf("Acquire() on a full bulkhead = %v, want ErrFull", err) // waits, full
	}
	if _, err := b.TryAcquire(); !errors.Is(err, ErrFull) {
		t.Fatalf("TryAcquire() on a full bulkhead = %v, want ErrFull", err) // full
	}

	// A waiter that gets the slot, then one whose caller gives up.
	b.maxWait = time.Minute
	got := make(chan error, 1)
	go func() {
		p, err := b.Acquire(context.Background()) // waits, acquired after a wait
		p.Release()                               // released
		got <- err
	}()
	testkit.Until(t, 5*time.Second, "the call waits", func() bool { return b.Waiting() == 1 })
	held.Release() // released
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	held, _ = b.Acquire(context.Background()) // acquired
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := b.Acquire(ctx) // waits, gave up
		got <- err
	}()
	testkit.Until(t, 5*time.Second, "the call waits", func() bool { return b.Waiting() == 1 })
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire() = %v, want context.Canceled", err)
	}
	held.Release() // released

	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"OnAcquire", rec.acquired.Load(), 3},
		{"OnAcquire after a wait", rec.waitedAcquire.Load(), 1},
		{"OnRelease", rec.released.Load(), 3},
		{"OnWait", rec.waits.Load(), 3},
		{"OnReject(ErrFull)", rec.full.Load(), 2},
		{"OnReject(ctx error)", rec.gaveUp.Load(), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s called %d times, want %d", c.name, c.got, c.want)
		}
	}
}

// TestConcurrentUse hammers a small bulkhead from many goroutines and checks
// that the bound is never exceeded, every call ends one way or another, and
// the bulkhead ends empty. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	for _, maxWait := range []time.Duration{0, 200 * time.Microsecond, time.Second} {
		t.Run(maxWait.String(), func(t *testing.T) {
			const slots, goroutines, calls = 4, 16, 150
			rec := &recorder{}
			b := newTestBulkhead(t, slots, maxWait, WithObserver(rec))
			var inside, peak, ok, full atomic.Int64
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for range calls {
						p, err := b.Acquire(context.Background())
						if err != nil {
							if !errors.Is(err, ErrFull) {
								t.Errorf("Acquire() = %v", err)
							}
							full.Add(1)
							continue
						}
						n := inside.Add(1)
						for {
							m := peak.Load()
							if n <= m || peak.CompareAndSwap(m, n) {
								break
							}
						}
						if n > slots {
							t.Errorf("%d calls inside a bulkhead of %d", n, slots)
						}
						time.Sleep(time.Duration(n) * 50 * time.Microsecond)
						inside.Add(-1)
						ok.Add(1)
						p.Release()
					}
				})
			}
			wg.Wait()
			c := b.Counts()
			if c.InUse != 0 || c.Waiting != 0 {
				t.Errorf("Counts() at the end = %+v, want nothing in use or waiting", c)
			}
			if got := ok.Load() + full.Load(); got != goroutines*calls {
				t.Errorf("%d calls ended, want %d", got, goroutines*calls)
			}
			if int64(c.Rejected) != full.Load() || rec.full.Load() != full.Load() {
				t.Errorf("rejected: counted %d, observed %d, returned %d", c.Rejected, rec.full.Load(), full.Load())
			}
			if rec.acquired.Load() != ok.Load() || rec.released.Load() != ok.Load() {
				t.Errorf("observed %d acquires and %d releases, want %d", rec.acquired.Load(), rec.released.Load(), ok.Load())
			}
			if peak.Load() > slots {
				t.Errorf("peak concurrency %d > %d", peak.Load(), slots)
			}
			t.Logf("max wait %v: %d acquired (%d waited), %d rejected, peak %d", maxWait, ok.Load(), c.Waited, full.Load(), peak.Load())
		})
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	b := newTestBulkhead(t, 4, time.Second, WithObserver(&recorder{}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tests := []struct {
		name string
		f    func()
	}{
		{"Acquire+Release", func() {
			p, err := b.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			p.Release()
		}},
		{"TryAcquire+Release", func() {
			p, err := b.TryAcquire()
			if err != nil {
				t.Fatal(err)
			}
			p.Release()
		}},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(1000, tt.f); n != 0 {
			t.Errorf("%s allocates %.1f times per call, want 0", tt.name, n)
		}
	}
	full := newTestBulkhead(t, 1, 0)
	full.Acquire(ctx)
	if n := testing.AllocsPerRun(1000, func() { full.Acquire(ctx) }); n != 0 {
		t.Errorf("a rejection allocates %.1f times per call, want 0", n)
	}
	// Waiters and their timers are pooled: waiting (here until MaxWait)
	// allocates nothing either, once warm.
	if raceEnabled {
		return
	}
	waiting := newTestBulkhead(t, 1, 200*time.Microsecond)
	waiting.Acquire(ctx)
	if n := testing.AllocsPerRun(50, func() {
		if _, err := waiting.Acquire(ctx); !errors.Is(err, ErrFull) {
			t.Fatalf("Acquire() = %v, want ErrFull", err)
		}
	}); n != 0 {
		t.Errorf("waiting allocates %.1f times per call, want 0", n)
	}
}

func TestReleasingTwiceWhenEmpty(t *testing.T) {
	b := newTestBulkhead(t, 2, time.Second)
	p, _ := b.Acquire(context.Background())
	p.Release()
	p.Release() // misuse: no slot is taken, so it is ignored
	if c := b.Counts(); c.InUse != 0 || c.Waiting != 0 {
		t.Fatalf("Counts() = %+v after a double release, want nothing in use or waiting", c)
	}
	for i := range 2 {
		if _, err := b.TryAcquire(); err != nil {
			t.Fatalf("TryAcquire() %d = %v, want a slot", i, err)
		}
	}
	if _, err := b.TryAcquire(); !errors.Is(err, ErrFull) {
		t.Fatalf("third TryAcquire() = %v, want ErrFull", err)
	}
}
