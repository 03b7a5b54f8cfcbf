package eventstore_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

// freeAddrs returns n free loopback addresses.
func freeAddrs(t *testing.T, n int) []string {
	var out []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ln.Addr().String())
		ln.Close()
	}
	return out
}

// TestClusterKeepsAcknowledgedEventsWhenTheLeaderDies runs three nodes on
// loopback: appends through a client of all three are acknowledged by a
// majority, so closing the leader loses none of them, and once the other
// two elect a new leader the client appends again, failing over on its
// own.
func TestClusterKeepsAcknowledgedEventsWhenTheLeaderDies(t *testing.T) {
	testkit.Slow(t, "a JetStream election takes 4-9s")
	ctx := context.Background()
	addrs := freeAddrs(t, 3)
	stores := make([]*eventstore.Store, 3)
	urls := make([]string, 3)
	for i := range stores {
		c := &eventstore.Cluster{Node: fmt.Sprintf("store-%d", i+1), Listen: addrs[i], Advertise: addrs[i], Secret: "s3cret"}
		for j, a := range addrs {
			if j != i {
				c.Routes = append(c.Routes, a)
			}
		}
		s, err := eventstore.Open(ctx, eventstore.Options{Dir: t.TempDir(), Cluster: c})
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
		srv := httptest.NewServer(eventstore.Handler(s))
		t.Cleanup(srv.Close)
		urls[i] = srv.URL
	}
	t.Cleanup(func() {
		for _, s := range stores {
			if s != nil {
				s.Close()
			}
		}
	})
	leader := func() int {
		for i, s := range stores {
			if s != nil && s.Leader() {
				return i
			}
		}
		return -1
	}
	testkit.Until(t, 30*time.Second, "a leader", func() bool { return leader() >= 0 })
	checkRouteRefusesStrangers(t, addrs[0])

	cl := eventstore.NewClient(service.NewClient(4), urls...)
	appendN := func(from, to int) {
		t.Helper()
		for n := from; n < to; n++ {
			actx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := cl.Append(actx, eventstore.Append{Stream: "acct-1", Anywhere: true, Version: uint64(n + 1), ID: fmt.Sprintf("op-%d", n), Type: "deposited"})
			cancel()
			if err != nil {
				t.Fatalf("append %d: %v", n, err)
			}
		}
	}
	appendN(0, 20)

	old := leader()
	stores[old].Close()
	stores[old] = nil
	start := time.Now()
	testkit.Until(t, 30*time.Second, "a new leader", func() bool { l := leader(); return l >= 0 && l != old })
	t.Logf("node %d led; node %d leads %s after it was closed", old+1, leader()+1, time.Since(start).Round(100*time.Millisecond))

	appendN(20, 30)
	evs, err := cl.Read(ctx, "acct-1", eventstore.Range{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 30 {
		t.Fatalf("read %d events after the leader died, want the 30 acknowledged", len(evs))
	}
}

// checkRouteRefusesStrangers connects to a node's peer port as a route
// without the cluster's secret: the node refuses it.
func checkRouteRefusesStrangers(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("peer port greeting %q, %v; want INFO", line, err)
	}
	fmt.Fprintf(c, "CONNECT {\"verbose\":false,\"name\":\"stranger\"}\r\nPING\r\n")
	line, _ := r.ReadString('\n')
	if !strings.Contains(line, "Authorization Violation") {
		t.Fatalf("a route without the secret got %q, want an authorization violation", strings.TrimSpace(line))
	}
}
