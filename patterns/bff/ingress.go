package bff

import (
	"context"
	"io"
	"net/http"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// newIngress builds the ingress: it forwards GET /web/product and GET
// /mobile/product, path and all, to the service that serves that kind (its
// BFF, or the general-purpose API when the BFFs are off) and relays the
// answer. It adds no timeout of its own: the client's deadline holds.
func newIngress(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	client := service.NewClient(c.Ingress.Workers)
	mux := http.NewServeMux()
	for kind, bff := range map[string]string{Web: WebBFF, Mobile: MobileBFF} {
		to := API
		if c.BFFs.Enabled {
			to = bff
		}
		mux.Handle("GET /"+kind+"/", &forward{base: env.Upstream(to), client: client})
	}
	limiter := service.NewLimiter(c.Ingress, Ingress, env.Registry)
	return limiter.Wrap(mux), client.CloseIdleConnections, nil
}

// forward relays requests to one service.
type forward struct {
	base   string
	client *http.Client
}

// relayed are the answer's headers the ingress passes on.
var relayed = []string{"Content-Type", patterns.DegradedHeader}

func (f *forward) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, f.base+r.URL.RequestURI(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := f.client.Do(req)
	if err != nil {
		if r.Context().Err() == nil {
			http.Error(w, "upstream unreachable", http.StatusBadGateway)
		}
		return
	}
	defer resp.Body.Close()
	for _, h := range relayed {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
