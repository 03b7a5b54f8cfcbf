package bulkhead

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
	bulkheadpolicy "github.com/faultline/faultline/patterns/policy/bulkhead"
)

func TestValidate(t *testing.T) {
	p := New()
	tests := []testkit.ConfigCase[Config]{
		{Name: "defaults"},
		{Name: "baseline", Base: true},
		{Name: "no timeout", Mutate: func(c *Config) { c.Storefront.Timeout = 0 }, Want: []string{"storefront.timeout: must be > 0"}},
		{Name: "no workers", Mutate: func(c *Config) { c.Storefront.Capacity.Workers = 0 }, Want: []string{"storefront.capacity.workers"}},
		{Name: "bad bulkhead", Mutate: func(c *Config) { c.Bulkheads.Reviews.MaxConcurrent = 0 }, Want: []string{"bulkheads.reviews.max_concurrent"}},
		{Name: "bad bulkheads", Mutate: func(c *Config) {
			c.Bulkheads.Inventory.MaxWait = -1
			c.Bulkheads.Reviews.MaxWait = -1
		}, Want: []string{"bulkheads.inventory.max_wait", "bulkheads.reviews.max_wait"}},
		{Name: "bad shared pool, unused", Mutate: func(c *Config) { c.Storefront.SharedPool.MaxConcurrent = 0 }},
		{Name: "bad shared pool, used", Base: true, Mutate: func(c *Config) { c.Storefront.SharedPool.MaxConcurrent = 0 },
			Want: []string{"storefront.shared_pool.max_concurrent"}},
		{Name: "bad bulkhead, unused", Base: true, Mutate: func(c *Config) { c.Bulkheads.Reviews.MaxConcurrent = 0 }},
		{Name: "bad dependency", Mutate: func(c *Config) { c.Reviews.Latency.Dist = "pareto" }, Want: []string{"reviews.latency.dist"}},
	}
	testkit.Validate(t, p.DefaultConfig, p.BaselineConfig, p.Validate, tests)
	if err := p.Validate(struct{}{}); err == nil {
		t.Error("Validate(struct{}{}) = nil, want a type error")
	}
}

func TestBaselineSharesOnePoolOfTheBulkheadsTotal(t *testing.T) {
	p := New()
	def, base := p.DefaultConfig().(*Config), p.BaselineConfig().(*Config)
	if !def.Bulkheads.Enabled || base.Bulkheads.Enabled {
		t.Fatalf("bulkheads enabled: default %v, baseline %v; want true, false", def.Bulkheads.Enabled, base.Bulkheads.Enabled)
	}
	if total := def.Bulkheads.Inventory.MaxConcurrent + def.Bulkheads.Reviews.MaxConcurrent; total != base.Storefront.SharedPool.MaxConcurrent {
		t.Errorf("bulkheads hold %d slots, the shared pool %d: a fair comparison gives both the same", total, base.Storefront.SharedPool.MaxConcurrent)
	}
}

func TestConfigYAMLKeys(t *testing.T) {
	c := New().DefaultConfig().(*Config)
	src := "storefront: {timeout: 300ms, shared_pool: {max_concurrent: 3, max_wait: 50ms}}\n" +
		"bulkheads: {enabled: false, reviews: {max_concurrent: 2, max_wait: 5ms}}\n"
	if err := yaml.UnmarshalWithOptions([]byte(src), c, yaml.Strict()); err != nil {
		t.Fatal(err)
	}
	if c.Storefront.Timeout != 300*time.Millisecond ||
		c.Storefront.SharedPool != (bulkheadpolicy.Config{MaxConcurrent: 3, MaxWait: 50 * time.Millisecond}) ||
		c.Bulkheads.Enabled ||
		c.Bulkheads.Reviews != (bulkheadpolicy.Config{MaxConcurrent: 2, MaxWait: 5 * time.Millisecond}) ||
		c.Bulkheads.Inventory.MaxConcurrent != 8 {
		t.Errorf("decoded %+v", c)
	}
}

// fakeDeps serves inventory and reviews in-process; reviews calls block
// until released (or their caller leaves).
type fakeDeps struct {
	inventory, reviews *httptest.Server
	arrived            chan struct{}
	release            chan struct{}
	once               sync.Once
}

func newFakeDeps(t *testing.T) *fakeDeps {
	f := &fakeDeps{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	f.inventory = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("stock"))
	}))
	f.reviews = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.arrived <- struct{}{}
		select {
		case <-f.release:
		case <-r.Context().Done():
		}
		_, _ = w.Write([]byte("reviews"))
	}))
	t.Cleanup(func() {
		f.unblock()
		f.inventory.Close()
		f.reviews.Close()
	})
	return f
}

func (f *fakeDeps) unblock() { f.once.Do(func() { close(f.release) }) }

func (f *fakeDeps) env(reg *prometheus.Registry) patterns.Env {
	return patterns.Env{
		Upstream: func(callee string) string {
			switch callee {
			case Inventory:
				return f.inventory.URL
			case Reviews:
				return f.reviews.URL
			}
			return ""
		},
		Registry: reg,
	}
}

// answer is what the client got.
type answer struct {
	status   int
	degraded bool
}

func get(t *testing.T, h http.Handler, path string) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return answer{rec.Code, rec.Header().Get(patterns.DegradedHeader) == "1"}
}

