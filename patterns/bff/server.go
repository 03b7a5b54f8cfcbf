package bff

import (
	"context"
	"maps"
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// newBFF returns the builder of the BFF of one client kind: its
// experience, on its own resources.
func newBFF(kind string) patterns.Builder[Config] {
	return func(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
		cfg, name := c.BFFs.Web, WebBFF
		if kind == Mobile {
			cfg, name = c.BFFs.Mobile, MobileBFF
		}
		h, stop := newServer(cfg, name, kind, c.BFFs.Enabled, env, map[string][]part{kind: experiences[kind]})
		return h, stop, nil
	}
}

// newAPI builds the general-purpose API: the web's answer for both kinds,
// on the BFFs' resources together.
func newAPI(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	h, stop := newServer(c.APIConfig(), API, API, !c.BFFs.Enabled, env, map[string][]part{
		Web: experiences[Web], Mobile: experiences[Web],
	})
	return h, stop, nil
}

// newServer builds a service that answers GET /<kind>/product for every
// kind of routes with its parts, within cfg's capacity (its limiter pool
// named after the service, its capacity gauges after pool), calling the
// downstreams through one pool of connections. A service the variant does
// not route to (active false) exports no gauges: the plots show only what
// serves.
func newServer(cfg BFFConfig, name, pool string, active bool, env patterns.Env, routes map[string][]part) (http.Handler, func()) {
	gauges := env.Registry
	if !active {
		gauges = prometheus.NewRegistry() // unread
	}
	client := service.NewClient(cfg.Capacity.Workers)
	counts := newCounters(env.Registry)
	mux := http.NewServeMux()
	for _, kind := range slices.Sorted(maps.Keys(routes)) {
		parts := routes[kind]
		a := &aggregator{parts: parts, timeout: cfg.Timeout, client: client, metrics: counts.kind(gauges, kind, parts)}
		for _, p := range parts {
			a.urls = append(a.urls, env.Upstream(p.dep)+p.path)
		}
		mux.Handle("GET /"+kind+productPath, a)
	}
	busy := newPool(gauges, pool, cfg.Capacity.Workers)
	limiter := service.NewLimiter(cfg.Capacity, name, env.Registry)
	return limiter.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		busy.busy.Add(1)
		defer busy.busy.Add(-1)
		mux.ServeHTTP(w, r)
	})), client.CloseIdleConnections
}
