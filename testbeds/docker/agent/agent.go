// Package agent is what runs inside the docker testbed's containers: one
// service of a pattern, or the real Toxiproxy server. The faultline
// binary's hidden serve-service and serve-toxiproxy commands call it, so a
// single FROM-scratch image holding that binary serves every container.
//
// A service is built exactly as the local testbed builds it: the pattern's
// handler for the variant's configuration, wrapped by patterns/kit/service
// (metrics, health, the HTTP fault admin), with its callees reached through
// the Toxiproxy proxies the testbed names. It runs in a container with
// nothing but the binary, so it does without testcontainers.
//
// It must not import scenarios, reports, cmd or github.com/testcontainers/testcontainers-go.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/faultline/faultline/internal/guard"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/patterns/kit/service"
)

// ShutdownTimeout bounds how long a server waits for requests in flight
// once its context is done (a container's SIGTERM).
const ShutdownTimeout = 2 * time.Second

// Service is one service of a pattern, as a container runs it.
type Service struct {
	Pattern string // the pattern's name, looked up in the catalog
	Name    string // the service's name in the pattern's topology
	// Config is the variant's configuration as JSON, decoded strictly onto
	// the pattern's defaults.
	Config []byte
	Seed   int64
	// Upstreams maps each callee to the base URL that reaches it: its
	// edge's Toxiproxy proxy ("http://toxiproxy:10001").
	Upstreams map[string]string
	// Nodes maps each clustered callee (patterns.Topology.Clusters) to the
	// base URLs of its nodes, each through its own edge proxy.
	Nodes map[string][]string
	// Node names the service's node when it runs as one node of a
	// cluster; the node listens on PeerListen for its peers, which reach it
	// at Advertise (its proxy), and reaches each of them at Peers[name].
	Node       string
	PeerListen string
	Advertise  string
	Peers      map[string]string
	// Token, when set, is required (as internal/guard.Token checks) on the
	// control listener: the run's network addresses reach it from the host.
	Token string
	// DataDir is the container's directory that survives its restarts.
	DataDir string
}

// TokenEnv names the environment variable a container's control listener
// reads its run's token from (not a flag: flags show in process lists).
const TokenEnv = "FAULTLINE_CONTROL_TOKEN"

// Handler builds the service's HTTP handler, wrapped with metrics, health
// and the fault admin. The returned stop function releases what it holds.
func (s Service) Handler(ctx context.Context) (data, control http.Handler, stop func(), err error) {
	p, err := catalog.All().Lookup(s.Pattern)
	if err != nil {
		return nil, nil, nil, err
	}
	topo := p.Topology()
	if !topo.HasService(s.Name) {
		return nil, nil, nil, fmt.Errorf("pattern %s has no service %q (services: %s)", p.Name(), s.Name, strings.Join(topo.Services, ", "))
	}
	for _, callee := range topo.Callees(s.Name) {
		if s.Upstreams[callee] == "" && len(s.Nodes[callee]) == 0 {
			return nil, nil, nil, fmt.Errorf("%s calls %s: no upstream given for it", s.Name, callee)
		}
	}
	for callee := range s.Upstreams {
		if !slices.Contains(topo.Callees(s.Name), callee) {
			return nil, nil, nil, fmt.Errorf("upstream %s: %s does not call it", callee, s.Name)
		}
	}
	for callee := range s.Nodes {
		if !slices.Contains(topo.Callees(s.Name), callee) {
			return nil, nil, nil, fmt.Errorf("upstream node %s: %s does not call it", callee, s.Name)
		}
	}
	var node *patterns.NodeEnv
	if s.Node != "" {
		if _, ok := topo.Clusters[s.Name]; !ok {
			return nil, nil, nil, fmt.Errorf("node %s: pattern %s does not cluster %s", s.Node, p.Name(), s.Name)
		}
		if s.PeerListen == "" || s.Advertise == "" {
			return nil, nil, nil, fmt.Errorf("node %s: no peer listen address or no advertised address", s.Node)
		}
		node = &patterns.NodeEnv{Name: s.Node, Listen: s.PeerListen, Advertise: s.Advertise, Peers: s.Peers, Secret: s.Token}
	}
	cfg, err := DecodeConfig(p, s.Config)
	if err != nil {
		return nil, nil, nil, err
	}
	reg := prometheus.NewRegistry()
	env := patterns.Env{
		Upstream: func(callee string) string {
			if nodes := s.Nodes[callee]; len(nodes) > 0 {
				return nodes[0]
			}
			return s.Upstreams[callee]
		},
		Upstreams: func(callee string) []string { return s.Nodes[callee] },
		Seed:      s.Seed,
		Registry:  reg,
		DataDir:   s.DataDir,
		Node:      node,
	}
	app, stop, err := p.Handler(ctx, s.Name, cfg, env)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build %s: %w", s.Name, err)
	}
	data, control = service.Wrap(s.Name, app, reg, s.Seed)
	return data, control, stop, nil
}

