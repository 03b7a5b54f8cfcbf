package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/patterns/sidecar"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

// TestSidecarKeepsTelemetryOutOfTheRequestPath runs the built-in sidecar
// scenario shortened to 80% (18s, both variants at once) and asserts what it
// exists to show. Margins are wide: with the sidecar the app's p99 is ~7ms
// whatever happens to the collector or the sidecar (up to ~200ms under -race
// on a busy 2-core machine, whose stalls hit a few requests); in-process
// sync it is ~1.6s while the collector answers 600ms late.
func TestSidecarKeepsTelemetryOutOfTheRequestPath(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~18s")
	}
	s, err := scenarios.Resolve("sidecar", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	got := runVariantsConcurrently(t, s, 0.8)
	pattern, baseline := got["sidecar"], got["in-process-sync"]

	// While the collector is slow, the baseline app waits on it for every
	// request; with the sidecar it does not.
	slow := model.Query{Metric: "p99", Phase: "during", Fault: "collector-slow"}
	if v, ok := measure(t, pattern, slow); !ok || v > 0.3 {
		t.Errorf("sidecar: p99 while the collector is slow = %.3fs, want <= 300ms", v)
	}
	if v, ok := measure(t, baseline, slow); !ok || v < 0.8*0.6 {
		t.Errorf("in-process-sync: p99 while the collector is slow = %.3fs, want >= 480ms (0.8 x the injected 600ms)", v)
	}

	// Nor does the sidecar's own crash reach the app. (The phase is 2s:
	// its p99 would be the second-worst request, so p90 it is.)
	killed := model.Query{Metric: "p90", Phase: "during", Fault: "sidecar-killed"}
	if v, ok := measure(t, pattern, killed); !ok || v > 0.1 {
		t.Errorf("sidecar: p90 while the sidecar is dead = %.3fs, want <= 100ms", v)
	}
	during := model.Query{Metric: "success", Phase: "during"}
	if v, ok := measure(t, pattern, during); !ok || v < 0.97 {
		t.Errorf("sidecar: success during the faults = %.3f, want >= 0.97", v)
	}

	// Telemetry is what pays: some is dropped (and counted), the rest is
	// delivered.
	for _, c := range []struct {
		metric string
		what   string
	}{
		{sidecar.DroppedMetric, "dropped"},
		{sidecar.ReceivedMetric, "delivered"},
	} {
		total, parts, ok := pattern.Counter(c.metric)
		t.Logf("sidecar: %s = %.0f %+v", c.what, total, parts)
		if !ok || total <= 0 {
			t.Errorf("sidecar: telemetry %s = %.0f (sampled=%v), want > 0", c.what, total, ok)
		}
	}
}
