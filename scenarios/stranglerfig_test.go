package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/patterns/stranglerfig"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

// TestStranglerFigRollsBack runs the built-in strangler-fig scenario at 80%
// (~18s, both variants at once) and asserts what it exists to show: when
// modern fails at 40%, the facade rolls the route back within seconds and
// stays available, the big bang loses availability; the shadow's real
// diff rate stands apart from its noise; a slow shadow costs users nothing.
// Typical values on a quiet machine: the pattern ~97% success while modern
// fails, rollback ~1.5s after the fault, real diffs ~5% of comparisons and
// noise ~95%; the big bang ~78% (0.75 of the load x 30% errors).
func TestStranglerFigRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~18s")
	}
	s, err := scenarios.Resolve("strangler-fig", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	checkStranglerFig(t, runVariantsConcurrently(t, s, 0.8))
}

// checkStranglerFig asserts what the strangler-fig scenario exists to show,
// on whichever testbed ran it.
func checkStranglerFig(t *testing.T, got map[string]*model.Variant) {
	t.Helper()
	pattern, bigBang := got["strangler"], got["big-bang"]

	failing := model.Query{Metric: "success", Phase: "during", Fault: "modern-failing"}
	if v, ok := measure(t, pattern, failing); !ok || v < 0.9 {
		t.Errorf("strangler: success while modern fails = %.3f, want >= 0.9 (rolled back)", v)
	}
	if v, ok := measure(t, bigBang, failing); !ok || v > 0.88 {
		t.Errorf("big-bang: success while modern fails = %.3f, want <= 0.88 (every catalog user on modern)", v)
	}

	// The rollback: once, soon after the fault; never in the big bang.
	if n := counter(pattern, stranglerfig.RollbacksMetric); n != 1 {
		t.Errorf("strangler: %v rollbacks, want 1", n)
	}
	if n := counter(bigBang, stranglerfig.RollbacksMetric); n != 0 {
		t.Errorf("big-bang: %v rollbacks, want 0", n)
	}
	d, ok := timeToRollback(pattern, "modern-failing")
	if !ok || d > 5*time.Second {
		t.Errorf("strangler: rolled back %v after modern began failing (seen: %v), want within 5s", d, ok)
	}
	t.Logf("strangler: rolled back %v after modern began failing", d)

	// Diffy-style comparison: real diffs are the corrupted prices (a few
	// percent), noise (trace ids, timestamps) is nearly every answer.
	compared := counter(pattern, stranglerfig.ComparedMetric)
	diffRate, noiseRate := counter(pattern, stranglerfig.DiffsMetric)/compared, counter(pattern, stranglerfig.NoiseMetric)/compared
	if compared < 100 || diffRate <= 0 || diffRate > 0.2 || noiseRate < 0.6 {
		t.Errorf("strangler: %v compared, diff rate %.3f, noise rate %.3f; want real diffs in (0, 0.2] and noise >= 0.6", compared, diffRate, noiseRate)
	}
	t.Logf("strangler: %v compared, real diff rate %.3f, noise rate %.3f, %v copies dropped", compared, diffRate, noiseRate,
		counter(pattern, stranglerfig.ShadowDroppedMetric))
	if n := counter(bigBang, stranglerfig.ShadowSentMetric); n != 0 {
		t.Errorf("big-bang: %v shadow copies, want none", n)
	}

	// A slow shadow does not slow users down.
	slow := model.Query{Metric: "p99", Phase: "during", Fault: "shadow-slow"}
	if v, ok := measure(t, pattern, slow); !ok || v > 0.25 {
		t.Errorf("strangler: p99 while the shadow is slow = %.3fs, want <= 0.25s (modern is 300ms slow)", v)
	}
	for _, v := range []*model.Variant{pattern, bigBang} {
		for _, phase := range []string{"before", "after"} {
			if got, ok := measure(t, v, model.Query{Metric: "success", Phase: phase}); !ok || got < 0.97 {
				t.Errorf("%s: success %s the faults = %.3f, want >= 0.97", v.Name, phase, got)
			}
		}
	}
}

// counter is how much a counter grew over the variant's run.
func counter(v *model.Variant, name string) float64 {
	total, _, _ := v.Counter(name)
	return total
}

// timeToRollback is the time from the fault's start to the first sample
// of the facade's state showing a rollback.
func timeToRollback(v *model.Variant, fault string) (time.Duration, bool) {
	var at time.Duration
	for _, f := range v.Faults {
		if f.Name == fault {
			at = f.Applied
		}
	}
	for _, s := range v.Series {
		if s.Name != stranglerfig.StateMetric {
			continue
		}
		for _, p := range s.Points {
			if p.V == 3 { // "rolled back"
				return p.T - at, true
			}
		}
	}
	return 0, false
}
