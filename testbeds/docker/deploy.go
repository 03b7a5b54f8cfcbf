package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/guard"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/docker/agent"
	"github.com/faultline/faultline/testbeds/internal/deploy"
)

// Ports inside the containers.
const (
	servicePort   = 8080  // every service
	controlPort   = 8081  // every service's metrics and fault API: published, never proxied
	toxiproxyPort = 8474  // the Toxiproxy API
	firstEdgePort = 10000 // edge i's proxy listens on firstEdgePort+i
)

// toxiproxyAlias is the Toxiproxy container's name on the run's network.
const toxiproxyAlias = "toxiproxy"

// StopTimeout is how long a graceful stop waits before Docker kills.
const StopTimeout = 5 * time.Second

var loopback = netip.MustParseAddr("127.0.0.1")

var (
	_ testbeds.Deployment = (*Deployment)(nil)
	_ faults.Pauser       = (*Deployment)(nil)
	_ faults.Partitioner  = (*Deployment)(nil)
	_ faults.Stopper      = (*Deployment)(nil)
	_ faults.FanOut       = (*Deployment)(nil)
)

// Deployment is a running topology: a network, a Toxiproxy container with
// a proxy per edge, and a container per service.
type Deployment struct {
	tb       *Testbed
	id       string // "<run>-<n>", its containers' faultline.deployment label
	topo     patterns.Topology
	netName  string
	netID    string
	client   *toxiclient.Client
	apiURL   string                         // the Toxiproxy API, for toxiproxy-cli -h
	proxies  map[string][]*toxiclient.Proxy // by edge "a->b": one per node of a clustered callee
	entry    string
	services map[string]*box   // by container alias: a service's name, or a node's
	nodes    map[string][]*box // a clustered service's nodes, by the service's name
	token    string            // required on every control listener (internal/guard.Token)

	closeOnce sync.Once
	closeErr  error
}

// box is one service's container, or one node's of a clustered service.
type box struct {
	name  string // its alias on the network: the service's name, or the node's ("store-2")
	id    string // container id
	port  int    // the host port (on 127.0.0.1) of the service's control port
	token string // the run's control token
}

// ToxiproxyAPI is the URL of the topology's Toxiproxy API, published on
// 127.0.0.1, for `toxiproxy-cli -h URL list` while the run goes.
func (d *Deployment) ToxiproxyAPI() string { return d.apiURL }

// url is the service's control listener, the token in its userinfo: Go's
// HTTP client sends it as Basic auth.
func (b *box) url() string { return "http://" + withToken("127.0.0.1:"+strconv.Itoa(b.port), b.token) }

// withToken puts token as the password of TokenUser in front of hostport.
func withToken(hostport, token string) string {
	return guard.TokenUser + ":" + token + "@" + hostport
}

