// Package local is the embedded testbed, faultline's default: every service
// of a topology runs as an in-process HTTP server on a 127.0.0.1 ephemeral
// port, and the real Toxiproxy server runs embedded on loopback. Proxies and
// toxics are driven through Toxiproxy's official client over its HTTP API,
// the same code path the docker testbed uses. No Docker is needed.
//
// Service faults: kill closes a service's server at once, restart serves it
// again afresh on the same address (each service has a data directory that
// survives both, removed with the deployment), and pause holds every request it
// receives (health checks and metrics included) until it is unpaused, as a
// hung process would. Partitioning a service is not possible in-process.
//
// It must not import scenarios, reports or cmd.
package local

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	toxiclient "github.com/Shopify/toxiproxy/v2/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/internal/guard"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/internal/deploy"
)

// Testbed runs topologies in this process.
type Testbed struct{}

var (
	_ testbeds.FaultChecker = (*Testbed)(nil)
	_ faults.Pauser         = (*Deployment)(nil)
)

// New returns the local testbed.
func New() *Testbed { return &Testbed{} }

// Name implements testbeds.Testbed.
func (*Testbed) Name() string { return "local" }

// CheckFault implements testbeds.FaultChecker: every kind but partition.
func (*Testbed) CheckFault(kind string) error {
	if kind == "partition" {
		return errors.New("it runs every service in this process and cannot cut one off the network; " +
			"run the scenario with --testbed docker, or make the service's edges go down (kind: down)")
	}
	return nil
}

// Deploy starts an embedded Toxiproxy, a proxy per edge and every service,
// and waits until each answers its health check. On error, whatever was
// started is torn down.
func (*Testbed) Deploy(ctx context.Context, v testbeds.Variant) (_ testbeds.Deployment, err error) {
	topo := v.Pattern.Topology()
	d := &Deployment{variant: v, topo: topo, services: map[string]*server{}, proxies: map[string]*toxiclient.Proxy{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close(context.WithoutCancel(ctx)))
		}
	}()
	if d.dataDir, err = os.MkdirTemp("", "faultline-data-"); err != nil {
		return nil, fmt.Errorf("local: data directory: %w", err)
	}
	if err := d.startToxiproxy(ctx); err != nil {
		return nil, err
	}
	// Every service gets its listener first, so proxies know their upstreams.
	for _, name := range topo.Services {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("local: listen for %s: %w", name, err)
		}
		ctl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("local: control listener for %s: %w", name, err)
		}
		s := &server{name: name, addr: ln.Addr().String(), ln: ln, ctlAddr: ctl.Addr().String()}
		s.ctl = &http.Server{Handler: http.HandlerFunc(s.serveControl), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = s.ctl.Serve(ctl) }()
		d.services[name] = s
	}
	upstreams := make(map[string]bool, len(d.services))
	for _, s := range d.services {
		upstreams[s.addr] = true
	}
	d.upstreams.Store(upstreams)
	for _, e := range topo.Edges {
		up, ok := d.services[e.To]
		if !ok {
			return nil, fmt.Errorf("local: edge %s: no service %q", e, e.To)
		}
		p, err := d.client.CreateProxy(deploy.ProxyName(e), "127.0.0.1:0", up.addr)
		if err != nil {
			return nil, fmt.Errorf("local: create proxy %s: %w", e, err)
		}
		d.proxies[e.String()] = p
	}
	for _, name := range topo.Services {
		if err := d.serve(ctx, d.services[name]); err != nil {
			return nil, err
		}
	}
	for _, name := range topo.Services {
		if err := deploy.WaitHealthy(ctx, "http://"+d.services[name].addr+service.HealthPath, healthTimeout); err != nil {
			return nil, fmt.Errorf("local: %s not healthy: %w", name, err)
		}
	}
	return d, nil
}

// healthTimeout bounds the wait for an in-process service's health check.
const healthTimeout = 10 * time.Second

// Deployment is a running local topology.
type Deployment struct {
	variant  testbeds.Variant
	topo     patterns.Topology
	api      *toxiproxy.ApiServer
	apiHTTP  *http.Server
	client   *toxiclient.Client
	mu       sync.Mutex
	services map[string]*server
	proxies  map[string]*toxiclient.Proxy // by edge "a->b"
	closed   bool

	upstreams atomic.Value // map[string]bool: the services' addresses
	apiAddr   string       // the Toxiproxy API's host:port
	// dataDir holds a directory per service that survives its restarts;
	// Close removes it.
	dataDir string
}

