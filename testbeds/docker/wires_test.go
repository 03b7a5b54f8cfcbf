package docker

import (
	"slices"
	"testing"

	"github.com/faultline/faultline/patterns"
)

func TestPlanWires(t *testing.T) {
	topo := patterns.Topology{
		Services: []string{"store", "accounts"},
		Edges:    []patterns.Edge{{From: patterns.Client, To: "accounts"}, {From: "accounts", To: "store"}},
		Entry:    "accounts",
		Clusters: map[string]patterns.Cluster{"store": {Nodes: 3, PeerPort: 6222, For: func(cfg any) bool { return cfg == "replicated" }}},
	}
	tests := []struct {
		name      string
		cfg       any
		proxies   []string // every wire's proxy -> upstream, in port order
		published []int
		nodeArgs  []string // store-2's cluster flags
	}{
		{
			name: "alone",
			cfg:  "single",
			proxies: []string{
				"client_to_accounts accounts:8080",
				"accounts_to_store store:8080",
			},
			published: []int{toxiproxyPort, firstEdgePort},
		},
		{
			name: "cluster: a wire per node on the edge, one in front of each peer port",
			cfg:  "replicated",
			proxies: []string{
				"client_to_accounts accounts:8080",
				"accounts_to_store-1 store-1:8080",
				"accounts_to_store-2 store-2:8080",
				"accounts_to_store-3 store-3:8080",
				"store-peers_to_store-1 store-1:6222",
				"store-peers_to_store-2 store-2:6222",
				"store-peers_to_store-3 store-3:6222",
			},
			published: []int{toxiproxyPort, firstEdgePort},
			nodeArgs: []string{"--node", "store-2", "--peer-listen", ":6222", "--advertise", "toxiproxy:10005",
				"--peer", "store-1=toxiproxy:10004", "--peer", "store-3=toxiproxy:10006"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := planWires(topo, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, w := range ws.all {
				if w.port != firstEdgePort+i {
					t.Errorf("wire %s on port %d, want %d", w.proxy, w.port, firstEdgePort+i)
				}
				got = append(got, w.proxy+" "+w.upstream)
			}
			if !slices.Equal(got, tt.proxies) {
				t.Errorf("wires\n got %q\nwant %q", got, tt.proxies)
			}
			if p := ws.published(); !slices.Equal(p, tt.published) {
				t.Errorf("published %v, want %v", p, tt.published)
			}
			if tt.nodeArgs != nil {
				if a := ws.nodeArgs("store", "store-2"); !slices.Equal(a, tt.nodeArgs) {
					t.Errorf("node args\n got %q\nwant %q", a, tt.nodeArgs)
				}
				if n := len(ws.of("accounts->store")); n != 3 {
					t.Errorf("accounts->store has %d wires, want 3", n)
				}
			}
		})
	}
}

func TestPlanWiresRefusesAClusteredEntry(t *testing.T) {
	topo := patterns.Topology{
		Services: []string{"store"},
		Edges:    []patterns.Edge{{From: patterns.Client, To: "store"}},
		Entry:    "store",
		Clusters: map[string]patterns.Cluster{"store": {Nodes: 3, PeerPort: 6222}},
	}
	if _, err := planWires(topo, nil); err == nil {
		t.Fatal("a clustered entry service was accepted")
	}
}
