// Package testbeds defines where a pattern's topology runs while a scenario
// drives it. It earns its top-level folder because the same scenario runs on
// several testbeds: local (in-process services, embedded Toxiproxy; the
// default) and docker (one container per service, a Toxiproxy container).
//
// A testbed starts every service of a topology, puts a Toxiproxy proxy on
// every edge (the client's entry edge included), and hands faults the Target
// they act on. This package and its sub-packages must not import scenarios,
// reports or cmd.
package testbeds

import (
	"context"

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
