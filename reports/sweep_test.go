package reports

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sweepVariant is 16 one-second windows of 100 requests around a fault in
// force over [5,10): healthy at 10ms before it, successRatio at lat during
// it (no windows at all when successRatio < 0), and still degraded for
// slowFor windows after it (never recovered when slowFor < 0).
func sweepVariant(name string, params map[string]string, successRatio float64, lat time.Duration, slowFor int) *Variant {
	var ws []Window
	for i := range 16 {
		switch {
		case i < 5:
			ws = append(ws, win("r", float64(i), 100, 100, 0, 10*time.Millisecond))
		case i < 10 && successRatio >= 0:
			ws = append(ws, win("r", float64(i), 100, int64(successRatio*100), 0, lat))
		case i < 10:
		case slowFor < 0 || i < 10+slowFor:
			ws = append(ws, win("r", float64(i), 100, 100, 100, 10*time.Millisecond))
		default:
			ws = append(ws, win("r", float64(i), 100, 100, 0, 10*time.Millisecond))
		}
	}
	return &Variant{
		Name: name, Params: params, ReportOnly: len(params) > 0, Routes: []string{"r"},
		Windows: ws, Faults: []FaultEvent{fault("slow", 5, 5, 5, 10)},
	}
}

func sweepRun(by RankBy) *Run {
	p := func(ow, sc string) map[string]string {
		return map[string]string{"breaker.open_wait": ow, "breaker.slow_call": sc}
	}
	return &Run{
		Scenario: "sweep", Pattern: "circuit-breaker", Window: time.Second, Planned: 16 * time.Second,
		Variants: []*Variant{
			sweepVariant("baseline", nil, 0.4, 2*time.Second, 0),
			sweepVariant("a", p("250ms", "300ms"), 0.9, 100*time.Millisecond, 1),
			sweepVariant("b", p("1s", "300ms"), 1, 300*time.Millisecond, 2),
			sweepVariant("c", p("4s", "300ms"), 1, 200*time.Millisecond, -1),
			sweepVariant("d", p("250ms", "900ms"), -1, 0, 0),
			sweepVariant("e", p("1s", "900ms"), 0.5, time.Second, 0),
		},
		Sweep: &Sweep{
			Params: []SweepParam{
				{Key: "breaker.open_wait", Values: []string{"250ms", "1s", "4s"}},
				{Key: "breaker.slow_call", Values: []string{"300ms", "900ms"}},
			},
			Mode:   "grid",
			RankBy: by,
		},
	}
}

func TestRankSweep(t *testing.T) {
	tests := []struct {
		name string
		by   RankBy
		want []string
	}{
		// c and b tie on success: the lower p99 wins. d has no requests
		// during the fault: last.
		{"success desc", RankBy{Metric: "success", Phase: "during", Order: "desc"}, []string{"c", "b", "a", "e", "d"}},
		{"success asc", RankBy{Metric: "success", Phase: "during", Order: "asc"}, []string{"e", "a", "c", "b", "d"}},
		{"p99 asc", RankBy{Metric: "p99", Phase: "during", Order: "asc"}, []string{"a", "c", "b", "e", "d"}},
		// Recovery after the faults: c never recovers, so it has no value.
		{"recover asc", RankBy{Metric: "time_to_recover", Order: "asc"}, []string{"e", "d", "a", "b", "c"}},
		{"no rank_by: success during, higher first", RankBy{}, []string{"c", "b", "a", "e", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sweepRun(tt.by)
			Summarize(r)
			var got []string
			for i, rk := range r.Sweep.Ranking {
				got = append(got, rk.Variant)
				if rk.Rank != i+1 {
					t.Errorf("%s has rank %d at %d", rk.Variant, rk.Rank, i+1)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ranking %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSweepRow(t *testing.T) {
	r := sweepRun(RankBy{Metric: "success", Phase: "during", Order: "desc"})
	r.Variants[1].SLOs = []SLOResult{{Pass: true}, {Pass: false}}
	Summarize(r)
	rows := map[string]Rank{}
	for _, rk := range r.Sweep.Ranking {
		rows[rk.Variant] = rk
	}
	a := rows["a"]
	if a.Success == nil || !near(*a.Success, 0.9) || a.Value == nil || *a.Value != *a.Success {
		t.Errorf("a: success %v value %v", a.Success, a.Value)
	}
	if a.P99 == nil || !within(*a.P99, 100*time.Millisecond) {
		t.Errorf("a: p99 %v", a.P99)
	}
	// Degraded for one window after the fault: back from the second.
	if a.Recover == nil || *a.Recover != time.Second {
		t.Errorf("a: recover %v, want 1s", a.Recover)
	}
	if a.SLOs != 2 || a.SLOsMet != 1 || a.Params["breaker.open_wait"] != "250ms" {
		t.Errorf("a: %+v", a)
	}
	if a.Amplification != nil {
		t.Errorf("a: amplification %v without a downstream counter", *a.Amplification)
	}
	if c := rows["c"]; c.Recover != nil {
		t.Errorf("c: recover %v, want never", *c.Recover)
	}
	if d := rows["d"]; d.Success != nil || d.P99 != nil || d.Value != nil {
		t.Errorf("d: %+v, want nothing measured during the fault", d)
	}
	if _, ok := rows["baseline"]; ok || len(r.Sweep.Ranking) != 5 {
		t.Errorf("ranking holds %d rows (baseline %v), want the 5 swept", len(r.Sweep.Ranking), ok)
	}
}

// With one fault, recovery after the faults is that fault's recovery.
func TestRecoverAfterAllMatchesOneFault(t *testing.T) {
	for _, slow := range []int{0, 1, 3, -1} {
		v := sweepVariant("v", nil, 0.5, time.Second, slow)
		Summarize(&Run{Window: time.Second, Variants: []*Variant{v}})
		one, okOne := v.Measure(Query{Metric: "time_to_recover", Fault: "slow"})
		all, okAll := sweepMeasure(v, time.Second, Query{Metric: "time_to_recover"})
		if one != all || okOne != okAll {
			t.Errorf("slow for %d: one fault %v (%v), all faults %v (%v)", slow, one, okOne, all, okAll)
		}
	}
}

func TestSweepOutputs(t *testing.T) {
	r := sweepRun(RankBy{Metric: "success", Phase: "during", Order: "desc"})
	// a violates its SLO, but is only ranked; the baseline meets its.
	r.Variants[0].SLOs = []SLOResult{{Name: "s", Metric: "success", Pass: true}}
	r.Variants[1].SLOs = []SLOResult{{Name: "s", Metric: "success", Pass: false}}
	Summarize(r)
	if !Verdict(r) {
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
	r.Sweep.RankBy = RankBy{Metric: "degraded", Phase: "during", Order: "asc"}
	Summarize(r)
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
		a := newParamAxis(SweepParam{Key: "breaker.open_wait", Values: tt.values}, "open_wait")
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
