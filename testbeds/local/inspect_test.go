package local_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/local"
)

// TestToxiproxyAPI checks that the address a deployment gives for its
// Toxiproxy API is the one toxiproxy-cli would talk to: its client, at that
// URL, lists a proxy per edge.
func TestToxiproxyAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := circuitbreaker.New()
	d, err := local.New().Deploy(ctx, testbeds.Variant{Pattern: p, Config: p.BaselineConfig(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	api := d.(testbeds.Inspectable).ToxiproxyAPI()
	if !strings.HasPrefix(api, "http://127.0.0.1:") {
		t.Fatalf("ToxiproxyAPI() = %q, want http://127.0.0.1:PORT", api)
	}
	c := toxiclient.NewClient(api)
	c.UserAgent = "toxiproxy-cli"
	proxies, err := c.Proxies()
	if err != nil {
		t.Fatalf("list proxies at %s: %v", api, err)
	}
	var names []string
	for name := range proxies {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"client_to_shop", "shop_to_payments"}; !slices.Equal(names, want) {
		t.Errorf("proxies at %s: %v, want %v", api, names, want)
	}
}
