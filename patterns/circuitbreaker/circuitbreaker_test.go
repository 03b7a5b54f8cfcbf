package circuitbreaker

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
)

// shopAgainst builds the shop handler in front of a fake payments service.
func shopAgainst(t *testing.T, cfg *Config, payments http.HandlerFunc) http.Handler {
	t.Helper()
	srv := httptest.NewServer(payments)
	t.Cleanup(srv.Close)
	h, stop, err := New().Handler(context.Background(), Shop, cfg, patterns.Env{
		Upstream: func(string) string { return srv.URL },
		Seed:     1,
		Registry: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return h
}

func checkout(h http.Handler) (code int, degraded bool) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/checkout", nil))
	return rec.Code, rec.Header().Get(patterns.DegradedHeader) == "1"
}

// TestShopFallsBackAndBreakerShieldsPayments: with payments failing, both
// variants answer a degraded fallback, but only the breaker stops calling
// payments.
func TestShopFallsBackAndBreakerShieldsPayments(t *testing.T) {
	tests := []struct {
		name      string
		cfg       *Config
		wantCalls func(int64) bool
	}{
		{"baseline calls payments every time", New().BaselineConfig().(*Config), func(n int64) bool { return n == 100 }},
		{"breaker opens after its minimum calls", New().DefaultConfig().(*Config), func(n int64) bool { return n <= 20 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			h := shopAgainst(t, tt.cfg, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				http.Error(w, "down", http.StatusInternalServerError)
			})
			for i := range 100 {
				if code, degraded := checkout(h); code != http.StatusOK || !degraded {
					t.Fatalf("checkout %d = %d degraded=%v, want 200 degraded", i, code, degraded)
				}
			}
			if n := calls.Load(); !tt.wantCalls(n) {
				t.Errorf("payments called %d times", n)
			}
		})
	}
}

func TestShopTimesOutSlowPayments(t *testing.T) {
	cfg := New().BaselineConfig().(*Config)
	cfg.Shop.Timeout = 50 * time.Millisecond
	h := shopAgainst(t, cfg, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	})
	start := time.Now()
	if code, degraded := checkout(h); code != http.StatusOK || !degraded {
		t.Fatalf("checkout = %d degraded=%v, want 200 degraded", code, degraded)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("checkout took %v, want about the 50ms timeout", took)
	}
}

func TestValidate(t *testing.T) {
	p := New()
	mut := func(f func(*Config)) *Config { c := p.DefaultConfig().(*Config); f(c); return c }
	tests := []struct {
		cfg  any
		want string // substring; "" means valid
	}{
		{p.DefaultConfig(), ""},
		{p.BaselineConfig(), ""},
		{mut(func(c *Config) { c.Shop.Timeout = 0 }), "shop.timeout: must be > 0"},
		{mut(func(c *Config) { c.Shop.Capacity.Workers = 0 }), "shop.capacity.workers"},
		{mut(func(c *Config) { c.Breaker.FailureRatio = 2 }), "breaker.failure_ratio"},
		{mut(func(c *Config) { c.Breaker.FailureRatio, c.Breaker.OpenWait = 2, 0 }), "breaker.failure_ratio: must be in (0,1], got 2\nbreaker.open_wait: must be > 0, got 0s"},
		{mut(func(c *Config) { c.Breaker.Enabled = false; c.Breaker.FailureRatio = 2 }), ""}, // off: not checked
		{mut(func(c *Config) { c.Payments.Latency.Dist = "x" }), "payments.latency.dist"},
		{struct{}{}, "circuit-breaker: configuration is struct {}, want *circuitbreaker.Config"},
	}
	for _, tt := range tests {
		err := p.Validate(tt.cfg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate = %v, want nil", err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Validate = %v, want an error containing %q", err, tt.want)
		}
	}
}
