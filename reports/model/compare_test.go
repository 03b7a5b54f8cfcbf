package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

// cbRun is a run of one variant "v" with ten 1s windows at 100 requests,
// a fault "f" from 3s to 6s during which success is dur and latency lat.
func cbRun(dur float64, lat time.Duration) *model.Run {
	var ws []model.Window
	for i := range 10 {
		ok, l := int64(100), 10*time.Millisecond
		if i >= 3 && i < 6 {
			ok, l = int64(dur*100), lat
		}
		ws = append(ws, modeltest.Window("r", float64(i), 100, ok, 0, l))
	}
	return &model.Run{Scenario: "s", Pattern: "p", Window: time.Second, Planned: 10 * time.Second,
		Variants: []*model.Variant{{Name: "v", Routes: []string{"r"}, Windows: ws,
			Faults: []model.FaultEvent{modeltest.Fault("f", 3, 3, 3, 6)}}}}
}

func row(c *model.Comparison, metric, phase, fault string) model.Delta {
	for _, d := range c.Rows {
		if d.Metric == metric && d.Phase == phase && d.Fault == fault && d.Route == "" {
			return d
		}
	}
	return model.Delta{}
}

func TestCompareVerdicts(t *testing.T) {
	tests := []struct {
		name        string
		dur         float64
		lat         time.Duration
		wantSuccess string
		wantP99     string
		wantWorse   bool
	}{
		{"same config", 1, 20 * time.Millisecond, model.Same, model.Same, false},
		{"within tolerance", 0.99, 25 * time.Millisecond, model.Same, model.Same, false},
		{"success drops", 0.5, 20 * time.Millisecond, model.Worse, model.Same, true},
		{"p99 grows", 1, 1500 * time.Millisecond, model.Same, model.Worse, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := model.Compare(cbRun(1, 20*time.Millisecond), cbRun(tt.dur, tt.lat))
			if err != nil {
				t.Fatal(err)
			}
			if got := row(c, "success", "during", "f").Verdict; got != tt.wantSuccess {
				t.Errorf("success during: %s, want %s", got, tt.wantSuccess)
			}
			if got := row(c, "p99", "during", "f").Verdict; got != tt.wantP99 {
				t.Errorf("p99 during: %s, want %s", got, tt.wantP99)
			}
			if c.Worse() != tt.wantWorse {
				for _, d := range c.Rows {
					if d.Verdict == model.Worse {
						t.Logf("worse: %+v base %+v new %+v", d, d.Base, d.New)
					}
				}
				t.Errorf("Worse() = %v, want %v (%v)", c.Worse(), tt.wantWorse, c.Counts)
			}
		})
	}
}

