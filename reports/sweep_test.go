package reports

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestSweepOutputs(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	r := modeltest.SweepRun(model.RankBy{Metric: "success", Phase: "during", Order: "desc"})
	// a violates its SLO, but is only ranked; the baseline meets its.
	r.Variants[0].SLOs = []model.SLOResult{{Name: "s", Metric: "success", Pass: true}}
	r.Variants[1].SLOs = []model.SLOResult{{Name: "s", Metric: "success", Pass: false}}
	model.Summarize(r)
	if !model.Verdict(r) {
		t.Errorf("a ranked configuration's violation failed the verdict")
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(junit.String(), "<failure") || !strings.Contains(junit.String(), "ranked, not gated") {
		t.Errorf("junit:\n%s", junit.String())
	}

	if *render != "" {
		if err := Write(filepath.Join(*render, "sweep"), r); err != nil {
			t.Fatal(err)
		}
	}
	// The sweep figures (Plots adds them to the time plots).
	var names []string
	var plots []PlotFile
	for _, f := range sweepFigures(r) {
		names = append(names, f.name)
		png, err := f.encode("png")
		if err != nil || len(png) < 1000 {
			t.Errorf("%s: %d bytes of PNG, %v", f.name, len(png), err)
		}
		plots = append(plots, PlotFile{Name: f.name, Title: f.title, Caption: f.caption, PNG: png})
	}
	// No amplification chart: nothing has a downstream counter.
	if want := []string{"sweep-success", "sweep-p99", "sweep-recover"}; !slices.Equal(names, want) {
		t.Errorf("sweep plots %q, want %q", names, want)
	}
	plots = append(plots, PlotFile{Name: "latency", Title: "Client latency per window"})

	var html bytes.Buffer
	if err := WriteHTML(&html, r, plots); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, want := range []string{
		"<h2>Sweep</h2>", "success during the faults, higher first", "<code>breaker.open_wait</code>",
		`<td class="num">1</td><td><b>c</b></td><td class="num">4s</td><td class="num">300ms</td><td class="num">100%</td>`,
		`<td class="num">never</td>`, `<tr class="ref"><td class="num">ref</td><td>baseline</td>`,
		`id="sweep-success"`, "violated (ranked, not gated)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// A ranking by another measurement gets its own column.
	r.Sweep.RankBy = model.RankBy{Metric: "degraded", Phase: "during", Order: "asc"}
	model.Summarize(r)
	html.Reset()
	if err := WriteHTML(&html, r, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "<th>▼ degraded during the faults, lower first</th>") {
		t.Errorf("report.html lacks the ranking column")
	}
	// The sweep charts are in the sweep section, not among the time plots.
	if i, j := strings.Index(page, `id="sweep-recover"`), strings.Index(page, "<h2>Plots</h2>"); i < 0 || i > j {
		t.Errorf("sweep chart at %d, plots section at %d", i, j)
	}
}

func TestParamAxis(t *testing.T) {
	tests := []struct {
		values []string
		pos    []float64
		label  string
	}{
		{[]string{"250ms", "1s", "4s"}, []float64{-0.60206, 0, 0.60206}, "open_wait (log scale)"},
		{[]string{"1s", "2s", "3s"}, []float64{1, 2, 3}, "open_wait (s)"},
		{[]string{"0.2", "0.5", "0.8"}, []float64{0.2, 0.5, 0.8}, "open_wait"},
		{[]string{"count", "time"}, []float64{0, 1}, "open_wait"},
		{[]string{"1", "x"}, []float64{0, 1}, "open_wait"},
	}
	for _, tt := range tests {
		a := newParamAxis(model.SweepParam{Key: "breaker.open_wait", Values: tt.values}, "open_wait")
		for i, v := range tt.values {
			if got := a.pos[v]; math.Abs(got-tt.pos[i]) > 1e-5 {
				t.Errorf("%q: %s at %v, want %v", tt.values, v, got, tt.pos[i])
			}
		}
		if a.label != tt.label || a.lo >= a.hi || len(a.ticks) != len(tt.values) {
			t.Errorf("%q: label %q range %v..%v ticks %v", tt.values, a.label, a.lo, a.hi, a.ticks)
		}
	}
}