// Deploy implements testbeds.Testbed: it builds the image if needed,
// creates the run's network, starts the Toxiproxy container and every
// service's container at once, waits for each to answer its health check,
// then creates a proxy per edge. On error, whatever was started is removed.
func (tb *Testbed) Deploy(ctx context.Context, v testbeds.Variant) (_ testbeds.Deployment, err error) {
	topo := v.Pattern.Topology()
	if topo.HasService(toxiproxyAlias) {
		return nil, fmt.Errorf("docker: pattern %s has a service called %q, the name of the Toxiproxy container", v.Pattern.Name(), toxiproxyAlias)
	}
	for _, e := range topo.Edges {
		if !topo.HasService(e.To) {
			return nil, fmt.Errorf("docker: pattern %s: edge %s: no service %q", v.Pattern.Name(), e, e.To)
		}
	}
	cfg, err := agent.EncodeConfig(v.Config)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	img, err := tb.ensureImage(ctx)
	if err != nil {
		return nil, err
	}
	d := &Deployment{
		tb:       tb,
		id:       fmt.Sprintf("%s-%d", tb.run, tb.next.Add(1)),
		topo:     topo,
		proxies:  map[string][]*toxiclient.Proxy{},
		services: map[string]*box{},
		nodes:    map[string][]*box{},
		token:    guard.NewToken(),
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close(context.WithoutCancel(ctx)))
		}
	}()

	d.netName = "faultline-" + d.id
	nw, err := tb.docker.NetworkCreate(ctx, d.netName, client.NetworkCreateOptions{Driver: "bridge", Labels: d.labels("")})
	if err != nil {
		return nil, fmt.Errorf("docker: create network %s: %w", d.netName, err)
	}
	d.netID = nw.ID

	ws, err := planWires(topo, v.Config)
	if err != nil {
		return nil, err
	}
	tpHost, err := d.startAll(ctx, img, v, cfg, ws)
	if err != nil {
		return nil, err
	}
	if err := d.createProxies(tpHost, ws); err != nil {
		return nil, err
	}
	if d.entry == "" {
		return nil, fmt.Errorf("docker: pattern %s has no edge %s->%s", v.Pattern.Name(), patterns.Client, topo.Entry)
	}
	if err := d.waitClusters(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// startAll starts the Toxiproxy container and every service's container
// (every node's, for a clustered service) at once and waits for each to
// answer its health check. It returns the host ports the Toxiproxy
// container's published ports are reached on.
func (d *Deployment) startAll(ctx context.Context, img string, v testbeds.Variant, cfg []byte, ws wires) (map[int]int, error) {
	g, gctx := errgroup.WithContext(ctx)
	var tpHost map[int]int
	g.Go(func() error {
		var err error
		_, tpHost, err = d.start(gctx, img, toxiproxyAlias, ws.toxiproxyArgs(), "/version", ws.published())
		return err
	})
	for _, name := range d.topo.Services {
		args := []string{"serve-service",
			"--pattern", v.Pattern.Name(),
			"--service", name,
			"--config", string(cfg),
			"--seed", strconv.FormatInt(v.Seed, 10),
			"--listen", ":" + strconv.Itoa(servicePort),
			"--control-listen", ":" + strconv.Itoa(controlPort),
			"--data-dir", dataDir,
		}
		for _, callee := range d.topo.Callees(name) {
			edge := patterns.Edge{From: name, To: callee}.String()
			if _, clustered := ws.nodes[callee]; clustered {
				for _, w := range ws.of(edge) {
					args = append(args, "--upstream-node", callee+"="+w.url())
				}
				continue
			}
			args = append(args, "--upstream", callee+"="+ws.of(edge)[0].url())
		}
		aliases := []string{name}
		if nodes, clustered := ws.nodes[name]; clustered {
			aliases = nodes
		}
		for _, alias := range aliases {
			b := &box{name: alias, token: d.token}
			d.services[alias] = b
			args := args
			if alias != name {
				d.nodes[name] = append(d.nodes[name], b)
				args = append(slices.Clone(args), ws.nodeArgs(name, alias)...)
			}
			g.Go(func() error {
				id, host, err := d.start(gctx, img, alias, args, service.HealthPath, []int{controlPort})
				b.id, b.port = id, host[controlPort]
				return err
			})
		}
	}
	return tpHost, g.Wait()
}

// dataDir is where each container keeps its data (patterns.Env.DataDir):
// a volume of its own.
const dataDir = "/data"

// createProxies creates every wire's proxy through the Toxiproxy API on
// its host port, and notes the entry's address.
func (d *Deployment) createProxies(tpHost map[int]int, ws wires) error {
	d.client = deploy.ToxiproxyClient(withToken("127.0.0.1:"+strconv.Itoa(tpHost[toxiproxyPort]), d.token))
	d.apiURL = "http://" + withToken("127.0.0.1:"+strconv.Itoa(tpHost[toxiproxyPort]), d.token)
	for _, w := range ws.all {
		p, err := d.client.CreateProxy(w.proxy, w.listen(), w.upstream)
		if err != nil {
			return fmt.Errorf("docker: create proxy %s: %w", w.proxy, err)
		}
		if w.edge.From == "" {
			continue // a cluster's peer wire: no fault names it
		}
		d.proxies[w.edge.String()] = append(d.proxies[w.edge.String()], p)
		if w.edge.From == patterns.Client && w.edge.To == d.topo.Entry {
			d.entry = "http://127.0.0.1:" + strconv.Itoa(tpHost[w.port])
		}
	}
	return nil
}

// labels returns the labels of the deployment's resources; service names
// the container's service ("" for the network).
func (d *Deployment) labels(service string) map[string]string {
	host, _ := os.Hostname()
	l := map[string]string{
		LabelFaultline:  "true",
		LabelRun:        d.tb.run,
		LabelDeployment: d.id,
		LabelPID:        strconv.Itoa(os.Getpid()),
		LabelHost:       host,
	}
	if service != "" {
		l[LabelService] = service
	}
	return l
}

// start runs one container of the image on the run's network, aliased
// name, with the given container ports published on 127.0.0.1 (host ports
// picked here, so that they stay the same across restarts), and waits until
// the first port answers 200 on health. It returns the container id and the
// host port of each container port.
func (d *Deployment) start(ctx context.Context, img, name string, cmd []string, health string, ports []int) (string, map[int]int, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		hostPorts, err := freePorts(len(ports))
		if err != nil {
			return "", nil, fmt.Errorf("docker: start %s: %w", name, err)
		}
		exposed := make([]string, len(ports))
		bindings := network.PortMap{}
		host := map[int]int{}
		for i, p := range ports {
			cp, err := network.ParsePort(strconv.Itoa(p) + "/tcp")
			if err != nil {
				return "", nil, fmt.Errorf("docker: start %s: port %d: %w", name, p, err)
			}
			exposed[i] = cp.String()
			bindings[cp] = []network.PortBinding{{HostIP: loopback, HostPort: strconv.Itoa(hostPorts[i])}}
			host[p] = hostPorts[i]
		}
		ctr, err := testcontainers.Run(ctx, img,
			testcontainers.WithName("faultline-"+d.id+"-"+name),
			testcontainers.WithCmd(cmd...),
			testcontainers.WithEnv(map[string]string{agent.TokenEnv: d.token}),
			testcontainers.WithLabels(d.labels(name)),
			tcnetwork.WithNetworkName([]string{name}, d.netName),
			testcontainers.WithExposedPorts(exposed...),
			testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
				hc.PortBindings = bindings
				// The scratch image has no writable directory: an anonymous
				// volume survives a kill and a restart of the container and
				// goes with it when the run removes it (volumes included).
				hc.Mounts = []mount.Mount{{Type: mount.TypeVolume, Target: dataDir}}
			}),
			testcontainers.WithWaitStrategy(wait.ForHTTP(health).
				WithPort(exposed[0]).
				WithPollInterval(25*time.Millisecond).
				WithStartupTimeout(30*time.Second)),
			testcontainers.WithLogger(d.tb.logger),
		)
		if err == nil {
			return ctr.GetContainerID(), host, nil
		}
		lastErr = err
		if ctr != nil {
			if logs := tail(context.WithoutCancel(ctx), ctr); logs != "" {
				lastErr = fmt.Errorf("%w; its output:\n%s", err, logs)
			}
			_, _ = d.tb.docker.ContainerRemove(context.WithoutCancel(ctx), ctr.GetContainerID(), client.ContainerRemoveOptions{Force: true})
		}
		if ctx.Err() != nil || !portTaken(err) {
			break
		}
	}
	return "", nil, fmt.Errorf("docker: start %s: %w", name, lastErr)
}

