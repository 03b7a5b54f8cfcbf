package deploy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	toxiserver "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/faultline/faultline/patterns"
)

func TestProxyName(t *testing.T) {
	tests := []struct {
		edge patterns.Edge
		want string
	}{
		{patterns.Edge{From: patterns.Client, To: "shop"}, patterns.Client + "_to_shop"},
		{patterns.Edge{From: "shop", To: "payments"}, "shop_to_payments"},
	}
	for _, tt := range tests {
		if got := ProxyName(tt.edge); got != tt.want {
			t.Errorf("ProxyName(%s) = %q, want %q", tt.edge, got, tt.want)
		}
		if strings.ContainsAny(ProxyName(tt.edge), "/>?#") {
			t.Errorf("ProxyName(%s) = %q: not safe in a URL path", tt.edge, ProxyName(tt.edge))
		}
	}
}

// TestToxiproxyClient checks that the real Toxiproxy API accepts the
// client, which it does not for a browser's User-Agent.
func TestToxiproxyClient(t *testing.T) {
	srv := httptest.NewServer(toxiserver.NewServer(toxiserver.NewMetricsContainer(nil), zerolog.Nop()).Routes())
	defer srv.Close()
	c := ToxiproxyClient(srv.Listener.Addr().String())
	if _, err := c.Version(); err != nil {
		t.Fatalf("Version() = %v", err)
	}
	if _, err := c.Proxies(); err != nil {
		t.Fatalf("Proxies() = %v", err)
	}
}

// healthServer answers 503 to its first failures requests, 200 after.
func healthServer(t *testing.T, failures int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= failures {
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestWaitHealthy(t *testing.T) {
	srv, calls := healthServer(t, 3)
	if err := WaitHealthy(t.Context(), srv.URL, 10*time.Second); err != nil {
		t.Fatalf("WaitHealthy = %v, want nil once the service answers 200", err)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d health checks, want 3 failed and 1 good", n)
	}
}

func TestWaitHealthyGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()
	failing, _ := healthServer(t, 1<<62)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		url     string
		timeout time.Duration
		want    error  // wrapped
		last    string // in the message
	}{
		{"never 200", t.Context(), failing.URL, 100 * time.Millisecond, context.DeadlineExceeded, "503 Service Unavailable"},
		{"refused", t.Context(), refused, 100 * time.Millisecond, context.DeadlineExceeded, "connection refused"},
		{"ctx done", canceled, failing.URL, time.Minute, context.Canceled, "last:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := WaitHealthy(tt.ctx, tt.url, tt.timeout)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.last) {
				t.Errorf("WaitHealthy = %v, want %v with %q", err, tt.want, tt.last)
			}
			if took := time.Since(start); tt.want == context.DeadlineExceeded && took < tt.timeout {
				t.Errorf("gave up after %v, before the %v timeout", took, tt.timeout)
			}
		})
	}
	if err := WaitHealthy(t.Context(), "::bad url", time.Minute); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitHealthy(bad URL) = %v, want the URL's error at once", err)
	}
}
