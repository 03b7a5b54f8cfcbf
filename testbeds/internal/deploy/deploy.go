// Package deploy holds the steps of a deployment that every testbed takes
// the same way: naming an edge's Toxiproxy proxy, talking to Toxiproxy's
// API, and waiting until a service answers its health check.
//
// It must not import scenarios, reports, testbeds or cmd.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/patterns"
)

// ProxyName names an edge's proxy in Toxiproxy's API. Its names go in URL
// paths, so "->" is avoided: shop->payments is "shop_to_payments".
func ProxyName(e patterns.Edge) string { return e.From + "_to_" + e.To }

// ToxiproxyClient returns a client of the Toxiproxy API at addr
// ("host:port").
func ToxiproxyClient(addr string) *toxiclient.Client {
	c := toxiclient.NewClient(addr)
	c.UserAgent = "faultline" // its API refuses browsers' agents
	return c
}

// pollEvery is how often WaitHealthy asks again.
const pollEvery = 10 * time.Millisecond

// WaitHealthy polls url until it answers 200 OK. It gives up when timeout
// has passed or ctx is done, with an error that wraps ctx's and gives the
// last answer (or failure) seen.
func WaitHealthy(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// No keep-alive: nothing is left open to a service that is then paused,
	// killed or partitioned.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last error
	for {
		err := checkHealth(client, req)
		if err == nil {
			return nil
		}
		if last == nil || ctx.Err() == nil { // keep the last answer not cut short by ctx
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// checkHealth sends the health check once.
func checkHealth(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return errors.New("status " + resp.Status)
	}
	return nil
}
