package apigateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
)

func TestValidate(t *testing.T) {
	p := New()
	tests := []testkit.ConfigCase[Config]{
		{Name: "defaults"},
		{Name: "baseline", Base: true},
		{Name: "part on an unknown backend", Mutate: func(c *Config) { c.Gateway.Aggregations[0].Parts[2].Backend = "reviews" },
			Want: []string{`gateway.aggregations[0].parts[2].backend: unknown backend "reviews"`}},
		{Name: "route on an unknown backend, baseline", Base: true, Mutate: func(c *Config) { c.Gateway.Routes[1].Backend = "" },
			Want: []string{"gateway.routes[1].backend: unknown backend"}},
		{Name: "rate limit 0", Mutate: func(c *Config) { c.Gateway.RateLimit.Rate = 0 }, Want: []string{"gateway.rate_limit.rate: must be > 0"}},
		{Name: "rate limit 0, baseline has none", Base: true, Mutate: func(c *Config) { c.Gateway.RateLimit.Rate = 0 }},
		{Name: "burst 0", Mutate: func(c *Config) { c.Gateway.RateLimit.Burst = 0 }, Want: []string{"gateway.rate_limit.burst"}},
		{Name: "bad key", Mutate: func(c *Config) { c.Gateway.RateLimit.Key = "cookie" }, Want: []string{`gateway.rate_limit.key: must be "sub" or "header:<Name>"`}},
		{Name: "header key", Mutate: func(c *Config) { c.Gateway.RateLimit.Key = "header:X-Tenant" }},
		{Name: "reserved tenant", Mutate: func(c *Config) { c.Gateway.RateLimit.Tenants = []string{"other"} }, Want: []string{"gateway.rate_limit.tenants[0]"}},
		{Name: "short secret", Mutate: func(c *Config) { c.Gateway.Auth.Secret = "x" }, Want: []string{"gateway.auth.secret"}},
		{Name: "no route timeout", Mutate: func(c *Config) { c.Gateway.Routes[0].Timeout = 0 }, Want: []string{"gateway.routes[0].timeout: must be > 0"}},
		{Name: "try longer than the route", Mutate: func(c *Config) { c.Gateway.Aggregations[0].Parts[0].Try.Timeout = time.Second },
			Want: []string{"gateway.aggregations[0].parts[0].try.timeout: 1s is longer than the route's timeout 500ms"}},
		{Name: "no attempts", Mutate: func(c *Config) { c.Gateway.Routes[2].Try.Attempts = 0 }, Want: []string{"gateway.routes[2].try.attempts"}},
		{Name: "duplicate prefix", Mutate: func(c *Config) { c.Gateway.Aggregations[0].Prefix = "/catalog/" },
			Want: []string{`gateway.aggregations[0].prefix: "/catalog/" is also the prefix of gateway.routes[0]`}},
		{Name: "bad prefix", Mutate: func(c *Config) { c.Gateway.Routes[0].Prefix = "catalog" }, Want: []string{"gateway.routes[0].prefix: must start and end with /"}},
		{Name: "no parts", Mutate: func(c *Config) { c.Gateway.Aggregations[0].Parts = nil }, Want: []string{"gateway.aggregations[0].parts: an aggregation needs"}},
		{Name: "part twice", Mutate: func(c *Config) { c.Gateway.Aggregations[0].Parts[1].Backend = Catalog }, Want: []string{"gateway.aggregations[0].parts[1].backend: \"catalog\" is already a part"}},
		{Name: "no connections", Mutate: func(c *Config) { c.Gateway.Connections = 0 }, Want: []string{"gateway.connections"}},
		{Name: "bad backend", Mutate: func(c *Config) { c.Recommendations.Capacity.Workers = 0 }, Want: []string{"recommendations.capacity.workers"}},
	}
	testkit.Validate(t, p.DefaultConfig, p.BaselineConfig, p.Validate, tests)
}

