package stranglerfig

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// maxBody bounds the bodies the facade reads: requests it forwards and
// answers it keeps for comparison.
const maxBody = 1 << 20

// facade routes each request of a route to legacy or modern, shadows what
// legacy answers and rolls routes back.
type facade struct {
	cfg            FacadeConfig
	client         *http.Client
	legacy, modern string
	router         *router
	monitors       map[string]*monitor // by route; nil without rollback
	shadow         *shadower           // nil without shadow
	m              *metrics
}

// newFacade builds the facade. c has passed Validate.
func newFacade(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	fc := c.Facade
	f := &facade{
		cfg:    fc,
		client: service.NewClient(fc.Capacity.Workers + fc.Shadow.Concurrency*2),
		legacy: env.Upstream(Legacy),
		modern: env.Upstream(Modern),
		router: newRouter(fc.BigBang),
	}
	f.m = newMetrics(env.Registry, f.router.state)
	f.router.m = f.m
	if fc.Rollback.Enabled {
		f.monitors = map[string]*monitor{}
		for name, r := range f.router.routes {
			f.monitors[name] = newMonitor(fc.Rollback, clock.System{}, func() { f.router.rollBack(r) })
		}
	}
	stop := f.client.CloseIdleConnections
	if fc.Shadow.Enabled {
		f.shadow = newShadower(f, fc.Shadow)
		stop = func() { f.shadow.stop(); f.client.CloseIdleConnections() }
	}
	limiter := service.NewLimiter(fc.Capacity, Facade, env.Registry)
	// The routes' controls are served by service.Wrap beside the fault admin API.
	return service.WithControl(limiter.Wrap(f), f.router.control()), stop, nil
}

func (f *facade) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := f.router.match(r.URL.Path)
	if rt == nil {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "reading request: "+err.Error(), http.StatusBadRequest)
		return
	}
	user := r.Header.Get(f.cfg.UserHeader)
	backend, base := Legacy, f.legacy
	if rt.toModern(user) {
		backend, base = Modern, f.modern
	}
	f.m.requests.WithLabelValues(rt.name, backend).Inc()
	ctx, cancel := context.WithTimeout(r.Context(), f.cfg.Timeout)
	defer cancel()
	rep, err := f.call(ctx, r.Method, base+r.URL.RequestURI(), user, body)
	if r.Context().Err() != nil {
		return // the client has gone: nobody's failure
	}
	if backend == Modern {
		f.modernAnswered(rt, err != nil || rep.status >= 500)
	}
	if err != nil {
		http.Error(w, backend+": "+err.Error(), http.StatusBadGateway)
		return
	}
	write(w, rep)
	if backend == Legacy && f.shadow != nil && r.Method == http.MethodGet && rep.status < 300 {
		f.shadow.offer(rt, r.URL.RequestURI(), user, rep)
	}
}

// modernAnswered counts one of modern's answers on a route.
func (f *facade) modernAnswered(r *route, failed bool) {
	if failed {
		f.m.modernErrors.Inc()
	}
	if mon := f.monitors[r.name]; mon != nil {
		mon.call(failed)
	}
}

// call sends one request to a backend and reads its answer.
func (f *facade) call(ctx context.Context, method, url, user string, body []byte) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if user != "" {
		req.Header.Set(f.cfg.UserHeader, user)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return reply{}, fmt.Errorf("reading answer: %w", err)
	}
	return reply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: b}, nil
}

func write(w http.ResponseWriter, rep reply) {
	if rep.contentType != "" {
		w.Header().Set("Content-Type", rep.contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}