// tail returns the last lines a container wrote, if any.
func tail(ctx context.Context, ctr *testcontainers.DockerContainer) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	r, err := ctr.Logs(ctx)
	if err != nil {
		return ""
	}
	defer r.Close()
	b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// portTaken reports whether a container failed to start because a host
// port was taken meanwhile.
func portTaken(err error) bool {
	s := err.Error()
	return strings.Contains(s, "port is already allocated") || strings.Contains(s, "address already in use")
}

// freePorts returns n distinct free ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var out []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer ln.Close()
		out = append(out, ln.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// Entry implements testbeds.Deployment.
func (d *Deployment) Entry() string { return d.entry }

// MetricsURLs implements testbeds.Deployment.
func (d *Deployment) MetricsURLs() map[string]string {
	out := make(map[string]string, len(d.services))
	for name, b := range d.services {
		out[name] = b.url() + service.MetricsPath
	}
	return out
}

// Proxy implements faults.Target: the edge's proxy (the first node's, on
// an edge to a clustered service: see Proxies).
func (d *Deployment) Proxy(edge string) (*toxiclient.Proxy, error) {
	ps, err := d.Proxies(edge)
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// Proxies implements faults.FanOut: the edge's proxy, or one per node of
// a clustered callee.
func (d *Deployment) Proxies(edge string) ([]*toxiclient.Proxy, error) {
	ps, ok := d.proxies[edge]
	if !ok || len(ps) == 0 {
		return nil, fmt.Errorf("docker: no proxy for edge %q", edge)
	}
	return ps, nil
}

// FaultURL implements faults.Target. A clustered service has no one fault
// admin (each node has its own): an HTTP fault or a control on it is
// refused.
func (d *Deployment) FaultURL(name string) (string, error) {
	if nodes, ok := d.nodes[name]; ok {
		return "", fmt.Errorf("docker: %s runs as a cluster of %d nodes, each its own service: put the fault on an edge to it, or aim it at the whole cluster with kill, pause or partition (which act on its leader)", name, len(nodes))
	}
	b, err := d.box(name)
	if err != nil {
		return "", err
	}
	return b.url(), nil
}

func (d *Deployment) box(name string) (*box, error) {
	b, ok := d.services[name]
	if !ok {
		return nil, fmt.Errorf("docker: no service %q", name)
	}
	return b, nil
}

// inspect returns a service's container.
func (d *Deployment) inspect(ctx context.Context, b *box) (container.InspectResponse, error) {
	r, err := d.tb.docker.ContainerInspect(ctx, b.id, client.ContainerInspectOptions{})
	if err != nil {
		return container.InspectResponse{}, fmt.Errorf("docker: inspect %s: %w", b.name, err)
	}
	if r.Container.State == nil {
		return container.InspectResponse{}, fmt.Errorf("docker: inspect %s: no state", b.name)
	}
	return r.Container, nil
}

// connected reports whether a container is on the run's network.
func (d *Deployment) connected(c container.InspectResponse) bool {
	return c.NetworkSettings != nil && c.NetworkSettings.Networks[d.netName] != nil
}

// Kill implements faults.Target: SIGKILL to the service's container (a
// paused one too; a clustered service's leader's), then waits until it has
// stopped. A stopped service is left alone.
func (d *Deployment) Kill(ctx context.Context, name string) error {
	b, err := d.aim(ctx, name)
	if err != nil {
		return err
	}
	return d.kill(ctx, b)
}

func (d *Deployment) kill(ctx context.Context, b *box) error {
	c, err := d.inspect(ctx, b)
	if err != nil {
		return err
	}
	if !c.State.Running {
		return nil
	}
	if _, err := d.tb.docker.ContainerKill(ctx, b.id, client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		if !c.State.Paused {
			return fmt.Errorf("docker: kill %s: %w", b.name, err)
		}
		// Some engines refuse to kill a paused container: thaw it first.
		if _, err := d.tb.docker.ContainerUnpause(ctx, b.id, client.ContainerUnpauseOptions{}); err != nil {
			return fmt.Errorf("docker: kill %s: unpause: %w", b.name, err)
		}
		if _, err := d.tb.docker.ContainerKill(ctx, b.id, client.ContainerKillOptions{Signal: "KILL"}); err != nil {
			return fmt.Errorf("docker: kill %s: %w", b.name, err)
		}
	}
	return d.waitStopped(ctx, b)
}

// Stop implements faults.Stopper: SIGTERM (the service finishes what is in
// flight), SIGKILL after StopTimeout. A clustered service's leader stops.
func (d *Deployment) Stop(ctx context.Context, name string) error {
	b, err := d.aim(ctx, name)
	if err != nil {
		return err
	}
	c, err := d.inspect(ctx, b)
	if err != nil {
		return err
	}
	if !c.State.Running {
		return nil
	}
	if c.State.Paused { // a frozen process cannot handle SIGTERM
		if _, err := d.tb.docker.ContainerUnpause(ctx, b.id, client.ContainerUnpauseOptions{}); err != nil {
			return fmt.Errorf("docker: stop %s: unpause: %w", b.name, err)
		}
	}
	timeout := int(StopTimeout / time.Second)
	if _, err := d.tb.docker.ContainerStop(ctx, b.id, client.ContainerStopOptions{Timeout: &timeout}); err != nil {
		return fmt.Errorf("docker: stop %s: %w", b.name, err)
	}
	return d.waitStopped(ctx, b)
}

// waitStopped waits until the container is not running.
func (d *Deployment) waitStopped(ctx context.Context, b *box) error {
	ctx, cancel := context.WithTimeout(ctx, StopTimeout+10*time.Second)
	defer cancel()
	w := d.tb.docker.ContainerWait(ctx, b.id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-w.Result:
		return nil
	case err := <-w.Error:
		return fmt.Errorf("docker: wait for %s to stop: %w", b.name, err)
	}
}

// Restart implements faults.Target: it starts the service's container
// again (killing it first if it runs) and waits for its health check. Its
// in-memory state is lost; its address and published port stay the same.
// A partitioned service is started but cannot be checked: it stays
// partitioned until healed. Of a clustered service, every node that is not
// running starts again; the running ones are left alone.
func (d *Deployment) Restart(ctx context.Context, name string) error {
	if _, clustered := d.nodes[name]; !clustered {
		b, err := d.box(name)
		if err != nil {
			return err
		}
		if err := d.kill(ctx, b); err != nil {
			return err
		}
		return d.startAgain(ctx, b)
	}
	var errs []error
	for _, b := range d.nodes[name] {
		c, err := d.inspect(ctx, b)
		if err == nil && !c.State.Running {
			err = d.startAgain(ctx, b)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// startAgain starts a stopped container and waits for its health check.
func (d *Deployment) startAgain(ctx context.Context, b *box) error {
	if _, err := d.tb.docker.ContainerStart(ctx, b.id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("docker: start %s: %w", b.name, err)
	}
	if c, err := d.inspect(ctx, b); err != nil {
		return err
	} else if !d.connected(c) {
		return nil
	}
	if err := deploy.WaitHealthy(ctx, b.url()+service.HealthPath, 30*time.Second); err != nil {
		return fmt.Errorf("docker: %s not healthy after restart: %w", b.name, err)
	}
	return nil
}

// Pause implements faults.Pauser: the container's processes (a clustered
// service's leader's) are frozen (cgroup freezer). The kernel still
// accepts connections, so callers hang as on a hung process.
func (d *Deployment) Pause(ctx context.Context, name string) error {
	b, err := d.aim(ctx, name)
	if err != nil {
		return err
	}
	if _, err := d.tb.docker.ContainerPause(ctx, b.id, client.ContainerPauseOptions{}); err != nil {
		return fmt.Errorf("docker: pause %s: %w", b.name, err)
	}
	return nil
}

// Unpause implements faults.Pauser: every paused container of the service.
func (d *Deployment) Unpause(ctx context.Context, name string) error {
	bs, err := d.every(name)
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range bs {
		c, err := d.inspect(ctx, b)
		if err == nil && c.State.Paused {
			if _, err = d.tb.docker.ContainerUnpause(ctx, b.id, client.ContainerUnpauseOptions{}); err != nil {
				err = fmt.Errorf("docker: unpause %s: %w", b.name, err)
			}
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Partition implements faults.Partitioner: the service's container (a
// clustered service's leader's) is disconnected from the run's network. It
// keeps running, but nothing reaches it (its published port included) and
// it reaches nothing.
func (d *Deployment) Partition(ctx context.Context, name string) error {
	b, err := d.aim(ctx, name)
	if err != nil {
		return err
	}
	c, err := d.inspect(ctx, b)
	if err != nil {
		return err
	}
	if !d.connected(c) {
		return nil // partitioned already
	}
	if _, err := d.tb.docker.NetworkDisconnect(ctx, d.netID, client.NetworkDisconnectOptions{Container: b.id, Force: true}); err != nil {
		return fmt.Errorf("docker: disconnect %s: %w", b.name, err)
	}
	return nil
}

// Heal implements faults.Partitioner: every disconnected container of the
// service is connected to the run's network again, under its alias.
func (d *Deployment) Heal(ctx context.Context, name string) error {
	bs, err := d.every(name)
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range bs {
		c, err := d.inspect(ctx, b)
		if err == nil && !d.connected(c) {
			_, err = d.tb.docker.NetworkConnect(ctx, d.netID, client.NetworkConnectOptions{
				Container:      b.id,
				EndpointConfig: &network.EndpointSettings{Aliases: []string{b.name}},
			})
			if err != nil {
				err = fmt.Errorf("docker: reconnect %s: %w", b.name, err)
			}
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Close implements testbeds.Deployment: it removes the deployment's
// containers and network, found by label, so whatever a failed Deploy left
// goes too. It goes on when ctx is cancelled (a Ctrl-C), for at most a
// minute. It is safe to call more than once.
func (d *Deployment) Close(ctx context.Context) error {
	d.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, d.closeErr = remove(ctx, d.tb.docker, LabelDeployment+"="+d.id)
	})
	return d.closeErr
}
