package docker

import (
	"fmt"
	"strconv"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/testbeds/internal/deploy"
)

// wire is one Toxiproxy proxy of a deployment.
type wire struct {
	edge     patterns.Edge // the topology edge it carries; zero for a cluster's peer wire
	proxy    string        // its name in Toxiproxy
	port     int           // the port it listens on in the Toxiproxy container
	upstream string        // the host:port it forwards to
}

func (w wire) listen() string { return "0.0.0.0:" + strconv.Itoa(w.port) }

// addr is where the containers reach the wire.
func (w wire) addr() string { return toxiproxyAlias + ":" + strconv.Itoa(w.port) }

func (w wire) url() string { return "http://" + w.addr() }

// wires is every proxy of a deployment: one per edge; one per node on an
// edge to a clustered service; and, for a cluster, one in front of each
// node's peer port, so that nodes reach each other only through
// Toxiproxy too.
type wires struct {
	all      []wire
	clusters map[string]patterns.Cluster
	nodes    map[string][]string // a clustered service's node names ("store-1")
	peers    map[string]wire     // the wire in front of each node's peer port
}

// planWires lays out the wires of topo under cfg, edge i's first on
// firstEdgePort+i and the peer wires after them.
func planWires(topo patterns.Topology, cfg any) (wires, error) {
	ws := wires{clusters: map[string]patterns.Cluster{}, nodes: map[string][]string{}, peers: map[string]wire{}}
	for _, s := range topo.Services {
		c, ok := topo.ClusterOf(s, cfg)
		if !ok {
			continue
		}
		if c.Nodes < 1 || c.PeerPort <= 0 {
			return wires{}, fmt.Errorf("docker: cluster %s: %d nodes on peer port %d", s, c.Nodes, c.PeerPort)
		}
		if s == topo.Entry {
			return wires{}, fmt.Errorf("docker: the entry service %s cannot run as a cluster", s)
		}
		ws.clusters[s] = c
		for i := 1; i <= c.Nodes; i++ {
			ws.nodes[s] = append(ws.nodes[s], fmt.Sprintf("%s-%d", s, i))
		}
	}
	port := firstEdgePort
	add := func(w wire) wire {
		w.port = port
		port++
		ws.all = append(ws.all, w)
		return w
	}
	for _, e := range topo.Edges {
		callees := []string{e.To}
		if nodes, ok := ws.nodes[e.To]; ok {
			callees = nodes
		}
		for _, to := range callees {
			add(wire{edge: e, proxy: deploy.ProxyName(patterns.Edge{From: e.From, To: to}), upstream: to + ":" + strconv.Itoa(servicePort)})
		}
	}
	for _, s := range topo.Services {
		for _, n := range ws.nodes[s] {
			ws.peers[n] = add(wire{
				proxy:    deploy.ProxyName(patterns.Edge{From: s + "-peers", To: n}),
				upstream: n + ":" + strconv.Itoa(ws.clusters[s].PeerPort),
			})
		}
	}
	return ws, nil
}

// of returns the wires carrying edge ("a->b").
func (ws wires) of(edge string) []wire {
	var out []wire
	for _, w := range ws.all {
		if w.edge.From != "" && w.edge.String() == edge {
			out = append(out, w)
		}
	}
	return out
}

// published lists the Toxiproxy container's ports to publish on the host:
// the API's and the client's entry edges' (the others stay inside the
// network).
func (ws wires) published() []int {
	out := []int{toxiproxyPort}
	for _, w := range ws.all {
		if w.edge.From == patterns.Client {
			out = append(out, w.port)
		}
	}
	return out
}

// toxiproxyArgs is the Toxiproxy container's command line: its API, and
// the only proxies it may open (each wire's, on its port, to its
// upstream).
func (ws wires) toxiproxyArgs() []string {
	args := []string{"serve-toxiproxy", "--listen", ":" + strconv.Itoa(toxiproxyPort)}
	for _, w := range ws.all {
		args = append(args, "--proxy", w.listen()+"="+w.upstream)
	}
	return args
}

// nodeArgs are the serve-service flags that make a container node of the
// clustered service: its name, its peer port, the wire its peers reach it
// through, and the wires that reach each of them.
func (ws wires) nodeArgs(service, node string) []string {
	args := []string{
		"--node", node,
		"--peer-listen", ":" + strconv.Itoa(ws.clusters[service].PeerPort),
		"--advertise", ws.peers[node].addr(),
	}
	for _, other := range ws.nodes[service] {
		if other != node {
			args = append(args, "--peer", other+"="+ws.peers[other].addr())
		}
	}
	return args
}