// server is one in-process service.
type server struct {
	name string
	addr string
	ln   net.Listener
	srv  *http.Server
	gate *gate  // holds requests while the service is paused
	stop func() // releases the pattern handler's resources

	// The control face (metrics, fault API) listens on an address of its
	// own that no proxy forwards to, for the whole deployment; while the
	// service is killed it answers 503.
	ctlAddr string
	ctl     *http.Server
	control atomic.Pointer[http.Handler]
}

// serveControl answers with the service's current control handler.
func (s *server) serveControl(w http.ResponseWriter, r *http.Request) {
	h := s.control.Load()
	if h == nil {
		http.Error(w, "local: "+s.name+" is down", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// gate holds every request while its service is paused. Each serve gets a
// fresh one: a killed service comes back running.
type gate struct {
	mu       sync.Mutex
	paused   chan struct{} // non-nil while paused; closed by unpause
	held     int           // requests waiting for unpause (read by tests)
	inflight sync.WaitGroup
}

// drain waits until every handler the gate let in has returned, or ctx is
// done.
func (g *gate) drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		g.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused == nil {
		g.paused = make(chan struct{})
	}
}

func (g *gate) unpause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused != nil {
		close(g.paused)
		g.paused = nil
	}
}

// wrap serves h once the gate is open, or gives up when the client leaves
// (or the server closes the connection).
func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.inflight.Add(1)
		defer g.inflight.Done()
		if g.wait(r.Context()) {
			h.ServeHTTP(w, r)
		}
	})
}

// wait returns true once the gate is open, false if ctx ends first.
func (g *gate) wait(ctx context.Context) bool {
	g.mu.Lock()
	paused := g.paused
	if paused == nil {
		g.mu.Unlock()
		return true
	}
	g.held++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.held--
		g.mu.Unlock()
	}()
	select {
	case <-paused:
		return true
	case <-ctx.Done():
		return false
	}
}

// ToxiproxyAPI is the URL of the topology's Toxiproxy API, for
// `toxiproxy-cli -h URL list` while the run goes.
func (d *Deployment) ToxiproxyAPI() string { return "http://" + d.apiAddr }

// startToxiproxy serves the real Toxiproxy API on a loopback listener of
// our own (ApiServer.Listen wants a fixed address and races with Shutdown).
func (d *Deployment) startToxiproxy(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("local: toxiproxy listener: %w", err)
	}
	d.api = toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	d.apiHTTP = &http.Server{Handler: guard.Toxiproxy(d.api.Routes(), guard.Addrs{
		Listen:   loopbackOnly,
		Upstream: d.isService,
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = d.apiHTTP.Serve(ln) }()
	d.apiAddr = ln.Addr().String()
	d.client = deploy.ToxiproxyClient(d.apiAddr)
	if _, err := d.client.Version(); err != nil {
		return fmt.Errorf("local: toxiproxy server on %s: %w", ln.Addr(), err)
	}
	return ctx.Err()
}

// loopbackOnly reports whether a proxy would listen on a loopback address
// only: local proxies are for this machine.
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// isService reports whether addr is one of the topology's services: the
// only places a local proxy may forward to.
// It takes no lock of the deployment: a fault holds d.mu while it calls
// the API.
func (d *Deployment) isService(addr string) bool {
	m, _ := d.upstreams.Load().(map[string]bool)
	return m[addr]
}

// serve builds the service's handler afresh (a restart loses in-memory
// state) and serves it on s.ln.
func (d *Deployment) serve(ctx context.Context, s *server) error {
	reg := prometheus.NewRegistry()
	env := patterns.Env{
		Upstream: func(callee string) string {
			p, ok := d.proxies[patterns.Edge{From: s.name, To: callee}.String()]
			if !ok {
				return ""
			}
			return "http://" + p.Listen
		},
		Seed:     d.variant.Seed,
		Registry: reg,
		DataDir:  filepath.Join(d.dataDir, s.name),
	}
	app, stop, err := d.variant.Pattern.Handler(ctx, s.name, d.variant.Config, env)
	if err != nil {
		return fmt.Errorf("local: build %s: %w", s.name, err)
	}
	s.stop = stop
	s.gate = &gate{}
	data, control := service.Wrap(s.name, app, reg, d.variant.Seed)
	s.control.Store(&control)
	s.srv = &http.Server{
		Handler:           s.gate.wrap(data),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func(srv *http.Server, ln net.Listener) { _ = srv.Serve(ln) }(s.srv, s.ln)
	return nil
}

// Entry implements testbeds.Deployment.
func (d *Deployment) Entry() string {
	return "http://" + d.proxies[patterns.Edge{From: patterns.Client, To: d.topo.Entry}.String()].Listen
}

// MetricsURLs implements testbeds.Deployment.
func (d *Deployment) MetricsURLs() map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]string, len(d.services))
	for name, s := range d.services {
		out[name] = "http://" + s.ctlAddr + service.MetricsPath
	}
	return out
}

