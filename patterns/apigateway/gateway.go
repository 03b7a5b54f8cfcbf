package apigateway

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// gateway is the entry service: it matches a request's route, tells who
// sent it, and, with the pattern on, refuses it (401, 429) or serves it
// within the route's budget; as the baseline it proxies it as it comes.
type gateway struct {
	enabled bool
	routes  []*route // longest prefix first
	who     *identifier
	limit   *limiter
	now     func() time.Time
}

// route is a prefix route (one part, whose path is the client's) or an
// aggregation (a part per backend).
type route struct {
	name, prefix string
	aggregate    bool
	timeout      time.Duration
	parts        []part
	counters     map[string]*counters // by tenant label
}

// part is one backend call of a route.
type part struct {
	backend  string
	base     string // the backend's address and the part's path
	required bool
	try      Try
	client   *http.Client
}

// newGateway builds the gateway: one client per backend, sized by
// gateway.connections in both modes.
func newGateway(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	g := newHandler(c, env, newMetrics(env.Registry))
	limiter := service.NewLimiter(c.Gateway.Capacity, Gateway, env.Registry)
	stop := func() {
		for _, r := range g.routes {
			for _, p := range r.parts {
				p.client.CloseIdleConnections()
			}
		}
	}
	return limiter.Wrap(g), stop, nil
}

// newHandler lays out the routes of a configuration that passed validate.
func newHandler(c *Config, env patterns.Env, m *metrics) *gateway {
	gc := &c.Gateway
	clients := map[string]*http.Client{}
	for _, b := range Backends {
		clients[b] = service.NewClient(gc.Connections)
	}
	g := &gateway{enabled: gc.Enabled, who: newIdentifier(gc.Auth, gc.RateLimit), now: time.Now}
	if gc.Enabled {
		g.limit = newLimiter(gc.RateLimit)
	}
	for _, r := range gc.Routes {
		p := part{backend: r.Backend, base: env.Upstream(r.Backend), required: true, try: r.Try, client: clients[r.Backend]}
		g.routes = append(g.routes, &route{name: r.Name, prefix: r.Prefix, timeout: r.Timeout, parts: []part{p},
			counters: m.forRoute(r.Name, gc.RateLimit.Tenants)})
	}
	for _, a := range gc.Aggregations {
		rt := &route{name: a.Name, prefix: a.Prefix, aggregate: true, timeout: a.Timeout,
			counters: m.forRoute(a.Name, gc.RateLimit.Tenants)}
		for _, p := range a.Parts {
			rt.parts = append(rt.parts, part{backend: p.Backend, base: env.Upstream(p.Backend) + p.Path,
				required: p.Required, try: p.Try, client: clients[p.Backend]})
		}
		g.routes = append(g.routes, rt)
	}
	sort.SliceStable(g.routes, func(i, j int) bool { return len(g.routes[i].prefix) > len(g.routes[j].prefix) })
	return g
}

// ServeHTTP serves GET and HEAD: the routes are reads, which the gateway
// may try again.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := g.match(r.URL.Path)
	switch {
	case rt == nil:
		http.NotFound(w, r)
		return
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	who := g.who.identify(r)
	m := rt.counters[who.label]
	m.requests.Inc()
	if !g.enabled {
		g.proxy(w, r, rt, m)
		return
	}
	if who.err != nil {
		m.unauthorized.Inc()
		w.Header().Set("WWW-Authenticate", `Bearer realm="faultline"`)
		http.Error(w, "unauthorized: "+who.err.Error(), http.StatusUnauthorized)
		return
	}
	if ok, wait := g.limit.allow(who.key, g.now()); !ok {
		m.limited.Inc()
		w.Header().Set("Retry-After", retryAfter(wait))
		http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), rt.timeout)
	defer cancel()
	if rt.aggregate {
		g.aggregate(ctx, w, r, rt, m)
		return
	}
	forward(w, r, rt.parts[0].call(ctx, r.URL.RequestURI(), m))
}

// match returns the route with the longest prefix of path; nil when none.
func (g *gateway) match(path string) *route {
	for _, rt := range g.routes {
		if strings.HasPrefix(path, rt.prefix) {
			return rt
		}
	}
	return nil
}

// proxy is the baseline: a prefix route forwarded once, an aggregation's
// parts called one after the other, without any timeout of its own.
func (g *gateway) proxy(w http.ResponseWriter, r *http.Request, rt *route, m *counters) {
	if !rt.aggregate {
		forward(w, r, rt.parts[0].once(r.Context(), r.URL.RequestURI(), m))
		return
	}
	id := strings.TrimPrefix(r.URL.Path, rt.prefix)
	got := make([]answer, len(rt.parts))
	for i, p := range rt.parts {
		got[i] = p.once(r.Context(), id, m)
		if !got[i].ok() {
			fail(w, r, got[i]) // all or nothing
			return
		}
	}
	merge(w, id, rt, got, m)
}
