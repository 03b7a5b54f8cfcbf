package faults_test

import (
	"context"
	"testing"
	"time"

	"github.com/faultline/faultline/faults"
)

// TestForeignWatch checks that a toxic added behind faultline's back is
// listed (ours is not) and removed at the end, ours left to its revert.
func TestForeignWatch(t *testing.T) {
	c := startToxiproxy(t)
	for _, edge := range []string{"client->api", "api->db"} {
		if _, err := c.CreateProxy(edge, "127.0.0.1:0", "127.0.0.1:1"); err != nil {
			t.Fatal(err)
		}
	}
	ours := decode(t, "kind: latency\nname: slow\nduration: 1s\ntarget: client->api\nlatency: 10ms\n")
	tgt := edgeTarget{c}
	ctx := context.Background()
	if err := ours.Apply(ctx, tgt); err != nil {
		t.Fatal(err)
	}
	// Someone adds toxics with toxiproxy-cli: one on each edge.
	for _, edge := range []string{"client->api", "api->db"} {
		p, err := c.Proxy(edge)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.AddToxic("cli-"+edge, "latency", "downstream", 1, map[string]any{"latency": 100}); err != nil {
			t.Fatal(err)
		}
	}

	w := faults.NewForeignWatch(tgt, []string{"client->api", "api->db"}, []faults.Fault{ours}, time.Now())
	if err := w.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Scan(ctx); err != nil { // seen twice, listed once
		t.Fatal(err)
	}
	found := w.Found()
	if len(found) != 2 || found[0].Name != "cli-client->api" || found[1].Edge != "api->db" || found[0].Type != "latency" {
		t.Fatalf("found %+v, want the two cli toxics", found)
	}
	if err := w.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	for edge, want := range map[string]int{"client->api": 1, "api->db": 0} {
		p, _ := c.Proxy(edge)
		ts, err := p.Toxics()
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != want {
			t.Errorf("%s keeps %d toxics after Remove, want %d (ours only)", edge, len(ts), want)
		}
	}
}