// gauge reads one pool metric from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name, pool string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "pool" && l.GetValue() == pool {
					return value(m)
				}
			}
		}
	}
	t.Fatalf("no %s{pool=%q}", name, pool)
	return 0
}

func value(m *dto.Metric) float64 {
	if m.Gauge != nil {
		return m.Gauge.GetValue()
	}
	return m.Counter.GetValue()
}

// TestRoutesWhileReviewsHangs holds the only reviews slot (or the only
// shared slot) with a hanging reviews call, then checks both routes.
func TestRoutesWhileReviewsHangs(t *testing.T) {
	tests := []struct {
		name              string
		bulkheads         bool
		pool              string // the pool the hanging call holds
		inventory, review answer
	}{
		// Reviews' own bulkhead is full: reviews falls back at once,
		// inventory is untouched.
		{name: "bulkheads", bulkheads: true, pool: Reviews,
			inventory: answer{http.StatusOK, false}, review: answer{http.StatusOK, true}},
		// The shared pool is full: both routes are refused after the
		// wait; reviews falls back, inventory fails.
		{name: "shared pool", pool: SharedPool,
			inventory: answer{http.StatusServiceUnavailable, false}, review: answer{http.StatusOK, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps := newFakeDeps(t)
			reg := prometheus.NewRegistry()
			c := New().DefaultConfig().(*Config)
			c.Storefront.Timeout = 10 * time.Second
			c.Bulkheads.Enabled = tt.bulkheads
			c.Bulkheads.Reviews = bulkheadpolicy.Config{MaxConcurrent: 1, MaxWait: 0}
			c.Storefront.SharedPool = bulkheadpolicy.Config{MaxConcurrent: 1, MaxWait: 20 * time.Millisecond}
			h, stop, err := New().Handler(context.Background(), Storefront, c, deps.env(reg))
			if err != nil {
				t.Fatal(err)
			}
			defer stop()

			hanging := make(chan answer, 1)
			go func() { hanging <- get(t, h, "/reviews") }()
			<-deps.arrived
			if got := gauge(t, reg, InUseMetric, tt.pool); got != 1 {
				t.Errorf("%s{pool=%q} = %v with a call hanging, want 1", InUseMetric, tt.pool, got)
			}

			if got := get(t, h, "/inventory"); got != tt.inventory {
				t.Errorf("GET /inventory = %+v, want %+v", got, tt.inventory)
			}
			if got := get(t, h, "/reviews"); got != tt.review {
				t.Errorf("GET /reviews = %+v, want %+v", got, tt.review)
			}
			wantRejected := 1.0
			if !tt.bulkheads {
				wantRejected = 2 // inventory's call too
			}
			if got := gauge(t, reg, RejectedMetric, tt.pool); got != wantRejected {
				t.Errorf("%s{pool=%q} = %v, want %v", RejectedMetric, tt.pool, got, wantRejected)
			}

			deps.unblock()
			if got := <-hanging; got != (answer{http.StatusOK, false}) {
				t.Errorf("the hanging reviews call answered %+v once released, want 200", got)
			}
			if got := gauge(t, reg, InUseMetric, tt.pool); got != 0 {
				t.Errorf("%s{pool=%q} = %v at rest, want 0", InUseMetric, tt.pool, got)
			}
		})
	}
}

// TestTimeouts: a call that outlasts the timeout is an error on the
// inventory route and a fallback on the reviews route.
func TestTimeouts(t *testing.T) {
	deps := newFakeDeps(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	deps.inventory.Close()
	deps.inventory = slow
	c := New().DefaultConfig().(*Config)
	c.Storefront.Timeout = 30 * time.Millisecond
	h, stop, err := New().Handler(context.Background(), Storefront, c, deps.env(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if got, want := get(t, h, "/inventory"), (answer{http.StatusGatewayTimeout, false}); got != want {
		t.Errorf("GET /inventory = %+v, want %+v", got, want)
	}
	if got, want := get(t, h, "/reviews"), (answer{http.StatusOK, true}); got != want {
		t.Errorf("GET /reviews = %+v, want %+v", got, want)
	}
	if got, want := get(t, h, "/nope"), http.StatusNotFound; got.status != want {
		t.Errorf("GET /nope = %d, want %d", got.status, want)
	}
}

func TestHandlerRejectsUnknownServiceAndBadConfig(t *testing.T) {
	p := New()
	env := patterns.Env{Upstream: func(string) string { return "" }, Registry: prometheus.NewRegistry()}
	if _, _, err := p.Handler(context.Background(), "nope", p.DefaultConfig(), env); err == nil {
		t.Error("Handler(nope) = nil error")
	}
	bad := p.DefaultConfig().(*Config)
	bad.Storefront.Timeout = 0
	if _, _, err := p.Handler(context.Background(), Storefront, bad, env); err == nil {
		t.Error("Handler(bad config) = nil error")
	}
	for _, s := range p.Topology().Services {
		if _, stop, err := p.Handler(context.Background(), s, p.DefaultConfig(), patterns.Env{
			Upstream: func(string) string { return "http://127.0.0.1:1" }, Registry: prometheus.NewRegistry(),
		}); err != nil {
			t.Errorf("Handler(%s) = %v", s, err)
		} else {
			stop()
		}
	}
}
