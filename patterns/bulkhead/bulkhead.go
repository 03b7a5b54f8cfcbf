// Package bulkhead is the Bulkhead pattern as a topology: client →
// storefront → inventory and reviews. The storefront serves GET /inventory
// and GET /reviews, each by calling its dependency, and it has finite
// resources for those outbound calls, as real services do (a worker or
// connection pool).
//
// The baseline makes every outbound call through one shared pool: when
// reviews slows down, its calls take every slot, and inventory calls wait
// behind them and fail too. The pattern gives each dependency its own
// bulkhead (the policy patterns/policy/bulkhead) out of the same total, with a short wait,
// so a slow reviews service only ties up the reviews bulkhead.
//
// Reviews are optional: when the reviews call is refused or fails, the
// storefront answers a degraded fallback (no reviews). Inventory is
// essential: when the inventory call is refused or fails, the storefront
// answers an error.
//
// It must not import scenarios, reports, testbeds or cmd.
package bulkhead

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
	bulkheadpolicy "github.com/faultline/faultline/patterns/policy/bulkhead"
)

// Service names.
const (
	Storefront = "storefront"
	Inventory  = "inventory"
	Reviews    = "reviews"
)

// SharedPool is the pool label of the baseline's single outbound pool;
// bulkheads are labelled with their dependency's name.
const SharedPool = "shared"

// Metric names of the outbound pools, each labelled pool="shared",
// "inventory" or "reviews".
const (
	InUseMetric    = "faultline_bulkhead_in_use"
	WaitingMetric  = "faultline_bulkhead_waiting"
	LimitMetric    = "faultline_bulkhead_max_concurrent"
	RejectedMetric = "faultline_bulkhead_rejected_total"
	// CallsMetric counts the storefront's dependency calls, labelled by
	// dependency and outcome (ok, failed, timeout, rejected, canceled).
	CallsMetric = "faultline_storefront_calls_total"
)

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `bulkheads: {reviews: {max_concurrent: 4}}`.
type Config struct {
	Storefront StorefrontConfig  `yaml:"storefront" json:"storefront"`
	Bulkheads  BulkheadsConfig   `yaml:"bulkheads" json:"bulkheads"`
	Inventory  dependency.Config `yaml:"inventory" json:"inventory"`
	Reviews    dependency.Config `yaml:"reviews" json:"reviews"`
}

// StorefrontConfig is the caller's side.
type StorefrontConfig struct {
	// Timeout bounds each dependency call once it has a slot.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Capacity bounds the requests the storefront serves at once. It is
	// generous: the outbound pools are what is under test.
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
	// SharedPool is the one outbound pool both routes use when bulkheads
	// are off, as in a service that makes every outbound call from one
	// worker or connection pool.
	SharedPool bulkheadpolicy.Config `yaml:"shared_pool" json:"shared_pool"`
}

// BulkheadsConfig switches per-dependency bulkheads on (the shared pool is
// then unused) and sizes them.
type BulkheadsConfig struct {
	Enabled   bool                  `yaml:"enabled" json:"enabled"`
	Inventory bulkheadpolicy.Config `yaml:"inventory" json:"inventory"`
	Reviews   bulkheadpolicy.Config `yaml:"reviews" json:"reviews"`
}

// New returns the bulkhead pattern. Its defaults:
//
//   - storefront: 1s call timeout; 256 workers and a queue of 256 (1s),
//     more than the load needs, so only the outbound pools are scarce.
//   - bulkheads: on; 8 concurrent calls for inventory (essential) and 4 for
//     reviews (optional), each waiting at most 20ms for a slot.
//   - shared pool (baseline): 12 concurrent calls, the bulkheads' total,
//     waiting at most 1s for a slot (as long as a call may take).
//   - inventory, reviews: ~5ms log-normal service time, 32 workers, a
//     queue of 64.
//
// Its baseline is the same storefront with bulkheads off: every outbound
// call through the shared pool.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "bulkhead",
		Description: "client → storefront → inventory and reviews; the storefront gives each dependency its own bulkhead, so a slow reviews service cannot take the slots inventory calls need",
		Topology: patterns.Topology{
			Services: []string{Inventory, Reviews, Storefront},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: Storefront},
				{From: Storefront, To: Inventory},
				{From: Storefront, To: Reviews},
			},
			Entry:      Storefront,
			Downstream: Reviews,
			Gauges:     []string{InUseMetric, WaitingMetric, LimitMetric},
			Counters:   []string{RejectedMetric, CallsMetric},
		},
		Defaults: defaults,
		Baseline: func(c *Config) { c.Bulkheads.Enabled = false },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Inventory: dependency.Service(Inventory, func(c *Config) dependency.Config { return c.Inventory }),
			// Another seed, so the two dependencies draw different times.
			Reviews:    dependency.Service(Reviews, func(c *Config) dependency.Config { return c.Reviews }, dependency.SeedOffset(1)),
			Storefront: newStorefront,
		},
	})
}

