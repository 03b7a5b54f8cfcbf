// Package dependency is the configurable downstream service every pattern
// uses to model what it calls: a service-time distribution, bounded
// capacity (workers and a queue, so overload queues and then rejects) and a
// response size. A pattern declares one with Service; Sampler draws service
// times for services of its own. It is a building block (patterns/kit): it
// knows no pattern.
//
// It must not import patterns/catalog, patterns/policy, scenarios, reports, testbeds or cmd.
package dependency

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Distributions of service time.
const (
	Constant    = "constant"
	Uniform     = "uniform"     // mean ± spread
	Exponential = "exponential" // memoryless, with the given mean
	LogNormal   = "lognormal"   // mean and spread (standard deviation)
)

// Latency is a service-time distribution.
type Latency struct {
	Dist   string        `yaml:"dist" json:"dist"`
	Mean   time.Duration `yaml:"mean" json:"mean"`
	Spread time.Duration `yaml:"spread" json:"spread"`
}

// Config configures a dependency.
type Config struct {
	Latency       Latency          `yaml:"latency" json:"latency"`
	Capacity      service.Capacity `yaml:"capacity" json:"capacity"`
	ResponseBytes int              `yaml:"response_bytes" json:"response_bytes"`
	// IgnoreCancel makes the service finish what it was asked to do even
	// when the caller has gone, as most real servers do (they only notice a
	// client left when they write the answer): a request whose caller gave
	// up keeps its place in the queue (up to QueueTimeout) and, once it has
	// a worker, occupies it for its full service time. Callers that time out
	// and retry then multiply the work the service does, which is what lets
	// retries sustain an overload. Default false: queued and running
	// requests stop as soon as the caller's context is done.
	IgnoreCancel bool `yaml:"ignore_cancel" json:"ignore_cancel"`
}

// DefaultConfig is a healthy service: ~5 ms log-normal service time, 32
// workers, a queue of 64, 256-byte answers.
func DefaultConfig() Config {
	return Config{
		Latency:       Latency{Dist: LogNormal, Mean: 5 * time.Millisecond, Spread: 2 * time.Millisecond},
		Capacity:      service.Capacity{Workers: 32, Queue: 64, QueueTimeout: time.Second},
		ResponseBytes: 256,
	}
}

// Validate checks the configuration and returns a field error
// (internal/field) naming the first offending field by its YAML key.
func (c Config) Validate() error {
	switch c.Latency.Dist {
	case Constant, Uniform, Exponential, LogNormal:
	default:
		return field.Errorf("latency.dist", "must be one of constant, uniform, exponential, lognormal; got %q", c.Latency.Dist)
	}
	if c.Latency.Mean < 0 {
		return field.Errorf("latency.mean", "must be >= 0, got %s", c.Latency.Mean)
	}
	if c.Latency.Spread < 0 {
		return field.Errorf("latency.spread", "must be >= 0, got %s", c.Latency.Spread)
	}
	if err := c.Capacity.Validate(); err != nil {
		return field.In("capacity", err)
	}
	if c.ResponseBytes < 0 || c.ResponseBytes > 1<<20 {
		return field.Errorf("response_bytes", "must be in [0, 1MiB], got %d", c.ResponseBytes)
	}
	return nil
}

// Sampler draws service times from a Latency, reproducibly for a seed.
type Sampler struct {
	lat Latency
	mu  sync.Mutex
	rng *rand.Rand
	// log-normal parameters, derived once
	mu0, sigma float64
}

// NewSampler returns a sampler for l seeded with seed.
func NewSampler(l Latency, seed int64) *Sampler {
	s := &Sampler{lat: l, rng: rand.New(rand.NewPCG(uint64(seed), 0x6465706e))}
	if l.Dist == LogNormal && l.Mean > 0 {
		m, sd := float64(l.Mean), float64(l.Spread)
		s.sigma = math.Sqrt(math.Log1p(sd * sd / (m * m)))
		s.mu0 = math.Log(m) - s.sigma*s.sigma/2
	}
	return s
}

// Next draws one service time.
func (s *Sampler) Next() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := float64(s.lat.Mean)
	var v float64
	switch s.lat.Dist {
	case Uniform:
		v = m + (s.rng.Float64()*2-1)*float64(s.lat.Spread)
	case Exponential:
		v = s.rng.ExpFloat64() * m
	case LogNormal:
		if m > 0 {
			v = math.Exp(s.mu0 + s.sigma*s.rng.NormFloat64())
		}
	default:
		v = m
	}
	return time.Duration(max(v, 0))
}

// Service returns the builder of a dependency service called name (its
// capacity metrics' pool label), whose configuration pick takes from the
// pattern's. A pattern declares its downstream services with it:
//
//	Payments: dependency.Service(Payments, func(c *Config) dependency.Config { return c.Payments }),
func Service[C any](name string, pick func(c *C) Config, opts ...Option) patterns.Builder[C] {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return func(_ context.Context, c *C, env patterns.Env) (http.Handler, func(), error) {
		return Handler(name, pick(c), env.Seed+o.seedOffset, env.Registry), nil, nil
	}
}

// An Option changes the service Service builds.
type Option func(*options)

type options struct {
	seedOffset int64
}

// SeedOffset makes the service draw its times with the testbed's seed plus
// n. Give the dependencies of one pattern different offsets, so that they
// do not draw the same times.
func SeedOffset(n int64) Option { return func(o *options) { o.seedOffset = n } }

// Handler serves every path: it takes a worker (or queues, or answers 503),
// spends a service time, and answers 200 with ResponseBytes of body. With
// IgnoreCancel it does so even for callers that have gone.
func Handler(name string, c Config, seed int64, reg prometheus.Registerer) http.Handler {
	limiter := service.NewLimiter(c.Capacity, name, reg)
	sampler := NewSampler(c.Latency, seed)
	body := make([]byte, c.ResponseBytes)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	h := limiter.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := clock.Sleep(r.Context(), sampler.Next()); err != nil {
			return // the caller gave up
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	if !c.IgnoreCancel {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
	})
}
