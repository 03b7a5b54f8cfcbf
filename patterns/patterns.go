// Package patterns is the contract between faultline's reference
// implementations of resilience patterns and what exercises them: a Pattern
// is a small topology of HTTP services (Topology), a configuration with
// documented defaults, a baseline configuration (the naive design the
// pattern is compared with), and a handler per service. Services only know
// each other through the addresses an Env hands them, which a testbed
// points at Toxiproxy proxies, one per edge.
//
// The tree under patterns/ holds three kinds of package:
//
//   - patterns/<name>: one package per pattern, named as scenario files
//     name it (circuitbreaker for "circuit-breaker", bulkhead, sidecar,
//     ambassador). It states its pattern with a Spec and Define, and
//     patterns/catalog lists it. See CREATING_PATTERNS.md.
//   - patterns/policy/<name>: reusable resilience policies (breaker,
//     bulkhead, retry), leaf libraries with no HTTP and no metrics that a
//     pattern's services put in front of their calls.
//   - patterns/kit/<name>: building blocks every pattern's services share:
//     service (scaffolding, capacity, the service-to-service HTTP client)
//     and dependency (the configurable downstream service).
//
// It imports nothing of faultline.
package patterns

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Client is the name of the caller on a topology's entry edge.
const Client = "client"

// DegradedHeader marks a fallback answer: a service that answers from a
// fallback instead of its real dependency sets it to "1".
const DegradedHeader = "X-Faultline-Degraded"

// Edge is a directed network edge from caller to callee. Every edge runs
// through its own Toxiproxy proxy.
type Edge struct {
	From, To string
}

// String returns the edge as scenarios name it: "from->to".
func (e Edge) String() string { return e.From + "->" + e.To }

// ParseEdge parses "from->to" (spaces around the arrow are allowed).
func ParseEdge(s string) (Edge, bool) {
	from, to, ok := strings.Cut(s, "->")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !ok || from == "" || to == "" {
		return Edge{}, false
	}
	return Edge{From: from, To: to}, true
}

// Topology is the static shape of a pattern.
type Topology struct {
	Services []string // every service, in start order (callees first)
	Edges    []Edge   // every edge, the client's entry edge included
	Entry    string   // the service the client calls
	// Downstream is the service whose request count, divided by the client's,
	// gives the amplification factor.
	Downstream string
	// State names the gauge (on StateService) that carries the pattern's state,
	// with StateNames[i] naming value i, so reports can draw a state band.
	StateService string
	StateMetric  string
	StateNames   []string
	// Gauges names further gauges (on any service) that show the pattern
	// at work, such as pool occupancy; reports plot them over time.
	Gauges []string
	// Counters names counters (on any service) whose growth over a run tells
	// what the pattern did, such as records shipped and dropped; reports
	// list their totals.
	Counters []string
	// Controls names, per service, what a scenario's timeline actions may
	// steer on it (package actions): a facade's routes, say. An action
	// naming a service or a control not listed here is refused.
	Controls map[string][]string
	// Consistency, when set, makes the harness record every operation the
	// load attempts and check them against the store's content afterwards
	// (lost, duplicated, reordered writes; the invariant).
	Consistency *Consistency
	// Clusters names the services a testbed may run as several nodes of one
	// replicated group (a clustered store whose nodes elect a leader): the
	// docker testbed runs Cluster.Nodes of them, the local testbed one. A
	// caller of a clustered service reaches every node (Env.Nodes), each
	// through an edge proxy of its own; a fault on an edge to it acts on
	// every node's proxy, and a fault on the service acts on its leader at
	// the moment it is applied (see Cluster).
	Clusters map[string]Cluster
}

// Cluster is how a clustered service runs as several nodes.
type Cluster struct {
	// Nodes is how many nodes a testbed that runs clusters starts (3: a
	// majority survives the loss of one).
	Nodes int
	// PeerPort is the port each node listens on for the other nodes (a
	// consensus protocol's routes). A testbed puts a Toxiproxy proxy in
	// front of each node's peer port too: nodes reach each other only
	// through it.
	PeerPort int
	// For reports whether a configuration (the pattern's configuration
	// struct) runs the service as a cluster: a baseline's store may be one
	// database. Nil: every configuration does.
	For func(cfg any) bool
}

// ClusterOf returns how service runs as a cluster under cfg; ok is false
// when it runs alone.
func (t Topology) ClusterOf(service string, cfg any) (c Cluster, ok bool) {
	c, ok = t.Clusters[service]
	if ok && c.For != nil && !c.For(cfg) {
		return Cluster{}, false
	}
	return c, ok
}

