package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/local"
)

// checkout posts one checkout and returns its status and whether it was a
// degraded fallback.
func checkout(t *testing.T, entry string) (int, bool) {
	t.Helper()
	resp, err := http.Post(entry+"/checkout", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatalf("checkout: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(patterns.DegradedHeader) == "1"
}

func TestDeployKillRestartClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := circuitbreaker.New()
	cfg := p.BaselineConfig()
	d, err := local.New().Deploy(ctx, testbeds.Variant{Pattern: p, Config: cfg, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)

	if code, degraded := checkout(t, d.Entry()); code != 200 || degraded {
		t.Fatalf("healthy checkout = %d degraded=%v, want 200 confirmed", code, degraded)
	}
	for service, url := range d.MetricsURLs() {
		resp, err := http.Get(url)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s metrics: %v %v", service, err, resp)
		}
		resp.Body.Close()
	}

	// Faults reach the topology through the official Toxiproxy client.
	proxy, err := d.Proxy("shop->payments")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proxy.AddToxic("slow", "latency", "downstream", 1, map[string]any{"latency": 1500}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if code, degraded := checkout(t, d.Entry()); code != 200 || !degraded {
		t.Fatalf("checkout with slow payments = %d degraded=%v, want 200 degraded", code, degraded)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Fatalf("checkout with slow payments took %s, want the shop's 1s timeout", took)
	}
	if err := proxy.RemoveToxic("slow"); err != nil {
		t.Fatal(err)
	}

	if err := d.Kill(ctx, circuitbreaker.Payments); err != nil {
		t.Fatal(err)
	}
	if code, degraded := checkout(t, d.Entry()); code != 200 || !degraded {
		t.Fatalf("checkout with payments killed = %d degraded=%v, want 200 degraded", code, degraded)
	}
	if err := d.Restart(ctx, circuitbreaker.Payments); err != nil {
		t.Fatal(err)
	}
	if code, degraded := checkout(t, d.Entry()); code != 200 || degraded {
		t.Fatalf("checkout after restart = %d degraded=%v, want 200 confirmed", code, degraded)
	}

	entry := d.Entry()
	if err := d.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := d.Close(ctx); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := http.Post(entry+"/checkout", "application/json", nil); err == nil {
		t.Fatal("entry proxy still answers after Close")
	}
}
