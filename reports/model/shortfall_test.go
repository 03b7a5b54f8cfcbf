package model

import (
	"testing"
	"time"
)

func TestShort(t *testing.T) {
	tests := []struct {
		achieved, planned float64
		want              bool
	}{
		{100, 100, false},
		{99, 100, false},   // 1% under: within tolerance
		{98, 100, false},   // 1% + one request of rounding
		{97, 100, true},    // beyond it
		{4722, 5000, true}, // the run
		{4960, 5000, false},
		{9, 10, false}, // one request of rounding
		{0, 0, false},  // nothing planned
		{120, 100, false},
	}
	for _, tt := range tests {
		if got := Short(tt.achieved, tt.planned); got != tt.want {
			t.Errorf("Short(%v, %v) = %v, want %v", tt.achieved, tt.planned, got, tt.want)
		}
	}
}

// TestSummarizeShortfallAndLate checks that a window under plan is listed
// and flags its phase, and that late results join the overall totals.
func TestSummarizeShortfallAndLate(t *testing.T) {
	v := &Variant{Name: "v", Late: Late{Count: 7, Success: 5}}
	for k, n := range []int64{100, 100, 80, 100} {
		h := NewHistogram()
		for range n {
			h.Record(10 * time.Millisecond)
		}
		v.Windows = append(v.Windows, Window{
			Route: "r", Start: time.Duration(k) * time.Second, Count: n, Success: n, Planned: 100, Latency: h.Snapshot(),
		})
	}
	r := &Run{Window: time.Second, Planned: 4 * time.Second, Variants: []*Variant{v}}
	Summarize(r)
	o := v.Headline.Overall
	if o.Requests != 387 || o.Success != 385.0/387 {
		t.Errorf("overall %d requests, success %v; want 380 + 7 late, 385 2xx", o.Requests, o.Success)
	}
	if o.Planned != 100 || !o.Short {
		t.Errorf("overall planned %v/s, short %v; want 100/s, short", o.Planned, o.Short)
	}
	if sf := v.Headline.Shortfalls; len(sf) != 1 || sf[0].Start != 2*time.Second || sf[0].Achieved != 80 {
		t.Errorf("shortfalls %+v, want the window at 2s", sf)
	}
}

func TestMeasureRateOfPlan(t *testing.T) {
	v := &Variant{Name: "v"}
	for k, n := range []int64{100, 90} {
		v.Windows = append(v.Windows, Window{Route: "r", Start: time.Duration(k) * time.Second, Count: n, Success: n, Planned: 100})
	}
	Summarize(&Run{Window: time.Second, Planned: 2 * time.Second, Variants: []*Variant{v}})
	if got, ok := v.Measure(Query{Metric: "rate", OfPlan: true}); !ok || got != 0.95 {
		t.Errorf("rate of plan = %v, %v; want 0.95", got, ok)
	}
	if got, ok := v.Measure(Query{Metric: "rate"}); !ok || got != 95 {
		t.Errorf("rate = %v, %v; want 95/s", got, ok)
	}
	if res := v.Check("r", Query{Metric: "rate", OfPlan: true}, ">=", 0.99); res.Pass || res.Unit != "ratio" || !res.OfPlan {
		t.Errorf("check = %+v, want a failing ratio of the plan", res)
	}
}
