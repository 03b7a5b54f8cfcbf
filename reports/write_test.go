package reports

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files in testdata")
	render = flag.String("render", "", "also write the long synthetic report into this directory, to look at")
)

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, firstDiff(got, want))
	}
}

// firstDiff shows the lines around the first difference.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n  got:  " + gl + "\n  want: " + wl
		}
	}
	return "(no line differs)"
}

func TestGoldenSummaryAndJUnit(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	dir := t.TempDir()
	r := synthRun(false)
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{SummaryFile, JUnitFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, b)
	}
}

func TestWriteLoadRoundTrip(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	r := synthRun(true)
	dir := t.TempDir()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	if *render != "" {
		if err := Write(*render, r); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		SummaryFile, HTMLFile, JUnitFile,
		"latency.png", "latency.svg", "outcomes.png", "outcomes.svg",
		"state.png", "state.svg", "downstream.png", "downstream.svg",
		"latency-routes.png", "latency-routes.svg", "outcomes-routes.png", "outcomes-routes.svg",
	}
	for _, name := range want {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("missing %s: %v", name, err)
			continue
		}
		if st.Size() == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	// Self-contained: nothing to fetch.
	for _, bad := range []string{"http://", "https://", "//cdn", "<script src", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html references an external resource: contains %q", bad)
		}
	}
	if m := regexp.MustCompile(`(?i)(src|href)="([^"#][^"]*)"`).FindAllStringSubmatch(page, -1); len(m) > 0 {
		for _, x := range m {
			if !strings.HasPrefix(x[2], "data:image/png;base64,") {
				t.Errorf("report.html loads %s=%q", x[1], x[2][:min(len(x[2]), 60)])
			}
		}
	}
	for _, s := range []string{
		"breaker-vs-slow-dependency", "circuit-breaker", "baseline: expected to violate",
		"dependency-slow", "dependency-down", "time to fail fast", "vegeta report &lt; results-breaker.bin",
		`<img src="data:image/png;base64,`, "availability during the fault", "topology ready",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("report.html has a value html/template refused")
	}
	if strings.Contains(page, "PARTIAL") {
		t.Error("complete run shown as partial")
	}

	// Load and render again: the same summary.
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	if err := Write(dir2, back); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	b, _ := os.ReadFile(filepath.Join(dir2, SummaryFile))
	if !bytes.Equal(a, b) {
		t.Errorf("summary.json changed after Load + Write:\n%s", firstDiff(b, a))
	}
	j1, _ := os.ReadFile(filepath.Join(dir, JUnitFile))
	j2, _ := os.ReadFile(filepath.Join(dir2, JUnitFile))
	if !bytes.Equal(j1, j2) {
		t.Errorf("junit.xml changed after Load + Write:\n%s", firstDiff(j2, j1))
	}
}

func TestWritePartialRun(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	r := synthRun(false)
	r.Partial, r.Reason = true, "interrupted by signal"
	r.Variants[1].Partial = true
	r.Variants[1].Windows = nil // it never ran
	r.Variants[1].Series = nil
	dir := t.TempDir()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "PARTIAL RUN") || !strings.Contains(string(html), "interrupted by signal") {
		t.Error("report.html lacks the partial banner and its reason")
	}
	junit, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(junit), `<failure message="run is partial: interrupted by signal"`) {
		t.Errorf("junit.xml lacks the failing run completed case:\n%s", junit)
	}
	if model.Verdict(r) {
		t.Error("Verdict passed a partial run")
	}
}

func TestWriteEmptyRun(t *testing.T) {
	r := &model.Run{Scenario: "empty", Partial: true, Reason: "topology failed to start"}
	if err := Write(t.TempDir(), r); err != nil {
		t.Fatal(err)
	}
	r.Variants = []*model.Variant{{Name: "v"}}
	if err := Write(t.TempDir(), r); err != nil {
		t.Fatal(err)
	}
}

func TestWriteOddInput(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	// Bad or unusual data must not panic nor stop the report.
	nan := math.NaN()
	v := &model.Variant{
		Name: "odd", Routes: []string{"r"}, Downstream: "dep", StateSeries: "state",
		Windows: []model.Window{
			modeltest.Window("r", 3, 10, 10, 0, time.Millisecond),
			modeltest.Window("r", 0, 10, 10, 0, 3*time.Hour), // out of order, beyond the histogram
			{Route: "r", Start: modeltest.Secs(1)},           // empty, no histogram
			modeltest.Window("other", 1, 5, 0, 0, time.Second),
		},
		Faults: []model.FaultEvent{
			modeltest.Fault("f", 1, 1, 1.5, 1.2), // reverted before applied
			modeltest.Fault("f", 2, 0, 2, 0),     // same name, never reverted, no duration
			{Name: "never", At: modeltest.Secs(100), Duration: modeltest.Secs(5), Error: "proxy missing"},
		},
		Series: []model.Series{
			{Service: "dep", Name: model.DownstreamMetric, Points: []model.Point{{T: modeltest.Secs(1), V: nan}, {T: modeltest.Secs(2), V: 5}, {T: modeltest.Secs(2), V: 7}}},
			{Service: "x", Name: "state", Points: []model.Point{{T: 0, V: nan}, {T: modeltest.Secs(1), V: 7}, {T: modeltest.Secs(2), V: -1}, {T: modeltest.Secs(3), V: 1e300}}},
		},
	}
	r := &model.Run{Scenario: "odd", Variants: []*model.Variant{v, nil, {Name: "empty"}}}
	if err := Write(t.TempDir(), r); err != nil {
		t.Fatal(err)
	}
	for _, m := range model.Metrics {
		for _, phase := range []string{"", "before", "during", "after"} {
			if x, ok := v.Measure(model.Query{Metric: m.Name, Phase: phase}); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
				t.Errorf("Measure(%s, %s) = %v", m.Name, phase, x)
			}
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("Load of a directory without summary.json succeeded")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SummaryFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Error("Load of a broken summary.json succeeded")
	}
}