// defaults returns the defaults New documents.
func defaults() *Config {
	return &Config{
		Storefront: StorefrontConfig{
			Timeout:    time.Second,
			Capacity:   service.Capacity{Workers: 256, Queue: 256, QueueTimeout: time.Second},
			SharedPool: bulkheadpolicy.Config{MaxConcurrent: 12, MaxWait: time.Second},
		},
		Bulkheads: BulkheadsConfig{
			Enabled:   true,
			Inventory: bulkheadpolicy.Config{MaxConcurrent: 8, MaxWait: 20 * time.Millisecond},
			Reviews:   bulkheadpolicy.Config{MaxConcurrent: 4, MaxWait: 20 * time.Millisecond},
		},
		Inventory: dependency.DefaultConfig(),
		Reviews:   dependency.DefaultConfig(),
	}
}

// validate checks a configuration; of the pools, only those in use.
func validate(c *Config) error {
	var errs []error
	if c.Storefront.Timeout <= 0 {
		errs = append(errs, field.Errorf("storefront.timeout", "must be > 0, got %s", c.Storefront.Timeout))
	}
	errs = append(errs, field.In("storefront.capacity", c.Storefront.Capacity.Validate()))
	if c.Bulkheads.Enabled {
		errs = append(errs,
			field.In("bulkheads.inventory", c.Bulkheads.Inventory.Validate()),
			field.In("bulkheads.reviews", c.Bulkheads.Reviews.Validate()))
	} else {
		errs = append(errs, field.In("storefront.shared_pool", c.Storefront.SharedPool.Validate()))
	}
	errs = append(errs,
		field.In("inventory", c.Inventory.Validate()),
		field.In("reviews", c.Reviews.Validate()))
	return errors.Join(errs...)
}

// newStorefront builds the storefront: a route per dependency, each calling
// it through its pool (its own bulkhead, or the shared pool).
func newStorefront(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	var pools []labelled
	newPool := func(label string, cfg bulkheadpolicy.Config) (*bulkheadpolicy.Bulkhead, error) {
		b, err := bulkheadpolicy.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s pool: %w", label, err)
		}
		pools = append(pools, labelled{label, b})
		return b, nil
	}
	var inv, rev *bulkheadpolicy.Bulkhead
	var err error
	if c.Bulkheads.Enabled {
		if inv, err = newPool(Inventory, c.Bulkheads.Inventory); err != nil {
			return nil, nil, err
		}
		if rev, err = newPool(Reviews, c.Bulkheads.Reviews); err != nil {
			return nil, nil, err
		}
	} else {
		if inv, err = newPool(SharedPool, c.Storefront.SharedPool); err != nil {
			return nil, nil, err
		}
		rev = inv
	}
	env.Registry.MustRegister(newPoolMetrics(pools))

	calls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: CallsMetric,
		Help: "Dependency calls by outcome: ok, failed (error answer or connection), timeout, rejected (no slot in the pool), canceled (the client left).",
	}, []string{"dependency", "outcome"})
	env.Registry.MustRegister(calls)

	var clients []*http.Client
	newRoute := func(dep string, pool *bulkheadpolicy.Bulkhead, fallback bool, path, body string) *route {
		client := service.NewClient(256) // one per dependency, each sized for every storefront worker
		clients = append(clients, client)
		return &route{
			dep:      dep,
			url:      env.Upstream(dep) + path,
			pool:     pool,
			timeout:  c.Storefront.Timeout,
			client:   client,
			fallback: fallback,
			body:     body,
			calls:    calls,
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /inventory", newRoute(Inventory, inv, false, "/stock", `{"sku":"sku-1","in_stock":true}`+"\n"))
	mux.Handle("GET /reviews", newRoute(Reviews, rev, true, "/reviews", `{"sku":"sku-1","reviews":[{"stars":5,"text":"solid"}]}`+"\n"))
	limiter := service.NewLimiter(c.Storefront.Capacity, Storefront, env.Registry)
	stop := func() {
		for _, cl := range clients {
			cl.CloseIdleConnections()
		}
	}
	return limiter.Wrap(mux), stop, nil
}

// route serves one storefront path by calling one dependency through a
// pool.
type route struct {
	dep      string
	url      string
	pool     *bulkheadpolicy.Bulkhead
	timeout  time.Duration
	client   *http.Client
	fallback bool   // answer a degraded fallback instead of an error
	body     string // the answer when the call succeeds
	calls    *prometheus.CounterVec
}

// Dependency call outcomes, as faultline_storefront_calls_total counts them.
const (
	outcomeOK       = "ok"
	outcomeFailed   = "failed"
	outcomeTimeout  = "timeout"
	outcomeRejected = "rejected"
	outcomeCanceled = "canceled"
)

func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	permit, err := rt.pool.Acquire(r.Context())
	if err != nil {
		if r.Context().Err() != nil {
			rt.calls.WithLabelValues(rt.dep, outcomeCanceled).Inc()
			return // the client left
		}
		rt.calls.WithLabelValues(rt.dep, outcomeRejected).Inc()
		rt.fail(w, http.StatusServiceUnavailable, "no capacity to call "+rt.dep)
		return
	}
	outcome := rt.call(r.Context())
	permit.Release()
	rt.calls.WithLabelValues(rt.dep, outcome).Inc()
	switch outcome {
	case outcomeOK:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, rt.body)
	case outcomeTimeout:
		rt.fail(w, http.StatusGatewayTimeout, rt.dep+" timed out")
	case outcomeCanceled:
	default:
		rt.fail(w, http.StatusBadGateway, rt.dep+" failed")
	}
}