// EncodeConfig encodes a pattern configuration for Service.Config.
func EncodeConfig(cfg any) ([]byte, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encode configuration: %w", err)
	}
	return b, nil
}

// DecodeConfig decodes a configuration encoded by EncodeConfig onto the
// pattern's defaults, strictly, and validates it.
func DecodeConfig(p patterns.Pattern, b []byte) (any, error) {
	cfg := p.DefaultConfig()
	if len(bytes.TrimSpace(b)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(cfg); err != nil {
			return nil, fmt.Errorf("decode %s configuration: %w", p.Name(), err)
		}
	}
	if err := p.Validate(cfg); err != nil {
		return nil, fmt.Errorf("%s configuration: %w", p.Name(), err)
	}
	return cfg, nil
}

// ServeService serves s on ln (what the Toxiproxy edges reach) and its
// control face (metrics, fault API) on ctl, a port no edge carries, until
// ctx is done; then it lets requests in flight finish for up to
// ShutdownTimeout.
func ServeService(ctx context.Context, ln, ctl net.Listener, s Service) error {
	data, control, stop, err := s.Handler(ctx)
	if err != nil {
		ln.Close()
		ctl.Close()
		return err
	}
	defer stop()
	errc := make(chan error, 1)
	control = guard.Token(control, s.Token)
	go func() { errc <- serve(ctx, ctl, &http.Server{Handler: control, ReadHeaderTimeout: 10 * time.Second}) }()
	err = serve(ctx, ln, &http.Server{Handler: data, ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		ctl.Close()
	}
	return errors.Join(err, <-errc)
}

// ServeToxiproxy serves the real Toxiproxy API on ln until ctx is done,
// then closes every proxy. Toxiproxy logs (warnings and errors) go to log;
// nil discards them. The API answers loopback Hosts only, and opens only
// the proxies in allowed (listen address → upstream), so it is no relay.
//
// A non-empty token is required on every request but GET /version.
func ServeToxiproxy(ctx context.Context, ln net.Listener, log io.Writer, allowed map[string]string, token string) error {
	logger := zerolog.Nop()
	if log != nil {
		logger = zerolog.New(log).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	}
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), logger)
	defer api.Collection.Clear() // closes every proxy listener
	ports, upstreams := make(map[string]bool), make(map[string]bool)
	for listen, up := range allowed {
		if _, port, err := net.SplitHostPort(listen); err == nil {
			ports[port] = true
		}
		upstreams[up] = true
	}
	h := guard.Toxiproxy(api.Routes(), guard.Addrs{
		// Toxiproxy reports a proxy's listen address as bound ("[::]:20000"),
		// and a client saving the proxy sends that back.
		Listen: func(addr string) bool {
			host, port, err := net.SplitHostPort(addr)
			ip := net.ParseIP(host)
			return err == nil && ports[port] && (host == "" || ip != nil && (ip.IsUnspecified() || ip.IsLoopback()))
		},
		Upstream: func(addr string) bool { return upstreams[addr] },
	})
	return serve(ctx, ln, &http.Server{Handler: guard.Token(h, token), ReadHeaderTimeout: 10 * time.Second})
}

// serve runs srv on ln until ctx is done.
func serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
