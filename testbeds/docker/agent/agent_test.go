package agent_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/testbeds/docker/agent"
)

// TestConfigRoundTrip checks that every pattern's default and baseline
// configurations survive the trip into a container unchanged.
func TestConfigRoundTrip(t *testing.T) {
	for _, p := range catalog.All() {
		for name, cfg := range map[string]any{"default": p.DefaultConfig(), "baseline": p.BaselineConfig()} {
			b, err := agent.EncodeConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := agent.DecodeConfig(p, b)
			if err != nil {
				t.Fatalf("%s %s: %v", p.Name(), name, err)
			}
			if !reflect.DeepEqual(got, cfg) {
				t.Errorf("%s %s: decoded\n%+v\nwant\n%+v", p.Name(), name, got, cfg)
			}
		}
	}
}

func TestServiceErrors(t *testing.T) {
	cb := circuitbreaker.New().Name()
	up := map[string]string{"payments": "http://127.0.0.1:1"}
	tests := []struct {
		s    agent.Service
		want string
	}{
		{agent.Service{Pattern: "nope", Name: "shop"}, `unknown pattern "nope"`},
		{agent.Service{Pattern: cb, Name: "cart"}, `pattern circuit-breaker has no service "cart" (services: payments, shop)`},
		{agent.Service{Pattern: cb, Name: "shop"}, "shop calls payments: no upstream given for it"},
		{agent.Service{Pattern: cb, Name: "payments", Upstreams: up}, "upstream payments: payments does not call it"},
		{agent.Service{Pattern: cb, Name: "shop", Upstreams: up, Config: []byte(`{"shop":{"bogus":1}}`)}, `decode circuit-breaker configuration: json: unknown field "bogus"`},
		{agent.Service{Pattern: cb, Name: "shop", Upstreams: up, Config: []byte(`{"shop":{"timeout":0}}`)}, "circuit-breaker configuration: shop.timeout: must be > 0"},
	}
	for _, tt := range tests {
		_, _, _, err := tt.s.Handler(t.Context())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: Handler = %v, want %q", tt.s, err, tt.want)
		}
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveInBackground runs serve until the test ends and checks it returned
// cleanly.
func serveInBackground(t *testing.T, serve func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("serve did not return after its context was cancelled")
		}
	})
}

// TestServeTopology runs the circuit breaker's two services and the
// Toxiproxy server as containers would, wired through a Toxiproxy proxy,
// and checks a checkout goes through and a proxy fault reaches the shop.
func TestServeTopology(t *testing.T) {
	p := circuitbreaker.New()
	cfg, err := agent.EncodeConfig(p.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}

	payLn, payCtl := listen(t), listen(t)
	serveInBackground(t, func(ctx context.Context) error {
		return agent.ServeService(ctx, payLn, payCtl, agent.Service{Pattern: p.Name(), Name: "payments", Config: cfg, Seed: 1})
	})
	edgeLn := listen(t) // a free port for the edge's proxy
	edgeAddr := edgeLn.Addr().String()
	edgeLn.Close()
	allowed := map[string]string{edgeAddr: payLn.Addr().String()}

	tpLn := listen(t)
	serveInBackground(t, func(ctx context.Context) error { return agent.ServeToxiproxy(ctx, tpLn, io.Discard, allowed, "") })
	tp := toxiclient.NewClient(tpLn.Addr().String())
	tp.UserAgent = "faultline"
	if _, err := tp.CreateProxy("relay", "0.0.0.0:0", "example.com:80"); err == nil {
		t.Error("the API opened a proxy it was not allowed")
	}
	edge, err := tp.CreateProxy("shop_to_payments", edgeAddr, payLn.Addr().String())
	if err != nil {
		t.Fatal(err)
	}

	shopLn, shopCtl := listen(t), listen(t)
	serveInBackground(t, func(ctx context.Context) error {
		return agent.ServeService(ctx, shopLn, shopCtl, agent.Service{
			Pattern: p.Name(), Name: "shop", Config: cfg, Seed: 1,
			Upstreams: map[string]string{"payments": "http://" + edge.Listen},
		})
	})

	checkout := func() (degraded bool) {
		t.Helper()
		resp, err := http.Post("http://"+shopLn.Addr().String()+"/checkout", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("checkout: %s", resp.Status)
		}
		return resp.Header.Get(patterns.DegradedHeader) == "1"
	}
	if checkout() {
		t.Error("checkout degraded with payments healthy")
	}
	if err := edge.Disable(); err != nil {
		t.Fatal(err)
	}
	if !checkout() {
		t.Error("checkout not degraded with the payments edge down")
	}
	// Metrics and the fault API are on the control port only.
	for _, path := range []string{"/metrics", "/_faultline/faults"} {
		resp, err := http.Get("http://" + shopLn.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("data port GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	resp, err := http.Get("http://" + shopCtl.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `faultline_http_requests_total{code="200",service="shop"} 2`) {
		t.Errorf("shop metrics lack its two checkouts:\n%s", body)
	}
}

// TestServeStopsOnCancel checks that a service stops serving once its
// context is done and that a bad service never listens.
func TestServeStopsOnCancel(t *testing.T) {
	ln, ctl := listen(t), listen(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- agent.ServeService(ctx, ln, ctl, agent.Service{Pattern: "circuit-breaker", Name: "payments"})
	}()
	url := "http://" + ln.Addr().String() + "/healthz"
	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Get(url); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after cancel")
	}

	bad := listen(t)
	err = agent.ServeService(t.Context(), bad, listen(t), agent.Service{Pattern: "nope"})
	if err == nil {
		t.Fatal("ServeService of an unknown pattern: no error")
	}
	if _, err := bad.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listener of a bad service left open: %v", err)
	}
}