func TestCompareBetterIsTheOtherWay(t *testing.T) {
	c, err := model.Compare(cbRun(0.5, 1500*time.Millisecond), cbRun(1, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"success", "p99"} {
		if got := row(c, m, "during", "f").Verdict; got != model.Better {
			t.Errorf("%s during: %s, want better", m, got)
		}
	}
	if c.Worse() {
		t.Errorf("an improvement compares worse: %v", c.Counts)
	}
}

func TestCompareBadInput(t *testing.T) {
	other := cbRun(1, 0)
	other.Scenario = "other"
	scaled := cbRun(1, 0)
	scaled.Scale = 0.3
	tests := []struct {
		name      string
		base, new *model.Run
		want      string
	}{
		{"missing", nil, cbRun(1, 0), "missing run"},
		{"different scenarios", cbRun(1, 0), other, `different scenarios: base is "s", new is "other"`},
		{"different scales", cbRun(1, 0), scaled, "different scales"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := model.Compare(tt.base, tt.new)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// withRepeats gives run r's variant further runs with the given success
// during the fault.
func withRepeats(r *model.Run, durs ...float64) *model.Run {
	for _, d := range durs {
		r.Variants[0].Repeats = append(r.Variants[0].Repeats, cbRun(d, 20*time.Millisecond).Variants[0])
	}
	r.Repeat = 1 + len(durs)
	return r
}

func TestCompareWithRepeats(t *testing.T) {
	tests := []struct {
		name      string
		base, new []float64 // success during the fault, per run
		want      string
		test      string
	}{
		// 4 and 4 runs apart: p = 2/70 < 0.05, significant although each
		// difference is within the 2pp tolerance.
		{"apart", []float64{1, 1, 1, 1}, []float64{0.99, 0.99, 0.99, 0.99}, model.Worse, "u-test"},
		// Overlapping ranges: not significant, although the medians differ
		// by more than the tolerance.
		{"overlapping", []float64{1, 0.9, 1, 0.9}, []float64{0.95, 0.97, 1, 0.9}, model.Same, "u-test"},
		// 3 and 3 cannot reach p <= 0.05: the tolerance decides.
		{"too few", []float64{1, 1, 1}, []float64{0.9, 0.9, 0.9}, model.Worse, "tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := withRepeats(cbRun(tt.base[0], 20*time.Millisecond), tt.base[1:]...)
			nw := withRepeats(cbRun(tt.new[0], 20*time.Millisecond), tt.new[1:]...)
			c, err := model.Compare(base, nw)
			if err != nil {
				t.Fatal(err)
			}
			d := row(c, "success", "during", "f")
			if d.Verdict != tt.want || d.Test != tt.test {
				t.Errorf("success during: %s by %s (p=%.3f, base %+v, new %+v), want %s by %s", d.Verdict, d.Test, d.P, d.Base, d.New, tt.want, tt.test)
			}
		})
	}
}

func TestSpreadAndMedian(t *testing.T) {
	r := withRepeats(cbRun(0.5, 20*time.Millisecond), 0.9, 0.7)
	model.Summarize(r)
	q := model.Query{Metric: "success", Phase: "during", Fault: "f"}
	s, ok := r.Variants[0].Spread(q)
	if !ok || s.N != 3 || !modeltest.Near(s.Median, 0.7) || !modeltest.Near(s.Min, 0.5) || !modeltest.Near(s.Max, 0.9) {
		t.Errorf("Spread = %+v, %v; want median 0.7, 0.5–0.9 over 3", s, ok)
	}
	// Measure, and so SLOs, use the median.
	if got, _ := r.Variants[0].Measure(q); !modeltest.Near(got, 0.7) {
		t.Errorf("Measure = %v, want the median 0.7", got)
	}
}

func TestMannWhitneyP(t *testing.T) {
	tests := []struct {
		xs, ys []float64
		want   float64
	}{
		{[]float64{1, 2, 3}, []float64{4, 5, 6}, 0.1},            // 2/C(6,3)
		{[]float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, 2.0 / 70}, // 2/C(8,4)
		{[]float64{1, 3}, []float64{2, 4}, 2.0 / 3},              // U = 3 of 4: P(U >= 3) = 2/6
		{[]float64{5, 6, 7, 8}, []float64{1, 2, 3, 4}, 2.0 / 70},
	}
	for _, tt := range tests {
		if got := model.MannWhitneyP(tt.xs, tt.ys); !modeltest.Near(got, tt.want) {
			t.Errorf("MannWhitneyP(%v, %v) = %v, want %v", tt.xs, tt.ys, got, tt.want)
		}
	}
	for _, tt := range []struct {
		n1, n2 int
		want   bool
	}{{1, 1, false}, {3, 3, false}, {3, 4, false}, {3, 5, true}, {4, 4, true}} {
		if got := model.Testable(tt.n1, tt.n2); got != tt.want {
			t.Errorf("Testable(%d, %d) = %v, want %v", tt.n1, tt.n2, got, tt.want)
		}
	}
}

// TestSweepRanksOnTheMedian gives configuration c (first by one run) two
// repeats that answer only 30% during the fault: ranked on the median of
// its three runs, it falls behind b and a.
func TestSweepRanksOnTheMedian(t *testing.T) {
	r := modeltest.SweepRun(model.RankBy{})
	c := r.Find("c")
	for range 2 {
		c.Repeats = append(c.Repeats, modeltest.SweepVariant("c", c.Params, 0.3, 200*time.Millisecond, -1))
	}
	model.Summarize(r)
	var order []string
	for _, row := range r.Sweep.Ranking {
		order = append(order, row.Variant)
		if row.Variant == "c" && (row.Spread == nil || row.Spread.N != 3 || !modeltest.Near(row.Spread.Max, 1)) {
			t.Errorf("c's ranking spread %+v, want 3 runs up to 100%%", row.Spread)
		}
	}
	if got := strings.Join(order, ","); got != "b,a,e,c,d" {
		t.Errorf("ranking %s, want b,a,e,c,d", got)
	}
}
