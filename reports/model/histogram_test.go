package model_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestHistogramQuantiles(t *testing.T) {
	h := model.NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	if h.Count() != 1000 {
		t.Fatalf("Count = %d, want 1000", h.Count())
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.9, 900 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		if got := h.Quantile(tt.q); !modeltest.Within(got, tt.want) {
			t.Errorf("Quantile(%v) = %v, want about %v", tt.q, got, tt.want)
		}
	}
	if got := h.Max(); !modeltest.Within(got, time.Second) {
		t.Errorf("Max = %v, want about 1s", got)
	}
}

func TestHistogramEdges(t *testing.T) {
	var zero model.Histogram // the zero value works
	if zero.Count() != 0 || zero.Quantile(0.99) != 0 || zero.Max() != 0 {
		t.Error("empty zero-value histogram is not empty")
	}
	zero.Record(-time.Second) // clamped to 0
	zero.Record(time.Hour)    // clamped to 120s
	if zero.Count() != 2 {
		t.Fatalf("Count = %d, want 2 (out-of-range values are clamped, not dropped)", zero.Count())
	}
	if got := zero.Max(); !modeltest.Within(got, 120*time.Second) {
		t.Errorf("Max = %v, want about 120s", got)
	}
	var nilH *model.Histogram
	if nilH.Count() != 0 {
		t.Error("nil histogram has a count")
	}

	a, b := model.NewHistogram(), model.NewHistogram()
	a.Record(time.Millisecond)
	b.Record(time.Second)
	a.Merge(b)
	a.Merge(nil)
	a.Merge(&model.Histogram{})
	if a.Count() != 2 || !modeltest.Within(a.Max(), time.Second) {
		t.Errorf("after Merge: count %d max %v, want 2 and 1s", a.Count(), a.Max())
	}
	a.Reset()
	if a.Count() != 0 || a.Max() != 0 {
		t.Errorf("after Reset: count %d max %v", a.Count(), a.Max())
	}
}

// TestHistogramPrecision checks the 3 significant digits: a quantile is
// within 0.1% of the raw value (2 digits read 507.9ms for a raw 506.6ms).
func TestHistogramPrecision(t *testing.T) {
	for _, d := range []time.Duration{1234 * time.Microsecond, 42 * time.Millisecond, 506600 * time.Microsecond, 7 * time.Second} {
		h := model.NewHistogram()
		h.Record(d)
		for _, got := range []time.Duration{h.Quantile(0.5), h.Quantile(0.99), h.Snapshot().Quantile(0.99)} {
			if diff := got - d; diff < 0 || float64(diff) > 0.001*float64(d) {
				t.Errorf("recorded %v, quantile reads %v: more than 0.1%% off", d, got)
			}
		}
	}
}

func TestHistogramJSONRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := model.NewHistogram()
	for range 5000 {
		h.Record(time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond)))
	}
	type wrapper struct {
		H     *model.Histogram `json:"h"`
		Empty *model.Histogram `json:"empty"`
		Nil   *model.Histogram `json:"nil"`
	}
	b, err := json.Marshal(wrapper{H: h, Empty: model.NewHistogram()})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 4000 { // 2714 bytes at 3 significant digits (2 digits: under 2000)
		t.Errorf("encoded histogram takes %d bytes; expected a compact encoding", len(b))
	}
	var back wrapper
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.H.Count() != h.Count() {
		t.Fatalf("count %d after round trip, want %d", back.H.Count(), h.Count())
	}
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		if got, want := back.H.Quantile(q), h.Quantile(q); got != want {
			t.Errorf("Quantile(%v) = %v after round trip, want %v", q, got, want)
		}
	}
	if back.Empty == nil || back.Empty.Count() != 0 || back.Nil != nil {
		t.Errorf("empty/nil histograms did not round-trip: %+v", back)
	}
	// A decoded histogram keeps recording and merging.
	back.H.Record(time.Millisecond)
	back.H.Merge(h)
	if back.H.Count() != 2*h.Count()+1 {
		t.Errorf("count %d, want %d", back.H.Count(), 2*h.Count()+1)
	}

	for _, bad := range []string{`"not base64!"`, `"SElTVA=="`, `42`} {
		var x model.Histogram
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func TestHistogramRecordDoesNotAllocate(t *testing.T) {
	h := model.NewHistogram()
	d := 3 * time.Millisecond
	allocs := testing.AllocsPerRun(1000, func() {
		h.Record(d)
		h.Record(time.Hour) // clamped, still no error value
		h.Record(-1)
	})
	if allocs != 0 {
		t.Errorf("Record allocates %v times per call", allocs)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := model.NewHistogram()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i%5000) * time.Microsecond)
	}
}
