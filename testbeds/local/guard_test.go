package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/testbeds"
	deploypkg "github.com/faultline/faultline/testbeds/internal/deploy"
	"github.com/faultline/faultline/testbeds/local"
)

// TestToxiproxyAPIGuarded pins that the embedded Toxiproxy API of a local
// run is no relay for strangers (it used to answer 201 to a proxy on
// 0.0.0.0 forwarding anywhere), while the Toxiproxy client, as
// toxiproxy-cli uses it, still lists and edits the run's proxies.
func TestToxiproxyAPIGuarded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := circuitbreaker.New()
	d, err := local.New().Deploy(ctx, testbeds.Variant{Pattern: p, Config: p.BaselineConfig(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	api := "http://" + local.ToxiproxyAddr(d)

	tests := []struct {
		name, host, origin, ctype, body string
		want                            int
	}{
		{"relay on every interface", "", "", "application/json", `{"name":"r","listen":"0.0.0.0:0","upstream":"127.0.0.1:22"}`, http.StatusForbidden},
		{"loopback relay to outside", "", "", "application/json", `{"name":"r","listen":"127.0.0.1:0","upstream":"example.com:80"}`, http.StatusForbidden},
		{"populate a relay", "", "", "application/json", `[{"name":"r","listen":"[::]:0","upstream":"127.0.0.1:22"}]`, http.StatusForbidden},
		{"rebinding Host", "rebind.evil.example:8474", "", "application/json", `{"name":"r","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}`, http.StatusForbidden},
		{"foreign Origin", "", "http://evil.example", "application/json", `{"name":"r","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}`, http.StatusForbidden},
		{"text/plain body", "", "", "text/plain", `{"name":"r","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}`, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/proxies"
			if strings.HasPrefix(tt.body, "[") {
				path = "/populate"
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api+path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			req.Header.Set("User-Agent", "curl/8")
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}

	// The official client (toxiproxy-cli's) still works.
	c := deploypkg.ToxiproxyClient(local.ToxiproxyAddr(d))
	proxies, err := c.Proxies()
	if err != nil || len(proxies) != 2 {
		t.Fatalf("client lists %d proxies, %v; want the run's 2 and nothing else", len(proxies), err)
	}
	px := proxies["shop_to_payments"]
	px.Enabled = false
	if err := px.Save(); err != nil {
		t.Errorf("client disables a proxy: %v", err)
	}
	if _, err := px.AddToxic("slow", "latency", "downstream", 1, map[string]any{"latency": 10}); err != nil {
		t.Errorf("client adds a toxic: %v", err)
	}
}