// Proxy implements faults.Target.
func (d *Deployment) Proxy(edge string) (*toxiclient.Proxy, error) {
	p, ok := d.proxies[edge]
	if !ok {
		return nil, fmt.Errorf("local: no proxy for edge %q", edge)
	}
	return p, nil
}

// service returns the named service; d.mu must be held.
func (d *Deployment) service(name string) (*server, error) {
	s, ok := d.services[name]
	if !ok {
		return nil, fmt.Errorf("local: no service %q", name)
	}
	return s, nil
}

// FaultURL implements faults.Target.
func (d *Deployment) FaultURL(name string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.service(name)
	if err != nil {
		return "", err
	}
	return "http://" + s.ctlAddr, nil
}

// Kill closes the service's listener and every connection at once and drops
// its in-memory state, as a crashed process would; its data directory
// stays. The pattern's resources are
// released only once the handlers still running have returned (their
// requests are cancelled), so none uses what was released.
func (d *Deployment) Kill(ctx context.Context, name string) error {
	d.mu.Lock()
	s, err := d.service(name)
	if err != nil || s.srv == nil {
		d.mu.Unlock()
		return err // nil when already down
	}
	srv, g, stop := s.srv, s.gate, s.stop
	s.srv, s.stop = nil, nil
	s.control.Store(nil)
	d.mu.Unlock()
	return shut(ctx, srv, g, stop)
}

// handlerWait bounds how long a kill waits for a handler that ignores its
// cancelled request.
const handlerWait = 5 * time.Second

// shut closes srv, waits (at most handlerWait) for its handlers, then calls
// stop.
func shut(ctx context.Context, srv *http.Server, g *gate, stop func()) error {
	err := srv.Close()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handlerWait)
	defer cancel()
	if werr := g.drain(wctx); werr != nil {
		err = errors.Join(err, fmt.Errorf("local: handlers still running after kill: %w", werr))
	}
	if stop != nil {
		stop()
	}
	return err
}

// Pause implements faults.Pauser: the service keeps accepting connections
// but holds every request until it is unpaused (or the client gives up).
func (d *Deployment) Pause(_ context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.service(name)
	if err != nil {
		return err
	}
	if s.srv == nil {
		return fmt.Errorf("local: cannot pause %s: it is not running", name)
	}
	s.gate.pause()
	return nil
}

// Unpause implements faults.Pauser: held requests are served.
func (d *Deployment) Unpause(_ context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.service(name)
	if err != nil {
		return err
	}
	if s.gate != nil {
		s.gate.unpause()
	}
	return nil
}

// Restart serves a killed service again on the same address, with fresh
// state. Restarting a running service kills it first.
func (d *Deployment) Restart(ctx context.Context, name string) error {
	if err := d.Kill(ctx, name); err != nil {
		return err
	}
	d.mu.Lock()
	s := d.services[name]
	addr := s.addr
	d.mu.Unlock()
	ln, err := relisten(ctx, addr) // without the lock: other faults go on
	if err != nil {
		return fmt.Errorf("local: restart %s: listen %s: %w", name, addr, err)
	}
	d.mu.Lock()
	if d.closed || s.srv != nil {
		d.mu.Unlock()
		ln.Close()
		return nil // closed meanwhile, or restarted by someone else
	}
	s.ln = ln
	err = d.serve(ctx, s)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	return deploy.WaitHealthy(ctx, "http://"+s.addr+service.HealthPath, healthTimeout)
}

// relisten listens on addr again, trying for up to a second: the old
// socket may linger for a moment.
func relisten(ctx context.Context, addr string) (net.Listener, error) {
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", addr); err == nil {
			return ln, nil
		}
		if serr := clock.Sleep(ctx, 20*time.Millisecond); serr != nil {
			return nil, serr
		}
	}
	return nil, err
}

// Close stops every service, every proxy and the Toxiproxy server. It is
// safe to call more than once.
func (d *Deployment) Close(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	var errs []error
	for _, s := range d.services {
		if s.srv != nil {
			errs = append(errs, s.srv.Close())
			s.srv = nil
		} else if s.ln != nil {
			_ = s.ln.Close() // listening but never served
		}
		if s.stop != nil {
			s.stop()
			s.stop = nil
		}
		if s.ctl != nil {
			errs = append(errs, s.ctl.Close())
		}
	}
	d.mu.Unlock()
	if d.api != nil {
		errs = append(errs, d.api.Collection.Clear()) // closes every proxy listener
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		errs = append(errs, d.apiHTTP.Shutdown(sctx))
		cancel()
	}
	if d.dataDir != "" {
		errs = append(errs, os.RemoveAll(d.dataDir))
	}
	return errors.Join(errs...)
}
