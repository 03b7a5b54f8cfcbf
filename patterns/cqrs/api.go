package cqrs

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// newAPI routes writes (POST) to commands and reads to queries, each
// through its own connections.
func newAPI(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	client := service.NewClient(4 * c.Capacity.Workers)
	proxy := func(target string) *httputil.ReverseProxy {
		u, _ := url.Parse(target)
		p := httputil.NewSingleHostReverseProxy(u)
		p.Transport = client.Transport
		return p
	}
	commands, queries := proxy(env.Upstream(Commands)), proxy(env.Upstream(Queries))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			commands.ServeHTTP(w, r)
			return
		}
		queries.ServeHTTP(w, r)
	})
	// No limiter: a router shares nothing between writes and reads but the
	// listener, so slow reads cannot queue writes behind them.
	return h, client.CloseIdleConnections, nil
}
