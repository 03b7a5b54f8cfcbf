package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

// TestEventSourcingKeepsEveryAcknowledgedWrite runs the built-in
// event-sourcing scenario at 0.8 (~11s, the three variants at once) and
// asserts what it exists to show, from the consistency checker's counts.
// Seen on a loaded 2-core box (load average 13-20): event-sourced lost 0,
// duplicates 0, order 0, invariant 0 (with 0-11 recovered); crud 4
// invariant violations (every hot account drifts: 165-305 of lost updates,
// sometimes an overdraft); memory-store ~130 acknowledged writes lost to
// the store's kill.
func TestEventSourcingKeepsEveryAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~12s")
	}
	s, err := scenarios.Resolve("event-sourcing", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkEventSourcing(t, runVariantsConcurrently(t, s, 0.8), 0.5)
}

// checkEventSourcing asserts the event-sourcing scenario's claims, on
// whichever testbed ran it. minAcked is the least share of the attempted
// commands the pattern must acknowledge: what the store's downtime leaves.
func checkEventSourcing(t *testing.T, got map[string]*model.Variant, minAcked float64) {
	t.Helper()
	pattern, crud, memory := got["event-sourced"].Consistency, got["crud"].Consistency, got["memory-store"].Consistency
	if pattern == nil || crud == nil || memory == nil {
		t.Fatalf("a variant has no consistency verdict: event-sourced %v, crud %v, memory-store %v", pattern, crud, memory)
	}
	t.Logf("event-sourced %+v", pattern.ConsistencyCounts)
	t.Logf("crud: invariant %d, drift %d, overdrafts %d", crud.InvariantViolations, crud.Drift, crud.Overdrafts)
	t.Logf("memory-store: lost %d", memory.Lost)
	if !pattern.Valid() {
		t.Errorf("event-sourced: lost %d, unexpected %d, duplicates %d, order %d, invariant %d; want all 0 (examples %v)",
			pattern.Lost, pattern.Unexpected, pattern.Duplicates, pattern.OrderViolations, pattern.InvariantViolations, pattern.Examples)
	}
	if float64(pattern.Acknowledged) < minAcked*float64(pattern.Attempted) {
		t.Errorf("event-sourced: %d of %d acknowledged, want at least %.0f%%: the pattern must keep serving", pattern.Acknowledged, pattern.Attempted, 100*minAcked)
	}
	before := model.Query{Metric: "success", Route: "deposit", Phase: "before"}
	if v, ok := measure(t, got["event-sourced"], before); !ok || v < 0.99 {
		t.Errorf("event-sourced: deposit success before the faults = %.3f, want >= 0.99", v)
	}
	if crud.InvariantViolations == 0 {
		t.Errorf("crud: no invariant violation: concurrent read-modify-writes on 4 hot accounts must lose updates")
	}
	if memory.Lost == 0 {
		t.Errorf("memory-store: nothing lost: the kill must lose what it acknowledged before")
	}
	after := model.Query{Metric: "success", Route: "deposit", Phase: "after"}
	if v, ok := measure(t, got["event-sourced"], after); !ok || v < 0.9 {
		t.Errorf("event-sourced: deposit success after the faults = %.3f, want >= 0.9", v)
	}
}
