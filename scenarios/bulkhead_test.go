package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

// TestBulkheadContainsTheBlastRadius runs the built-in bulkhead scenario
// shortened to 90% (18s, both variants at once) and asserts what the
// scenario exists to show: while reviews is slow, per-dependency bulkheads
// keep the inventory route available and fast, and with one shared pool it
// collapses. Margins are wide (CPU is shared): with bulkheads inventory
// keeps ~100% success and a p99 of tens of ms; with the shared pool ~35-45%
// and a p99 of ~1s (the pool's max wait).
func TestBulkheadContainsTheBlastRadius(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~18s")
	}
	s, err := scenarios.Resolve("bulkhead", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkBulkheadContains(t, runVariantsConcurrently(t, s, 0.9))
}

// checkBulkheadContains asserts what the bulkhead scenario exists to show,
// on whichever testbed ran it.
func checkBulkheadContains(t *testing.T, got map[string]*model.Variant) {
	t.Helper()
	bulkheads, shared := got["bulkheads"], got["shared-pool"]

	// Inventory does not use reviews: with bulkheads it does not notice
	// reviews is slow.
	success := model.Query{Metric: "success", Route: "inventory", Phase: "during"}
	if v, ok := measure(t, bulkheads, success); !ok || v < 0.95 {
		t.Errorf("bulkheads: inventory success while reviews is slow = %.3f, want >= 0.95", v)
	}
	p99 := model.Query{Metric: "p99", Route: "inventory", Phase: "during"}
	if v, ok := measure(t, bulkheads, p99); !ok || v > 0.3 {
		t.Errorf("bulkheads: inventory p99 while reviews is slow = %.3fs, want <= 0.3s", v)
	}
	degraded := model.Query{Metric: "degraded", Route: "inventory", Phase: "during"}
	if v, ok := measure(t, bulkheads, degraded); !ok || v > 0.02 {
		t.Errorf("bulkheads: inventory degraded while reviews is slow = %.3f, want <= 0.02", v)
	}

	// With one shared pool, slow reviews calls hold every slot and
	// inventory calls queue behind them: most are refused after the wait.
	if v, ok := measure(t, shared, success); !ok || v > 0.6 {
		t.Errorf("shared-pool: inventory success while reviews is slow = %.3f, want <= 0.6 (the collapse)", v)
	}
	if v, ok := measure(t, shared, p99); !ok || v < 0.8 {
		t.Errorf("shared-pool: inventory p99 while reviews is slow = %.3fs, want >= 0.8s (queued behind reviews)", v)
	}

	// Reviews itself answers in both, with bulkheads mostly from its
	// fallback (its bulkhead sheds what it cannot hold).
	reviews := model.Query{Metric: "success", Route: "reviews", Phase: "during"}
	if v, ok := measure(t, bulkheads, reviews); !ok || v < 0.95 {
		t.Errorf("bulkheads: reviews success while slow = %.3f, want >= 0.95 (fallbacks)", v)
	}
	reviewsDegraded := model.Query{Metric: "degraded", Route: "reviews", Phase: "during"}
	if v, ok := measure(t, bulkheads, reviewsDegraded); !ok || v < 0.5 {
		t.Errorf("bulkheads: reviews degraded while slow = %.3f, want >= 0.5 (shed to the fallback)", v)
	}

	// Both are healthy before the fault and after it.
	for _, v := range []*model.Variant{bulkheads, shared} {
		for _, phase := range []string{"before", "after"} {
			q := model.Query{Metric: "success", Phase: phase}
			if got, ok := measure(t, v, q); !ok || got < 0.97 {
				t.Errorf("%s: success %s the fault = %.3f, want >= 0.97", v.Name, phase, got)
			}
		}
	}
}
