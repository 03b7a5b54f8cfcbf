package scenarios_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/local"
)

// tinySweep is two breaker configurations under a short slow-payments
// fault: 8s of load each, run at half length.
const tinySweep = `
name: tiny-sweep
pattern: circuit-breaker
window: 500ms
sweep:
  params:
    breaker.open_wait: [250ms, 2s]
load:
  rate: 50/s
  duration: 8s
  timeout: 2s
  targets: [{name: checkout, method: POST, path: /checkout, body: '{"cart":"c-1","amount":1}'}]
faults:
  - {name: slow, kind: latency, target: shop->payments, at: 2s, duration: 3s, latency: 800ms}
slo:
  - {metric: p99, phase: during, max: 1ms}   # no configuration can meet it
`

// TestSweepEndToEnd runs a two-configuration sweep on the local testbed
// (~9s) and checks what the report holds of it.
func TestSweepEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a sweep for ~9s")
	}
	s, err := scenarios.Parse("tiny-sweep.yaml", []byte(tinySweep), catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	run, err := scenarios.Run(ctx, s, scenarios.Options{Testbed: local.New(), Dir: dir, Scale: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if run.Partial {
		t.Fatalf("partial run: %s", run.Reason)
	}
	for _, name := range []string{"sweep-success", "sweep-p99", "sweep-recover", "sweep-amplification"} {
		for _, ext := range []string{".png", ".svg"} {
			if fi, err := os.Stat(filepath.Join(dir, name+ext)); err != nil || fi.Size() == 0 {
				t.Errorf("%s%s: %v", name, ext, err)
			}
		}
	}

	got, err := reports.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Variants) != 2 {
		t.Fatalf("%d variants, want 2", len(got.Variants))
	}
	for i, want := range []string{"250ms", "2s"} {
		v := got.Variants[i]
		if v.Params["breaker.open_wait"] != want || !v.ReportOnly || len(v.SLOs) != 1 {
			t.Errorf("variant %s: params %v, report only %v, %d SLOs", v.Name, v.Params, v.ReportOnly, len(v.SLOs))
		}
	}
	sw := got.Sweep
	if sw == nil || len(sw.Ranking) != 2 || len(sw.Params) != 1 || sw.Params[0].Key != "breaker.open_wait" ||
		sw.RankBy != (model.RankBy{Metric: "success", Phase: "during", Order: "desc"}) {
		t.Fatalf("sweep in summary.json: %+v", sw)
	}
	a, b := sw.Ranking[0], sw.Ranking[1]
	if a.Rank != 1 || b.Rank != 2 || a.Value == nil || b.Value == nil || *a.Value < *b.Value ||
		a.Success == nil || a.P99 == nil || a.Amplification == nil || a.Params["breaker.open_wait"] == "" {
		t.Fatalf("ranking %+v", sw.Ranking)
	}
	t.Logf("ranking: %s %.4f, %s %.4f", a.Variant, *a.Value, b.Variant, *b.Value)
	// With the breaker, checkout stays up while payments is slow.
	if *b.Value < 0.9 {
		t.Errorf("success during the fault %.3f, want >= 0.9 for both configurations", *b.Value)
	}
	// The configurations are ranked, not gated: an SLO they violate does
	// not fail the run.
	if a.SLOsMet != 0 || a.SLOs != 1 {
		t.Errorf("%s met %d of %d SLOs, want 0 of 1", a.Variant, a.SLOsMet, a.SLOs)
	}
	if !model.Verdict(got) {
		t.Errorf("verdict failed; swept configurations must not gate")
	}
}