// TestBaselineHasTheSameResources: the baseline differs by the switch
// alone, so both have the same pools, routes and backends.
func TestBaselineHasTheSameResources(t *testing.T) {
	def, base := New().DefaultConfig().(*Config), New().BaselineConfig().(*Config)
	if !def.Gateway.Enabled || base.Gateway.Enabled {
		t.Fatalf("enabled: default %v, baseline %v; want true, false", def.Gateway.Enabled, base.Gateway.Enabled)
	}
	if def.Gateway.Connections != base.Gateway.Connections || def.Gateway.Capacity != base.Gateway.Capacity ||
		def.Catalog != base.Catalog || def.Pricing != base.Pricing || def.Recommendations != base.Recommendations {
		t.Errorf("the baseline's resources differ from the pattern's: %+v vs %+v", base, def)
	}
}

// backends are in-process fakes of the three backends, counting calls.
type backends struct {
	srv   map[string]*httptest.Server
	calls map[string]*atomic.Int64
	// slow, when set, makes recommendations wait for its caller to leave;
	// broken makes it answer 500.
	slow, broken atomic.Bool
	deadline     atomic.Value // the last DeadlineHeader recommendations saw
}

func newBackends(t *testing.T) *backends {
	b := &backends{srv: map[string]*httptest.Server{}, calls: map[string]*atomic.Int64{}}
	b.deadline.Store("")
	for _, name := range Backends {
		n := &atomic.Int64{}
		b.calls[name] = n
		b.srv[name] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			if name == Recommendations {
				b.deadline.Store(r.Header.Get(DeadlineHeader))
				if b.broken.Load() {
					http.Error(w, "down", http.StatusInternalServerError)
					return
				}
				if b.slow.Load() {
					<-r.Context().Done()
					return
				}
			}
			_, _ = w.Write([]byte(name + ":" + r.URL.Path))
		}))
		t.Cleanup(b.srv[name].Close)
	}
	return b
}

func (b *backends) total() int64 {
	var n int64
	for _, c := range b.calls {
		n += c.Load()
	}
	return n
}

// gatewayOn builds a gateway over the fakes with short budgets: 200ms a
// route, 40ms a try.
func gatewayOn(t *testing.T, b *backends, enabled bool) (*gateway, *prometheus.Registry) {
	t.Helper()
	c := New().DefaultConfig().(*Config)
	c.Gateway.Enabled = enabled
	a := &c.Gateway.Aggregations[0]
	a.Timeout = 200 * time.Millisecond
	for i := range a.Parts {
		a.Parts[i].Try = Try{Timeout: 40 * time.Millisecond, Attempts: 2}
	}
	if err := New().Validate(c); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	env := patterns.Env{Upstream: func(s string) string { return b.srv[s].URL }, Registry: reg}
	return newHandler(c, env, newMetrics(reg)), reg
}

