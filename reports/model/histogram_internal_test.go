package model

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

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
	if sparse.Count() != dense.Count()+2 || !clamped(sparse.Max()) {
		t.Errorf("after Record on sparse: count %d max %v", sparse.Count(), sparse.Max())
	}
	sparse.Reset()
	if sparse.Count() != 0 {
		t.Error("Reset left values in the sparse form")
	}
}

// clamped reports whether d is the histogram's highest value, 120s, to its
// precision (two significant digits).
func clamped(d time.Duration) bool {
	return d > 119*time.Second && d < 121*time.Second
}

// BenchmarkHDRRecordValue is the library used directly, for comparison.
func BenchmarkHDRRecordValue(b *testing.B) {
	h := hdrhistogram.New(histLowest, histHighest, histDigits)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = h.RecordValue(int64(i % 5000))
	}
}
