package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/docker/dockertest"
)

// TestEventSourcingKeepsEveryAcknowledgedWriteOnDocker is the
// event-sourcing scenario with its local twin's assertions on Docker: the
// store is a container SIGKILLed mid-load, its JetStream files on the
// container's volume. Seen: event-sourced 0 lost, 0 violations; crud 3-4
// invariant violations (drift 175-225); memory-store 132 lost.
func TestEventSourcingKeepsEveryAcknowledgedWriteOnDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario on Docker for ~25s")
	}
	tb := dockertest.Testbed(t)
	s, err := scenarios.Resolve("event-sourcing", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkEventSourcing(t, runVariantsOn(t, tb, s, 0.8))
}

// TestCQRSKeepsWritesOffTheReadSideOnDocker is the cqrs scenario with its
// local twin's assertions on Docker. Its variants run in turn: six
// containers each.
func TestCQRSKeepsWritesOffTheReadSideOnDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario on Docker for ~35s")
	}
	tb := dockertest.Testbed(t)
	s, err := scenarios.Resolve("cqrs", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkCQRS(t, runVariantsInTurn(t, tb, s, 0.8))
}