// call makes one dependency call within the timeout and says how it went.
func (rt *route) call(parent context.Context) string {
	ctx, cancel := context.WithTimeout(parent, rt.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rt.url, nil)
	if err != nil {
		return outcomeFailed
	}
	resp, err := rt.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	switch {
	case parent.Err() != nil:
		return outcomeCanceled
	case ctx.Err() != nil:
		return outcomeTimeout
	case err != nil || resp.StatusCode >= 500:
		return outcomeFailed
	}
	return outcomeOK
}

// fail answers a refused or failed call: a degraded fallback on a route
// that has one, an error otherwise.
func (rt *route) fail(w http.ResponseWriter, status int, msg string) {
	if !rt.fallback {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(patterns.DegradedHeader, "1")
	_, _ = io.WriteString(w, `{"sku":"sku-1","reviews":[],"note":"reviews are unavailable right now"}`+"\n")
}

// poolMetrics exports every pool's occupancy, read from the pools when
// scraped.
type poolMetrics struct {
	inUse, waiting, limit, rejected *prometheus.Desc
	pools                           []labelled
}

// labelled is a pool and its pool label.
type labelled struct {
	label string
	b     *bulkheadpolicy.Bulkhead
}

func newPoolMetrics(pools []labelled) *poolMetrics {
	return &poolMetrics{
		inUse:    prometheus.NewDesc(InUseMetric, "Slots of the outbound pool taken by calls in flight.", []string{"pool"}, nil),
		waiting:  prometheus.NewDesc(WaitingMetric, "Calls waiting for a slot of the outbound pool.", []string{"pool"}, nil),
		limit:    prometheus.NewDesc(LimitMetric, "Slots of the outbound pool (its max_concurrent).", []string{"pool"}, nil),
		rejected: prometheus.NewDesc(RejectedMetric, "Calls the outbound pool refused (full, or no slot within its max wait).", []string{"pool"}, nil),
		pools:    pools,
	}
}

// Describe implements prometheus.Collector.
func (m *poolMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.inUse
	ch <- m.waiting
	ch <- m.limit
	ch <- m.rejected
}

// Collect implements prometheus.Collector.
func (m *poolMetrics) Collect(ch chan<- prometheus.Metric) {
	for _, p := range m.pools {
		c := p.b.Counts()
		ch <- prometheus.MustNewConstMetric(m.inUse, prometheus.GaugeValue, float64(c.InUse), p.label)
		ch <- prometheus.MustNewConstMetric(m.waiting, prometheus.GaugeValue, float64(c.Waiting), p.label)
		ch <- prometheus.MustNewConstMetric(m.limit, prometheus.GaugeValue, float64(p.b.MaxConcurrent()), p.label)
		ch <- prometheus.MustNewConstMetric(m.rejected, prometheus.CounterValue, float64(c.Rejected), p.label)
	}
}
