package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
)

// TestRunTotalsMatchRawFile runs a variant at a high rate and checks that
// summary.json's overall totals are `vegeta report`'s on the raw file:
// every result is counted, in a window or as late.
func TestRunTotalsMatchRawFile(t *testing.T) {
	if testing.Short() {
		t.Skip("drives 2000 req/s for 1.5s")
	}
	s := &Scenario{
		Name:   "totals",
		Window: 250 * time.Millisecond,
		Load: Load{
			Rate: Rate{Freq: 2000, Per: time.Second}, Duration: 1500 * time.Millisecond,
			Timeout: time.Second, Workers: 64, Connections: 64,
			Targets: []Target{{Name: "GET /", Method: http.MethodGet, Path: "/", Weight: 1}},
		},
		Variants: []Variant{{Name: "v"}},
		Impl:     fakePattern{},
	}
	dir := t.TempDir()
	if _, err := Run(context.Background(), s, Options{Testbed: &fakeTestbed{}, Dir: dir, SampleEvery: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var sum model.Run
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	v := sum.Variants[0]
	m := rawMetrics(t, filepath.Join(dir, v.Results))
	o := v.Headline.Overall
	t.Logf("raw file: %d requests, success %.4f; summary: %d (late %+v), success %.4f", m.Requests, m.Success, o.Requests, v.Late, o.Success)
	if uint64(o.Requests) != m.Requests || int64(o.Success*float64(o.Requests)+0.5) != int64(m.Success*float64(m.Requests)+0.5) {
		t.Errorf("summary.json overall: %d requests, success %v; vegeta report on the raw file: %d, %v",
			o.Requests, o.Success, m.Requests, m.Success)
	}
	if m.Requests < 2900 {
		t.Errorf("%d requests in the raw file, want about 3000", m.Requests)
	}
}

// rawMetrics is what `vegeta report` computes from a raw results file.
func rawMetrics(t *testing.T, path string) vegeta.Metrics {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var m vegeta.Metrics
	dec := vegeta.NewDecoder(f)
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		m.Add(&r)
	}
	m.Close()
	return m
}
