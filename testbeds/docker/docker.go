// Package docker is the docker testbed: each service of a pattern's
// topology runs in its own container on a private Docker network (one per
// deployment, faultline-<run>-<n>), and every edge goes through a Toxiproxy
// container, so a scenario meets real process boundaries, real DNS and real
// TCP between containers. Services reach each
// other by network alias through Toxiproxy; the client's load, the metrics
// sampler and fault injection reach the entry proxy, the services and the
// Toxiproxy API through ports published on 127.0.0.1 only.
//
// Nothing is pulled from a registry: the testbed builds a FROM-scratch image
// holding the running faultline binary (which must be static: CGO_ENABLED=0),
// tagged by the binary's content so an unchanged binary reuses the cached
// image. The binary's hidden serve-service and serve-toxiproxy commands (see
// the agent sub-package) make one image serve every container.
//
// Containers are started with testcontainers-go. Its reaper (Ryuk) cannot be
// used, since its image cannot be pulled: TESTCONTAINERS_RYUK_DISABLED must
// be "true" (it is set when unset) and cleanup is ours. Every container and
// network carries the labels faultline=true and faultline.run=<run id>; a
// deployment removes its own at Close, Testbed.RemoveAll removes a whole
// run's, and Clean removes what runs that died left behind.
//
// Beyond the proxy faults, the testbed's Deployment does container faults:
// kill (SIGKILL), a graceful stop (for restart), pause (cgroup freeze) and
// partition (disconnect from the run's network).
//
// A service the topology clusters (patterns.Topology.Clusters) runs as a
// container per node ("store-1".."store-3"): each caller gets a proxy per
// node, each node's peer port has a proxy in front that the other nodes use
// (wires.go), and a service fault aims at the node leading the group when it
// is applied (cluster.go), its revert at every node it left down.
//
// It must not import scenarios, reports or cmd.
package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/faultline/faultline/testbeds"
)

// Labels every container and network of the testbed carries.
const (
	LabelFaultline  = "faultline"            // "true"
	LabelRun        = "faultline.run"        // the run id: one per Testbed
	LabelDeployment = "faultline.deployment" // one per Deploy: "<run>-<n>"
	LabelService    = "faultline.service"    // the service, or "toxiproxy"
	LabelPID        = "faultline.pid"        // the faultline process that made it
	LabelHost       = "faultline.host"       // the host that process runs on
)

// Environment variables testcontainers-go reads, and the values the
// testbed needs.
const (
	envRyukDisabled = "TESTCONTAINERS_RYUK_DISABLED"
	envHostOverride = "TESTCONTAINERS_HOST_OVERRIDE"
)

// Options configures the testbed.
type Options struct {
	// Binary is the faultline binary the image holds. It must be a static
	// Linux executable (CGO_ENABLED=0). Default: this process's executable.
	Binary string
	// Log receives testcontainers' and the image build's log lines; nil
	// silences them.
	Log io.Writer
}

// Testbed runs topologies in Docker containers. It is safe for concurrent
// use: several deployments may run at once.
type Testbed struct {
	binary string
	run    string // run id
	docker client.APIClient
	logger tclog.Logger
	log    io.Writer
	next   atomic.Int64 // deployments so far

	imageMu sync.Mutex
	image   string // tag, once built or found

	timingsMu sync.Mutex
	timings   []testbeds.Timing
}

var _ testbeds.Timed = (*Testbed)(nil)

// New checks the binary and connects to Docker. It fails when the binary is
// not static, when testcontainers is set to use Ryuk, or when Docker cannot
// be reached.
func New(ctx context.Context, o Options) (*Testbed, error) {
	if err := setupEnv(); err != nil {
		return nil, err
	}
	bin := o.Binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("docker: find this program's binary: %w", err)
		}
		bin = exe
	}
	if err := CheckStatic(bin); err != nil {
		return nil, err
	}
	logger := newLogger(o.Log)
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	run, err := newRunID()
	if err != nil {
		return nil, err
	}
	return &Testbed{binary: bin, run: run, docker: cli, logger: logger, log: o.Log}, nil
}

// Name implements testbeds.Testbed.
func (*Testbed) Name() string { return "docker" }

// RunID is the id every container and network of this testbed carries in
// its faultline.run label.
func (tb *Testbed) RunID() string { return tb.run }

// TakeTimings implements testbeds.Timed: the image build, once.
func (tb *Testbed) TakeTimings() []testbeds.Timing {
	tb.timingsMu.Lock()
	defer tb.timingsMu.Unlock()
	out := tb.timings
	tb.timings = nil
	return out
}

func (tb *Testbed) addTiming(name string, d time.Duration) {
	tb.timingsMu.Lock()
	defer tb.timingsMu.Unlock()
	tb.timings = append(tb.timings, testbeds.Timing{Name: name, Duration: d})
}

// RemoveAll removes every container and network of this testbed's run,
// whatever deployment made them. It is the last resort of an interrupted
// run; deployments remove their own at Close.
func (tb *Testbed) RemoveAll(ctx context.Context) (Removed, error) {
	return remove(ctx, tb.docker, LabelRun+"="+tb.run)
}

// setupEnv sets what testcontainers-go needs here before it first reads its
// configuration: no Ryuk (its image cannot be pulled) and published ports
// reached on 127.0.0.1.
func setupEnv() error {
	switch v, ok := os.LookupEnv(envRyukDisabled); {
	case !ok:
		if err := os.Setenv(envRyukDisabled, "true"); err != nil {
			return fmt.Errorf("docker: set %s: %w", envRyukDisabled, err)
		}
	case v != "true":
		return fmt.Errorf("docker: %s=%q: faultline cannot use Ryuk (its image cannot be pulled) and removes its containers itself; set it to \"true\" or unset it",
			envRyukDisabled, v)
	}
	if _, ok := os.LookupEnv(envHostOverride); !ok {
		if err := os.Setenv(envHostOverride, "127.0.0.1"); err != nil {
			return fmt.Errorf("docker: set %s: %w", envHostOverride, err)
		}
	}
	return nil
}

var loggerMu sync.Mutex

// newLogger returns testcontainers' logger for w, and makes it its default
// too (it logs its connection banner there).
func newLogger(w io.Writer) tclog.Logger {
	var l tclog.Logger = tclog.NewNoopLogger()
	if w != nil {
		l = stdlog.New(w, "testcontainers: ", stdlog.Ltime|stdlog.Lmicroseconds)
	}
	loggerMu.Lock()
	defer loggerMu.Unlock()
	tclog.SetDefault(l)
	return l
}

// dockerClient connects to Docker the way testcontainers does (DOCKER_HOST,
// ~/.testcontainers.properties, the usual sockets) and checks it answers.
func dockerClient(ctx context.Context) (client.APIClient, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err == nil {
		_, err = cli.Ping(ctx, client.PingOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("docker: Docker is not reachable (is the daemon running, and DOCKER_HOST right?): %w", err)
	}
	return cli, nil
}

// newRunID returns a short random id.
func newRunID() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("docker: run id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Available reports whether Docker can be reached, for tests that need it.
func Available(ctx context.Context) error {
	if err := setupEnv(); err != nil {
		return err
	}
	newLogger(nil)
	_, err := dockerClient(ctx)
	return err
}
