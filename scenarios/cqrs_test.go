package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

// TestCQRSKeepsWritesOffTheReadSide runs the built-in cqrs scenario at 0.8
// (~14s, both variants at once). Seen on a loaded 2-core box: cqrs
// acknowledged every deposit (p99 ~20-100ms during the read-model delay),
// its lag rose to ~80 events while the projector was cut off and fell back
// in under a second, and its read model equalled the fold of the events
// (0 invariant violations); the dual write failed every write while the read
// model was slow and ended with 8 of 8 accounts wrong.
func TestCQRSKeepsWritesOffTheReadSide(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~14s")
	}
	s, err := scenarios.Resolve("cqrs", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkCQRS(t, runVariantsConcurrently(t, s, 0.8))
}

// checkCQRS asserts the cqrs scenario's claims, on whichever testbed ran it.
func checkCQRS(t *testing.T, got map[string]*model.Variant) {
	t.Helper()
	pattern, dual := got["cqrs"], got["dual-write"]
	if pattern.Consistency == nil || dual.Consistency == nil {
		t.Fatal("a variant has no consistency verdict")
	}
	if c := pattern.Consistency; !c.Valid() {
		t.Errorf("cqrs: lost %d, duplicates %d, invariant %d; want 0 (examples %v)", c.Lost, c.Duplicates, c.InvariantViolations, c.Examples)
	}
	if dual.Consistency.InvariantViolations == 0 {
		t.Error("dual-write: its read model equals the fold: the writes that timed out on it must be missing")
	}
	slow := model.Query{Metric: "success", Route: "deposit", Phase: "during", Fault: "read-model-slow"}
	if v, ok := measure(t, pattern, slow); !ok || v < 0.95 {
		t.Errorf("cqrs: deposit success while the read model is slow = %.3f, want >= 0.95", v)
	}
	if v, ok := measure(t, dual, slow); !ok || v > 0.5 {
		t.Errorf("dual-write: deposit success while the read model is slow = %.3f, want <= 0.5", v)
	}
	cut := model.Query{Metric: "projection_lag", Phase: "during", Fault: "projector-cut-off"}
	if v, ok := measure(t, pattern, cut); !ok || v < 10 {
		t.Errorf("cqrs: largest lag while the projector is cut off = %.0f events, want >= 10 (writes go on)", v)
	}
}
