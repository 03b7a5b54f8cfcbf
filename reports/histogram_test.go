package reports

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestHistogramQuantiles(t *testing.T) {
	h := NewHistogram()
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
		if got := h.Quantile(tt.q); !within(got, tt.want) {
			t.Errorf("Quantile(%v) = %v, want about %v", tt.q, got, tt.want)
		}
	}
	if got := h.Max(); !within(got, time.Second) {
		t.Errorf("Max = %v, want about 1s", got)
	}
}

func TestHistogramEdges(t *testing.T) {
	var zero Histogram // the zero value works
	if zero.Count() != 0 || zero.Quantile(0.99) != 0 || zero.Max() != 0 {
		t.Error("empty zero-value histogram is not empty")
	}
	zero.Record(-time.Second) // clamped to 0
	zero.Record(time.Hour)    // clamped to 120s
	if zero.Count() != 2 {
		t.Fatalf("Count = %d, want 2 (out-of-range values are clamped, not dropped)", zero.Count())
	}
	if got := zero.Max(); !within(got, 120*time.Second) {
		t.Errorf("Max = %v, want about 120s", got)
	}
	var nilH *Histogram
	if nilH.Count() != 0 {
		t.Error("nil histogram has a count")
	}

	a, b := NewHistogram(), NewHistogram()
	a.Record(time.Millisecond)
	b.Record(time.Second)
	a.Merge(b)
	a.Merge(nil)
	a.Merge(&Histogram{})
	if a.Count() != 2 || !within(a.Max(), time.Second) {
		t.Errorf("after Merge: count %d max %v, want 2 and 1s", a.Count(), a.Max())
	}
	a.Reset()
	if a.Count() != 0 || a.Max() != 0 {
		t.Errorf("after Reset: count %d max %v", a.Count(), a.Max())
	}
}

func TestHistogramJSONRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := NewHistogram()
	for range 5000 {
		h.Record(time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond)))
	}
	type wrapper struct {
		H     *Histogram `json:"h"`
		Empty *Histogram `json:"empty"`
		Nil   *Histogram `json:"nil"`
	}
	b, err := json.Marshal(wrapper{H: h, Empty: NewHistogram()})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 2000 {
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
		var x Histogram
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func TestHistogramForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dense := NewHistogram()
	for range 2000 {
		dense.Record(time.Duration(rng.ExpFloat64() * float64(50*time.Millisecond)))
	}
	sparse := dense.Snapshot()
	if sparse.p == nil || sparse.d != nil {
		t.Fatal("Snapshot is not sparse")
	}
	if got, limit := sparse.p.GetMemorySize(), dense.d.ByteSize()/4; got > limit {
		t.Errorf("sparse snapshot takes %d bytes, want under %d", got, limit)
	}
	same := func(what string, a, b *Histogram) {
		t.Helper()
		if a.Count() != b.Count() || a.Max() != b.Max() {
			t.Errorf("%s: count/max %d/%v vs %d/%v", what, a.Count(), a.Max(), b.Count(), b.Max())
		}
		for _, q := range []float64{0, 0.5, 0.9, 0.99, 1} {
			if a.Quantile(q) != b.Quantile(q) {
				t.Errorf("%s: Quantile(%v) %v vs %v", what, q, a.Quantile(q), b.Quantile(q))
			}
		}
	}
	same("snapshot", dense, sparse)
	dj, _ := json.Marshal(dense)
	sj, _ := json.Marshal(sparse)
	if string(dj) != string(sj) {
		t.Error("dense and sparse forms encode differently")
	}

	// Merges between forms; each keeps its form.
	d2, s2 := NewHistogram(), newSparse()
	d2.Merge(sparse)
	d2.Merge(dense)
	s2.Merge(dense)
	s2.Merge(sparse)
	if d2.p != nil || s2.d != nil {
		t.Error("Merge changed a histogram's form")
	}
	same("merged", d2, s2)
	if d2.Count() != 2*dense.Count() {
		t.Errorf("merged count %d, want %d", d2.Count(), 2*dense.Count())
	}

	// Recording into the sparse form works too.
	sparse.Record(time.Minute)
	sparse.Record(time.Hour)
	if sparse.Count() != dense.Count()+2 || !within(sparse.Max(), 120*time.Second) {
		t.Errorf("after Record on sparse: count %d max %v", sparse.Count(), sparse.Max())
	}
	sparse.Reset()
	if sparse.Count() != 0 {
		t.Error("Reset left values in the sparse form")
	}
}

func TestHistogramRecordDoesNotAllocate(t *testing.T) {
	h := NewHistogram()
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
	h := NewHistogram()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i%5000) * time.Microsecond)
	}
}

// BenchmarkHDRRecordValue is the library used directly, for comparison.
func BenchmarkHDRRecordValue(b *testing.B) {
	h := hdrhistogram.New(histLowest, histHighest, histDigits)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = h.RecordValue(int64(i % 5000))
	}
}