// ClusterPath is where a node of a clustered service says on its control
// face whether it leads its group (a ClusterStatus, as JSON), so that a
// testbed can aim a service fault at the leader at the moment it applies
// it, and knows the group is ready once a leader is known.
const ClusterPath = "/_faultline/control/cluster"

// ClusterStatus is what a node answers on ClusterPath.
type ClusterStatus struct {
	Node   string `json:"node"`   // the node's name ("store-2")
	Leader bool   `json:"leader"` // it leads the group now
}

// NodeEnv is what a node of a clustered service gets from its testbed.
type NodeEnv struct {
	// Name is the node's name, unique in its cluster ("store-2").
	Name string
	// Listen is the address the node listens on for its peers (":PeerPort").
	Listen string
	// Advertise is the address the other nodes reach this node's peer port
	// at (its proxy): what the node tells its peers about itself.
	Advertise string
	// Peers maps every other node's name to the address that reaches its
	// peer port (its proxy).
	Peers map[string]string
	// Secret, when set, is what every node must present to its peers: the
	// peer port is on the run's network, which the host reaches too.
	Secret string
}

// HasService reports whether name is one of the topology's services.
func (t Topology) HasService(name string) bool {
	for _, s := range t.Services {
		if s == name {
			return true
		}
	}
	return false
}

// HasEdge reports whether e is one of the topology's edges.
func (t Topology) HasEdge(e Edge) bool {
	for _, x := range t.Edges {
		if x == e {
			return true
		}
	}
	return false
}

// HasControl reports whether service offers the named control.
func (t Topology) HasControl(service, name string) bool {
	for _, c := range t.Controls[service] {
		if c == name {
			return true
		}
	}
	return false
}

// Callees returns the services a service calls.
func (t Topology) Callees(service string) []string {
	var out []string
	for _, e := range t.Edges {
		if e.From == service {
			out = append(out, e.To)
		}
	}
	return out
}

// Env is what a service gets from the testbed that runs it.
type Env struct {
	// Upstream returns the base URL ("http://host:port") through which the
	// service reaches callee: the address of the Toxiproxy proxy on that edge.
	Upstream func(callee string) string
	// Seed makes random choices (service times, fault draws) reproducible.
	Seed int64
	// Registry receives the service's own metrics (breaker state, pool
	// occupancy, ...); it is served on the service's /metrics.
	Registry prometheus.Registerer
	// DataDir is a directory of the service's own that survives its
	// restarts (kill, restart) for the deployment's life: where a store
	// keeps its files. Empty when the testbed gives none.
	DataDir string
	// Upstreams returns the base URL of every node of a clustered callee
	// (Topology.Clusters), each through its own edge proxy; nil for a
	// callee that runs as one service. Use Nodes, which falls back to
	// Upstream.
	Upstreams func(callee string) []string
	// Node is set when the service runs as one node of a cluster; nil when
	// it runs alone (the local testbed, or a service that is no cluster).
	Node *NodeEnv
}

// Nodes returns the base URLs that reach callee: every node of a clustered
// callee, else the one Upstream.
func (e Env) Nodes(callee string) []string {
	if e.Upstreams != nil {
		if urls := e.Upstreams(callee); len(urls) > 0 {
			return urls
		}
	}
	return []string{e.Upstream(callee)}
}

// Pattern is one reference implementation. Pattern packages do not
// implement it by hand: Define makes one from a Spec.
type Pattern interface {
	// Name is the pattern's identifier in scenario files ("circuit-breaker").
	Name() string
	// Description says in one sentence what the pattern contains.
	Description() string
	Topology() Topology
	// DefaultConfig returns a new pointer to the pattern's configuration
	// struct, filled with its documented defaults. Scenario variants decode
	// their overrides onto it (YAML keys are the struct's yaml tags).
	DefaultConfig() any
	// BaselineConfig is DefaultConfig with the pattern switched off: the naive
	// implementation it is compared with.
	BaselineConfig() any
	// Validate checks a configuration after overrides were applied.
	Validate(cfg any) error
	// Handler builds the HTTP handler of one service for a configuration.
	// The returned stop function releases what the handler holds; it is
	// never nil.
	Handler(ctx context.Context, service string, cfg any, env Env) (http.Handler, func(), error)
}

// Catalog finds a pattern by name.
type Catalog []Pattern

// Lookup returns the pattern called name.
func (c Catalog) Lookup(name string) (Pattern, error) {
	var names []string
	for _, p := range c {
		if p.Name() == name {
			return p, nil
		}
		names = append(names, p.Name())
	}
	return nil, fmt.Errorf("unknown pattern %q (known: %s)", name, strings.Join(names, ", "))
}
