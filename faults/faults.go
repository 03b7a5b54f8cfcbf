// Package faults injects failures into a running topology: every Toxiproxy
// toxic, disabling a proxy, HTTP-level faults inside services, and killing,
// restarting, pausing or partitioning a service. Each kind lives in its own
// file behind the small Fault interface; a Timeline applies them on schedule
// and always reverts them.
//
// Faults reach a topology only through the Target interface, which testbeds
// implement; of faultline, the package uses only the wire protocol of HTTP
// faults (faults/httpfault) and the internal leaves.
//
// It must not import scenarios, reports, testbeds, patterns or cmd.
package faults

import (
	"context"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// On says what a fault kind is aimed at.
type On int

const (
	OnEdge    On = iota // a Toxiproxy proxy: "caller->callee"
	OnService           // a service by name
)

// Target is the running topology, as faults see it. Testbeds implement it.
type Target interface {
	// Proxy returns the Toxiproxy proxy (official client) carrying an edge
	// ("caller->callee").
	Proxy(edge string) (*toxiproxy.Proxy, error)
	// FaultURL returns the base URL of a service's HTTP fault admin endpoint
	// (see faults/httpfault).
	FaultURL(service string) (string, error)
	// Kill stops a service abruptly: listener and connections closed,
	// in-memory state lost.
	Kill(ctx context.Context, service string) error
	// Restart starts a killed service again (fresh state, same address).
	Restart(ctx context.Context, service string) error
}

// Optional capabilities of a Target. A testbed implements those it can do;
// a fault kind that needs one fails with a clear error on a Target without
// it (testbeds also say so before a run starts: see testbeds.FaultChecker).

// FanOut is implemented by targets on which an edge may run through several
// proxies: an edge to a clustered service has one per node. A fault on
// such an edge acts on every one of them (the caller is cut off from the
// whole cluster, or slowed to all of it).
type FanOut interface {
	// Proxies returns every proxy carrying edge.
	Proxies(edge string) ([]*toxiproxy.Proxy, error)
}

// Proxies returns every proxy carrying edge on t: Proxies when t is a
// FanOut, else its one Proxy.
func Proxies(t Target, edge string) ([]*toxiproxy.Proxy, error) {
	if f, ok := t.(FanOut); ok {
		return f.Proxies(edge)
	}
	p, err := t.Proxy(edge)
	if err != nil {
		return nil, err
	}
	return []*toxiproxy.Proxy{p}, nil
}

// Pauser freezes a service as a hung process: connections are accepted but
// nothing is answered (health checks and metrics included) until it is
// unpaused, when what was held is served.
type Pauser interface {
	Pause(ctx context.Context, service string) error
	// Unpause resumes a paused service; a running service is left alone.
	Unpause(ctx context.Context, service string) error
}

// Partitioner cuts a service off the topology's network: nothing reaches
// it and it reaches nothing, until it is healed.
type Partitioner interface {
	Partition(ctx context.Context, service string) error
	// Heal reconnects a partitioned service; a connected one is left alone.
	Heal(ctx context.Context, service string) error
}

// Stopper stops a service gracefully (SIGTERM: in-flight requests may
// finish) where Kill stops it abruptly. A restart fault prefers it.
type Stopper interface {
	Stop(ctx context.Context, service string) error
}

// Common holds the fields every fault in a scenario file has. Each kind
// embeds it inline, so a fault is one flat YAML mapping.
type Common struct {
	Name     string        `yaml:"name" json:"name"`
	At       time.Duration `yaml:"at" json:"at"`
	Duration time.Duration `yaml:"duration" json:"duration"`
	Target   string        `yaml:"target" json:"target"`
	Kind     string        `yaml:"kind" json:"kind"`
}

// Base returns the common fields.
func (c *Common) Base() *Common { return c }

// Fault is one kind of failure with its attributes.
type Fault interface {
	// Base returns the common fields (name, timing, target, kind).
	Base() *Common
	// On says whether Target names an edge or a service.
	On() On
	// Validate checks the kind's attributes. A problem is a *field.Error
	// (internal/field) whose path is the offending attribute's YAML key.
	Validate() error
	// Apply injects the fault into target; Revert removes it. Revert must
	// be safe to call after a failed or partial Apply.
	Apply(ctx context.Context, t Target) error
	Revert(ctx context.Context, t Target) error
}