func token(t testing.TB, secret, sub string) string {
	t.Helper()
	tok, err := Mint(secret, sub)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

func get(h http.Handler, path, authorization string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	h.ServeHTTP(rec, req)
	return rec
}

func TestAggregation(t *testing.T) {
	tests := []struct {
		name       string
		enabled    bool
		slow, down bool
		status     int
		degraded   bool
		recsCalls  int64
	}{
		{name: "pattern, healthy", enabled: true, status: 200, recsCalls: 1},
		{name: "baseline, healthy", status: 200, recsCalls: 1},
		// Two tries of 40ms, then the answer without recommendations.
		{name: "pattern, recommendations hang", enabled: true, slow: true, status: 200, degraded: true, recsCalls: 2},
		{name: "pattern, recommendations fail", enabled: true, down: true, status: 200, degraded: true, recsCalls: 2},
		// All or nothing, and one try.
		{name: "baseline, recommendations fail", down: true, status: http.StatusBadGateway, recsCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackends(t)
			b.slow.Store(tt.slow)
			b.broken.Store(tt.down)
			g, reg := gatewayOn(t, b, tt.enabled)
			start := time.Now()
			rec := get(g, "/product/42", token(t, TestSecret, "tenant-a"))
			took := time.Since(start)
			if rec.Code != tt.status || (rec.Header().Get(patterns.DegradedHeader) == "1") != tt.degraded {
				t.Fatalf("answer %d degraded=%q, want %d degraded=%v: %s", rec.Code, rec.Header().Get(patterns.DegradedHeader), tt.status, tt.degraded, rec.Body)
			}
			if got := b.calls[Recommendations].Load(); got != tt.recsCalls {
				t.Errorf("recommendations calls = %d, want %d", got, tt.recsCalls)
			}
			if tt.slow && took > time.Second {
				t.Errorf("took %s with recommendations hanging, want about the 80ms of two tries", took)
			}
			if tt.status == 200 && !strings.Contains(rec.Body.String(), `"catalog":"catalog:/items/42"`) {
				t.Errorf("body %s lacks the catalog part", rec.Body)
			}
			if tt.degraded && !strings.Contains(rec.Body.String(), `"missing":["recommendations"]`) {
				t.Errorf("body %s does not say recommendations is missing", rec.Body)
			}
			partial := testutil.ToFloat64(g.routes[len(g.routes)-1].counters["tenant-a"].partial)
			if want := map[bool]float64{true: 1}[tt.degraded]; partial != want {
				t.Errorf("partial answers counted = %v, want %v", partial, want)
			}
			wantCalls := 2 + tt.recsCalls
			if n := testutil.CollectAndCount(reg, CallsMetric); n != 4*5*3 {
				t.Errorf("%d call series, want every route × tenant × backend (60) from the start", n)
			}
			if got := b.total(); got != wantCalls {
				t.Errorf("backend calls = %d, want %d", got, wantCalls)
			}
		})
	}
}

func TestRequiredPartFails(t *testing.T) {
	b := newBackends(t)
	g, _ := gatewayOn(t, b, true)
	g.routes[len(g.routes)-1].parts[2].required = true // recommendations
	b.broken.Store(true)
	if rec := get(g, "/product/42", token(t, TestSecret, "tenant-a")); rec.Code != http.StatusBadGateway {
		t.Errorf("answer %d, want 502 when a required part fails", rec.Code)
	}
	b.broken.Store(false)
	b.slow.Store(true)
	if rec := get(g, "/product/42", token(t, TestSecret, "tenant-a")); rec.Code != http.StatusGatewayTimeout {
		t.Errorf("answer %d, want 504 when a required part is late", rec.Code)
	}
	if d := b.deadline.Load().(string); d == "" || d == "0" {
		t.Errorf("%s = %q, want the milliseconds left of the route's budget", DeadlineHeader, d)
	}
}

// TestAuthAtTheEdge: a request without a valid token never reaches a
// backend with the pattern, and reaches all of them without it.
func TestAuthAtTheEdge(t *testing.T) {
	tests := []struct {
		name          string
		authorization string
	}{
		{"no token", ""},
		{"not bearer", "Basic dXNlcjpwYXNz"},
		{"garbage", "Bearer not.a.jwt"},
		{"bad signature", token(t, "another-secret-of-the-same-length", "tenant-a")},
		{"no subject", token(t, TestSecret, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackends(t)
			g, _ := gatewayOn(t, b, true)
			rec := get(g, "/product/1", tt.authorization)
			if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("answer %d, want 401 with WWW-Authenticate", rec.Code)
			}
			if n := b.total(); n != 0 {
				t.Errorf("%d backend calls, want none", n)
			}
			c := g.match("/product/1").counters[anonymous]
			if testutil.ToFloat64(c.unauthorized) != 1 || testutil.ToFloat64(c.requests) != 1 {
				t.Errorf("unauthorized %v of %v requests, want 1 of 1", testutil.ToFloat64(c.unauthorized), testutil.ToFloat64(c.requests))
			}

			base, _ := gatewayOn(t, b, false)
			if rec := get(base, "/product/1", tt.authorization); rec.Code != http.StatusOK {
				t.Errorf("baseline: answer %d, want 200 (no auth)", rec.Code)
			}
			if got := testutil.ToFloat64(base.match("/product/1").counters[anonymous].calls[Catalog]); got != 1 {
				t.Errorf("baseline: catalog calls counted for unauthenticated = %v, want 1", got)
			}
		})
	}
}

