// Package circuitbreaker is the Circuit Breaker pattern as a topology:
// client → shop → payments. The shop calls payments with a timeout and,
// when the call fails or the breaker refuses it, answers a degraded
// fallback ("payment pending") instead of an error. The baseline is the
// same shop with the breaker switched off: timeout only.
//
// It must not import scenarios, reports, testbeds or cmd.
package circuitbreaker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
	"github.com/faultline/faultline/patterns/policy/breaker"
	"github.com/faultline/faultline/patterns/policy/breaker/breakerprom"
)

// Service names.
const (
	Shop     = "shop"
	Payments = "payments"
)

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `breaker: {open_wait: 5s}`.
type Config struct {
	Shop     ShopConfig        `yaml:"shop" json:"shop"`
	Breaker  BreakerConfig     `yaml:"breaker" json:"breaker"`
	Payments dependency.Config `yaml:"payments" json:"payments"`
}

// ShopConfig is the caller's side: its own capacity and its call timeout.
type ShopConfig struct {
	// Timeout bounds each call to payments.
	Timeout  time.Duration    `yaml:"timeout" json:"timeout"`
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
}

// BreakerConfig switches the breaker on and configures it.
type BreakerConfig struct {
	Enabled        bool `yaml:"enabled" json:"enabled"`
	breaker.Config `yaml:",inline"`
}

// New returns the circuit breaker pattern. Its defaults:
//
//   - shop: 1s call timeout; 32 workers, a queue of 64 waiting at most 1s.
//   - breaker: on; a count window of the last 20 calls; trips when at least
//     10 calls were seen and ≥50% failed or ≥50% took longer than 300ms;
//     stays open 2s; then lets 3 probe calls through.
//   - payments: ~5ms log-normal service time, 32 workers, a queue of 64.
//
// Its baseline is the same shop with the breaker off: timeout only.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "circuit-breaker",
		Description: "client → shop → payments; the shop wraps its payments calls in a circuit breaker and answers a degraded fallback when it is open",
		Topology: patterns.Topology{
			Services: []string{Payments, Shop},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: Shop},
				{From: Shop, To: Payments},
			},
			Entry:        Shop,
			Downstream:   Payments,
			StateService: Shop,
			StateMetric:  breakerprom.StateMetric,
			StateNames:   breakerprom.StateNames,
		},
		Defaults: defaults,
		Baseline: func(c *Config) { c.Breaker.Enabled = false },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Payments: dependency.Service(Payments, func(c *Config) dependency.Config { return c.Payments }),
			Shop:     newShop,
		},
	})
}

// defaults returns the defaults New documents.
func defaults() *Config {
	b := breaker.DefaultConfig()
	b.Size = 20
	b.MinCalls = 10
	b.FailureRatio = 0.5
	b.SlowCall = 300 * time.Millisecond
	b.SlowRatio = 0.5
	b.OpenWait = 2 * time.Second
	b.HalfOpenCalls = 3
	return &Config{
		Shop: ShopConfig{
			Timeout:  time.Second,
			Capacity: service.Capacity{Workers: 32, Queue: 64, QueueTimeout: time.Second},
		},
		Breaker:  BreakerConfig{Enabled: true, Config: b},
		Payments: dependency.DefaultConfig(),
	}
}

// validate checks a configuration; a breaker that is off is not checked.
func validate(c *Config) error {
	var errs []error
	if c.Shop.Timeout <= 0 {
		errs = append(errs, field.Errorf("shop.timeout", "must be > 0, got %s", c.Shop.Timeout))
	}
	errs = append(errs, field.In("shop.capacity", c.Shop.Capacity.Validate()))
	if c.Breaker.Enabled {
		errs = append(errs, field.In("breaker", c.Breaker.Config.Validate()))
	}
	errs = append(errs, field.In("payments", c.Payments.Validate()))
	return errors.Join(errs...)
}

// shop answers POST /checkout by calling payments through the breaker.
type shop struct {
	payments string
	timeout  time.Duration
	client   *http.Client
	breaker  *breaker.Breaker // nil: baseline
	calls    *prometheus.CounterVec
}

func newShop(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	s := &shop{
		payments: env.Upstream(Payments) + "/pay",
		timeout:  c.Shop.Timeout,
		client:   service.NewClient(4 * c.Shop.Capacity.Workers),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_breaker_calls_total",
			Help: "Calls to payments by outcome: permitted, rejected (breaker open), success, failure, slow.",
		}, []string{"outcome"}),
	}
	env.Registry.MustRegister(s.calls)
	if c.Breaker.Enabled {
		b, err := breakerprom.New(c.Breaker.Config, env.Registry)
		if err != nil {
			return nil, nil, fmt.Errorf("breaker: %w", err)
		}
		s.breaker = b
	}
	limiter := service.NewLimiter(c.Shop.Capacity, Shop, env.Registry)
	mux := http.NewServeMux()
	mux.Handle("/checkout", limiter.Wrap(s))
	return mux, s.close, nil
}

// close releases what the shop holds: idle connections and the breaker's
// timer.
func (s *shop) close() {
	s.client.CloseIdleConnections()
	if s.breaker != nil {
		s.breaker.Close()
	}
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.breaker == nil {
		s.answer(w, s.call(r.Context()) == nil)
		return
	}
	permit, err := s.breaker.Allow()
	if err != nil {
		s.calls.WithLabelValues("rejected").Inc()
		s.answer(w, false)
		return
	}
	start := time.Now()
	err = s.call(r.Context())
	if r.Context().Err() != nil {
		permit.Release() // the client left; no verdict on payments
		return
	}
	permit.Done(err == nil, time.Since(start))
	s.answer(w, err == nil)
}

// call makes one payments call within the timeout.
func (s *shop) call(ctx context.Context) error {
	s.calls.WithLabelValues("permitted").Inc()
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.payments, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.calls.WithLabelValues("failure").Inc()
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		s.calls.WithLabelValues("failure").Inc()
		return fmt.Errorf("payments answered %s", resp.Status)
	}
	s.calls.WithLabelValues("success").Inc()
	return nil
}

// answer writes the checkout's answer: confirmed when payments took it, a
// degraded "payment pending" fallback otherwise.
func (s *shop) answer(w http.ResponseWriter, paid bool) {
	w.Header().Set("Content-Type", "application/json")
	if !paid {
		w.Header().Set(patterns.DegradedHeader, "1")
		_, _ = io.WriteString(w, `{"status":"accepted","payment":"pending"}`+"\n")
		return
	}
	_, _ = io.WriteString(w, `{"status":"confirmed","payment":"captured"}`+"\n")
}
