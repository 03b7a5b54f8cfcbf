// Package testbeds defines where a pattern's topology runs while a scenario
// drives it. It earns its top-level folder because the same scenario runs on
// several testbeds: local (in-process services, embedded Toxiproxy; the
// default) and docker (one container per service, a Toxiproxy container).
//
// A testbed starts every service of a topology, puts a Toxiproxy proxy on
// every edge (the client's entry edge included), and hands faults the Target
// they act on. What every testbed does the same way (proxy names, the
// Toxiproxy client, waiting for health checks) is in testbeds/internal/deploy.
//
// It must not import scenarios, reports or cmd.
package testbeds

import (
	"context"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/patterns"
)

// Variant is what to deploy: a pattern with one configuration.
type Variant struct {
	Pattern patterns.Pattern
	Config  any // the pattern's configuration struct, overrides applied
	Seed    int64
}

// Testbed deploys topologies.
type Testbed interface {
	// Name is "local" or "docker".
	Name() string
	// Deploy starts the variant's topology and returns once every service
	// answers its health check. On error, everything started is torn down.
	Deploy(ctx context.Context, v Variant) (Deployment, error)
}

// Deployment is a running topology.
type Deployment interface {
	faults.Target
	// Entry is the base URL the client's load goes to: the proxy on the
	// client's entry edge.
	Entry() string
	// MetricsURLs maps each service to its Prometheus /metrics URL.
	MetricsURLs() map[string]string
	// Close tears the topology down; it is safe to call twice.
	Close(ctx context.Context) error
}

// Inspectable is implemented by deployments whose Toxiproxy API a user can
// reach while the run goes, with the tools they know (toxiproxy-cli -h URL).
type Inspectable interface {
	// ToxiproxyAPI is the API's base URL ("http://127.0.0.1:PORT").
	ToxiproxyAPI() string
}

// FaultChecker is implemented by testbeds that cannot inject every fault
// kind, so a run can be refused before anything starts.
type FaultChecker interface {
	// CheckFault returns nil when the testbed can inject faults of kind,
	// else an error saying why not and what to do instead.
	CheckFault(kind string) error
}

// Timing is how long one step of a testbed's own work took.
type Timing struct {
	Name     string // "image build", ...
	Duration time.Duration
}

// Timed is implemented by testbeds that time steps of their own, such as
// building an image, for the report.
type Timed interface {
	// TakeTimings returns the timings recorded since the last call and
	// forgets them.
	TakeTimings() []Timing
}
