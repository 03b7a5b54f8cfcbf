package scenarios

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
)

// tinyScenario is a 400ms load with one 100ms fault on the fake testbed.
func tinyScenario() *Scenario {
	return &Scenario{
		Name:   "run",
		Window: 100 * time.Millisecond,
		Load: Load{
			Rate: Rate{Freq: 20, Per: time.Second}, Duration: 400 * time.Millisecond,
			Timeout: time.Second, Workers: 4, Connections: 4,
			Targets: []Target{{Name: "GET /", Method: http.MethodGet, Path: "/", Weight: 1}},
		},
		Variants: []Variant{{Name: "v"}},
		Faults:   []faults.Fault{&countingFault{Common: faults.Common{Name: "slow", Kind: "counting", Target: "payments", Duration: 100 * time.Millisecond}}},
		Impl:     fakePattern{},
	}
}

// TestRepeatAndBaseline runs a variant three times, then again against
// that run as its baseline: the runs are kept as repeats with their own
// raw results, and the second run carries its comparison and writes
// compare.html.
func TestRepeatAndBaseline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	base, err := Run(ctx, tinyScenario(), Options{Testbed: &fakeTestbed{}, Dir: dir, Repeat: 3})
	if err != nil {
		t.Fatal(err)
	}
	v := base.Variants[0]
	if base.Repeat != 3 || len(v.Repeats) != 2 {
		t.Fatalf("repeat %d, %d repeats; want 3 and 2", base.Repeat, len(v.Repeats))
	}
	for _, r := range v.Runs() {
		if len(r.Windows) == 0 {
			t.Errorf("run %s has no windows", r.Results)
		}
		if _, err := os.Stat(filepath.Join(dir, r.Results)); err != nil {
			t.Errorf("raw results: %v", err)
		}
	}
	if s, ok := v.Spread(model.Query{Metric: "rate"}); !ok || s.N != 3 {
		t.Errorf("rate spread %+v, %v; want 3 runs", s, ok)
	}

	stored, err := reports.Load(dir) // as --baseline reads it
	if err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	nw, err := Run(ctx, tinyScenario(), Options{Testbed: &fakeTestbed{}, Dir: dir2, Baseline: stored})
	if err != nil {
		t.Fatal(err)
	}
	if nw.Against == nil || len(nw.Against.Rows) == 0 {
		t.Fatalf("no comparison with the baseline: %+v", nw.Against)
	}
	for _, f := range []string{reports.CompareFile, "compare.json", reports.SummaryMarkdown} {
		if _, err := os.Stat(filepath.Join(dir2, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}

	other := tinyScenario()
	other.Name = "other"
	if _, err := Run(ctx, other, Options{Testbed: &fakeTestbed{}, Dir: t.TempDir(), Baseline: stored}); err == nil {
		t.Error("a baseline of another scenario was accepted")
	}
}
