// Package retry is faultline's reference retry policy: a bounded number of
// attempts, exponential backoff with full jitter between them, and a retry
// budget that caps retries to a share of calls.
//
// It follows failsafe-go's shape (one small policy per package, a Do that
// runs a function under the policy) and the literature it cites:
//
//   - Backoff is AWS's "Exponential Backoff and Jitter" with full jitter: the
//     delay before retry n is drawn uniformly from [0, min(MaxDelay,
//     BaseDelay·2^(n-1))), so callers that failed together do not retry
//     together.
//   - The budget is Finagle's RetryBudget (also gRPC's retry throttling and
//     Envoy's retry budget): over a sliding window, retries are at most Ratio
//     × calls plus a small reserve. Backoff only spreads retries out in time;
//     the budget is what bounds how much they multiply a failing
//     dependency's load, which is what keeps a brief overload from becoming
//     a lasting, retry-sustained one (Bronson et al., "Metastable Failures in
//     Distributed Systems", HotOS 2021).
//
// Usage:
//
//	p, err := retry.New(cfg, retry.WithRetryable(func(err error) bool {
//		return !errors.Is(err, breaker.ErrOpen)
//	}))
//	...
//	err = p.Do(ctx, func(ctx context.Context) error {
//		return callOnce(ctx) // with its own per-attempt timeout
//	})
//
// Do allocates nothing of its own when no backoff delay is waited (see
// BenchmarkRetryPath); waiting a delay costs one timer.
//
// It is a policy (patterns/policy): a leaf library, with no HTTP and no
// metrics library and, of faultline, only its internal packages (it waits
// its backoff with internal/clock). Callers export metrics through an
// Observer or by reading Budget.Counts.
//
// It must not import patterns, faults, scenarios, reports, testbeds, cmd or github.com/prometheus/client_golang.
package retry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/faultline/faultline/internal/clock"
)

// Observer receives a policy's decisions, for metrics. Its methods are
// called synchronously from Do and must be cheap.
type Observer interface {
	// OnRetry is called when Do decides to make attempt (2 for the first
	// retry) after waiting delay.
	OnRetry(attempt int, delay time.Duration)
	// OnThrottled is called when the budget refuses the retry that would
	// have been attempt; Do then returns the last attempt's error.
	OnThrottled(attempt int)
}

// Option customises a Policy (or a Budget: only WithClock applies).
type Option func(*options)

type options struct {
	clock     clock.Clock
	rand      func() float64
	seed      uint64
	retryable func(error) bool
	obs       Observer
	sleep     func(context.Context, time.Duration) error
}

func newOptions(opts []Option) options {
	o := options{clock: clock.System{}, seed: 1, retryable: func(error) bool { return true }, sleep: clock.Sleep}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithClock makes the budget read the time from c instead of time.Now
// (tests pass a clock.Manual). A nil c is ignored.
func WithClock(c clock.Clock) Option {
	return func(o *options) {
		if c != nil {
			o.clock = c
		}
	}
}

// WithSeed seeds the jitter's random source (default 1), so that a run's
// delays are reproducible.
func WithSeed(seed int64) Option {
	return func(o *options) { o.seed = uint64(seed) }
}

// WithRand draws jitter from f, which must return values in [0, 1) and be
// safe for concurrent use. A nil f is ignored. It overrides WithSeed.
func WithRand(f func() float64) Option {
	return func(o *options) {
		if f != nil {
			o.rand = f
		}
	}
}

// WithRetryable makes Do retry only the errors f accepts (default: every
// error). Errors that say nothing about the next attempt's chances, such as
// an open circuit breaker or a bad request, should be refused.
func WithRetryable(f func(error) bool) Option {
	return func(o *options) {
		if f != nil {
			o.retryable = f
		}
	}
}

// WithObserver sends the policy's decisions to obs. A nil obs is ignored.
func WithObserver(obs Observer) Option {
	return func(o *options) {
		if obs != nil {
			o.obs = obs
		}
	}
}

// WithSleep makes Do wait with f instead of a timer; f returns an error
// (the context's) when the wait was cut short. For tests. A nil f is
// ignored.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(o *options) {
		if f != nil {
			o.sleep = f
		}
	}
}

// Policy retries calls. It is safe for concurrent use. Create one with New.
type Policy struct {
	maxAttempts int
	base, ceil  time.Duration
	jitter      bool
	budget      *Budget // nil: no budget
	rand        func() float64
	retryable   func(error) bool
	obs         Observer
	sleep       func(context.Context, time.Duration) error
}

// New returns a policy for cfg, or an error if cfg is invalid.
func New(cfg Config, opts ...Option) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("retry: invalid config: %w", err)
	}
	o := newOptions(opts)
	p := &Policy{
		maxAttempts: cfg.MaxAttempts,
		base:        cfg.BaseDelay,
		ceil:        cfg.MaxDelay,
		jitter:      cfg.Jitter == JitterFull,
		rand:        o.rand,
		retryable:   o.retryable,
		obs:         o.obs,
		sleep:       o.sleep,
	}
	if p.rand == nil {
		p.rand = lockedRand(o.seed)
	}
	if cfg.Budget.Enabled {
		b, err := NewBudget(cfg.Budget, WithClock(o.clock))
		if err != nil {
			return nil, err
		}
		p.budget = b
	}
	return p, nil
}

// Budget returns the policy's budget, or nil when it has none.
func (p *Policy) Budget() *Budget { return p.budget }

// MaxAttempts returns the number of attempts a call gets.
func (p *Policy) MaxAttempts() int { return p.maxAttempts }

// Ceiling is the backoff ceiling before retry n (1 for the first retry):
// min(MaxDelay, BaseDelay·2^(n-1)), and 0 for n < 1.
func (p *Policy) Ceiling(n int) time.Duration {
	if n < 1 || p.base <= 0 {
		return 0
	}
	shift := n - 1
	if shift >= 62 || p.base > p.ceil>>shift {
		return p.ceil
	}
	return p.base << shift
}

// Backoff is the delay before retry n (1 for the first retry): the ceiling
// itself without jitter, a uniform draw from [0, ceiling) with full jitter.
func (p *Policy) Backoff(n int) time.Duration {
	c := p.Ceiling(n)
	if !p.jitter || c <= 0 {
		return c
	}
	return time.Duration(p.rand() * float64(c))
}

// Do calls fn until it succeeds, at most MaxAttempts times. Between
// attempts it waits Backoff, and before each retry it asks the budget. It
// stops early, returning the last attempt's error, when the error is not
// retryable (WithRetryable), the budget refuses the retry, or ctx is done;
// when ctx ends while Do waits, it returns ctx's error. fn gets ctx; it
// should bound each attempt with its own timeout.
func (p *Policy) Do(ctx context.Context, fn func(context.Context) error) error {
	if p.budget != nil {
		p.budget.Deposit()
	}
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if attempt >= p.maxAttempts || ctx.Err() != nil || !p.retryable(err) {
			return err
		}
		if p.budget != nil && !p.budget.Withdraw() {
			if p.obs != nil {
				p.obs.OnThrottled(attempt + 1)
			}
			return err
		}
		d := p.Backoff(attempt)
		if p.obs != nil {
			p.obs.OnRetry(attempt+1, d)
		}
		if d > 0 {
			if err := p.sleep(ctx, d); err != nil {
				return err
			}
		}
	}
}

// lockedRand returns a concurrency-safe uniform [0, 1) source seeded with seed.
func lockedRand(seed uint64) func() float64 {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 0x7265747279)) // "retry"
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}
}