// TestRateLimitPerTenant: on a frozen clock, a tenant gets its burst and
// then 429s with Retry-After; another tenant is not affected.
func TestRateLimitPerTenant(t *testing.T) {
	b := newBackends(t)
	g, _ := gatewayOn(t, b, true)
	now := time.Unix(1_700_000_000, 0)
	g.now = func() time.Time { return now }
	noisy, quiet := token(t, TestSecret, "tenant-c"), token(t, TestSecret, "tenant-a")
	for i := range 15 {
		if rec := get(g, "/catalog/1", noisy); rec.Code != http.StatusOK {
			t.Fatalf("request %d of the burst: %d, want 200", i, rec.Code)
		}
	}
	rec := get(g, "/catalog/1", noisy)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("over the burst: %d Retry-After %q, want 429 and 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := get(g, "/catalog/1", quiet); rec.Code != http.StatusOK {
		t.Errorf("another tenant: %d, want 200", rec.Code)
	}
	if rec := get(g, "/catalog/1", token(t, TestSecret, "stranger")); rec.Code != http.StatusOK {
		t.Errorf("an unlisted tenant: %d, want 200 (its own bucket)", rec.Code)
	}
	now = now.Add(70 * time.Millisecond) // 15/s: one token back
	if rec := get(g, "/catalog/1", noisy); rec.Code != http.StatusOK {
		t.Errorf("after 50ms: %d, want 200", rec.Code)
	}
	r := g.match("/catalog/1")
	if got := testutil.ToFloat64(r.counters["tenant-c"].limited); got != 1 {
		t.Errorf("429s counted for tenant-c = %v, want 1", got)
	}
	if got := testutil.ToFloat64(r.counters[otherTenant].requests); got != 1 {
		t.Errorf("requests counted for other = %v, want 1", got)
	}
	if got := b.calls[Catalog].Load(); got != 18 {
		t.Errorf("catalog calls = %d, want 18 (the 429 made none)", got)
	}
}

// TestHeaderKey: with the key in a header, a request without it is refused.
func TestHeaderKey(t *testing.T) {
	b := newBackends(t)
	c := New().DefaultConfig().(*Config)
	c.Gateway.RateLimit.Key = "header:x-tenant"
	reg := prometheus.NewRegistry()
	g := newHandler(c, patterns.Env{Upstream: func(s string) string { return b.srv[s].URL }, Registry: reg}, newMetrics(reg))
	if rec := get(g, "/pricing/1", token(t, TestSecret, "tenant-a")); rec.Code != http.StatusUnauthorized {
		t.Errorf("no key: %d, want 401", rec.Code)
	}
	req := httptest.NewRequest(http.MethodGet, "/pricing/1", nil)
	req.Header.Set("Authorization", token(t, TestSecret, "tenant-a"))
	req.Header.Set("X-Tenant", "tenant-b")
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || testutil.ToFloat64(g.match("/pricing/").counters["tenant-b"].requests) != 1 {
		t.Errorf("keyed by header: %d, want 200 counted for tenant-b", rec.Code)
	}
}

func TestRouting(t *testing.T) {
	b := newBackends(t)
	g, _ := gatewayOn(t, b, true)
	auth := token(t, TestSecret, "tenant-a")
	tests := []struct{ path, body string }{
		{"/catalog/7?x=1", "catalog:/catalog/7"},
		{"/pricing/7", "pricing:/pricing/7"},
		{"/recommendations/a/b", "recommendations:/recommendations/a/b"},
	}
	for _, tt := range tests {
		if rec := get(g, tt.path, auth); rec.Code != 200 || rec.Body.String() != tt.body {
			t.Errorf("GET %s: %d %q, want 200 %q", tt.path, rec.Code, rec.Body, tt.body)
		}
	}
	if rec := get(g, "/nowhere", auth); rec.Code != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d, want 404", rec.Code)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/catalog/7", nil))
	if rec.Code != http.StatusMethodNotAllowed || b.total() != int64(len(tests)) {
		t.Errorf("POST /catalog/7: %d after %d backend calls, want 405 and no call", rec.Code, b.total()-int64(len(tests)))
	}
}
