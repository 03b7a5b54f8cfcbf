package model_test

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestRankSweep(t *testing.T) {
	tests := []struct {
		name string
		by   model.RankBy
		want []string
	}{
		// c and b tie on success: the lower p99 wins. d has no requests
		// during the fault: last.
		{"success desc", model.RankBy{Metric: "success", Phase: "during", Order: "desc"}, []string{"c", "b", "a", "e", "d"}},
		{"success asc", model.RankBy{Metric: "success", Phase: "during", Order: "asc"}, []string{"e", "a", "c", "b", "d"}},
		{"p99 asc", model.RankBy{Metric: "p99", Phase: "during", Order: "asc"}, []string{"a", "c", "b", "e", "d"}},
		// Recovery after the faults: c never recovers, so it has no value.
		{"recover asc", model.RankBy{Metric: "time_to_recover", Order: "asc"}, []string{"e", "d", "a", "b", "c"}},
		{"no rank_by: success during, higher first", model.RankBy{}, []string{"c", "b", "a", "e", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := modeltest.SweepRun(tt.by)
			model.Summarize(r)
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
	r := modeltest.SweepRun(model.RankBy{Metric: "success", Phase: "during", Order: "desc"})
	r.Variants[1].SLOs = []model.SLOResult{{Pass: true}, {Pass: false}}
	model.Summarize(r)
	rows := map[string]model.Rank{}
	for _, rk := range r.Sweep.Ranking {
		rows[rk.Variant] = rk
	}
	a := rows["a"]
	if a.Success == nil || !modeltest.Near(*a.Success, 0.9) || a.Value == nil || *a.Value != *a.Success {
		t.Errorf("a: success %v value %v", a.Success, a.Value)
	}
	if a.P99 == nil || !modeltest.Within(*a.P99, 100*time.Millisecond) {
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
		v := modeltest.SweepVariant("v", nil, 0.5, time.Second, slow)
		model.Summarize(&model.Run{Window: time.Second, Variants: []*model.Variant{v}})
		one, okOne := v.Measure(model.Query{Metric: "time_to_recover", Fault: "slow"})
		all, okAll := model.SweepMeasure(v, time.Second, model.Query{Metric: "time_to_recover"})
		if one != all || okOne != okAll {
			t.Errorf("slow for %d: one fault %v (%v), all faults %v (%v)", slow, one, okOne, all, okAll)
		}
	}
}
