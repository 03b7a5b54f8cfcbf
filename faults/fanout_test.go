package faults_test

import (
	"context"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/faults"
)

// fanTarget carries one edge through a proxy per node, as a testbed does
// for an edge to a clustered service.
type fanTarget struct {
	edgeTarget
	nodes map[string][]*toxiproxy.Proxy
}

func (f fanTarget) Proxies(edge string) ([]*toxiproxy.Proxy, error) { return f.nodes[edge], nil }

// TestEdgeFaultsFanOutToEveryNode: a toxic, a down edge and their reverts
// reach every node's proxy of an edge to a cluster, so the caller is slowed
// or cut off from the whole cluster, not from one node.
func TestEdgeFaultsFanOutToEveryNode(t *testing.T) {
	c := startToxiproxy(t)
	var ps []*toxiproxy.Proxy
	for _, n := range []string{"a_to_store-1", "a_to_store-2", "a_to_store-3"} {
		p, err := c.CreateProxy(n, "127.0.0.1:0", "127.0.0.1:9")
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	target := fanTarget{edgeTarget{c}, map[string][]*toxiproxy.Proxy{"a->store": ps}}
	ctx := context.Background()
	tests := []struct {
		name    string
		fault   faults.Fault
		applied func(p *toxiproxy.Proxy) bool
	}{
		{"latency", &faults.Latency{Common: faults.Common{Name: "slow", Target: "a->store", Kind: "latency", Duration: time.Second}, Toxic: faults.Toxic{Direction: "downstream", Toxicity: 1}, Latency: 50 * time.Millisecond},
			func(p *toxiproxy.Proxy) bool { ts, _ := p.Toxics(); return len(ts) == 1 && ts[0].Name == "slow" }},
		{"down", &faults.Down{Common: faults.Common{Name: "cut", Target: "a->store", Kind: "down", Duration: time.Second}},
			func(p *toxiproxy.Proxy) bool { return !p.Enabled }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fault.Apply(ctx, target); err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				cur, err := c.Proxy(p.Name)
				if err != nil {
					t.Fatal(err)
				}
				if !tt.applied(cur) {
					t.Errorf("%s: fault not on %s", tt.name, p.Name)
				}
			}
			if err := tt.fault.Revert(ctx, target); err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				cur, err := c.Proxy(p.Name)
				if err != nil {
					t.Fatal(err)
				}
				if ts, _ := cur.Toxics(); tt.applied(cur) || len(ts) != 0 || !cur.Enabled {
					t.Errorf("%s: fault still on %s after the revert", tt.name, p.Name)
				}
			}
		})
	}
}
