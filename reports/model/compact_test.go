package model

import (
	"testing"
	"time"
)

// TestWindowLogCoarsens checks that past MaxWindowsPerRoute windows merge
// two by two, per route, keeping every count, error and latency.
func TestWindowLogCoarsens(t *testing.T) {
	l := NewWindowLog(time.Second, 2)
	n := MaxWindowsPerRoute + 2 // one coarsening
	for k := range n {
		for _, r := range []string{"a", "b"} {
			h := NewHistogram()
			h.Record(time.Duration(k+1) * time.Millisecond)
			w := Window{Route: r, Start: time.Duration(k) * time.Second, Count: 1, Success: 1, Planned: 1, Latency: h.Snapshot()}
			if r == "b" && k%2 == 1 {
				w.Success, w.Errors = 0, map[string]int64{"503": 1}
			}
			l.Add(w)
		}
	}
	ws, width := l.Windows()
	if width != 2*time.Second || len(ws) != n {
		t.Fatalf("%d windows of %v, want %d of 2s", len(ws), width, n)
	}
	var count, success, errs int64
	var planned float64
	for i, w := range ws {
		if want := time.Duration(i/2) * 2 * time.Second; w.Start != want || w.Count != 2 || w.Latency.Count() != 2 {
			t.Fatalf("window %d: %s@%v count %d (%d latencies), want 2 at %v", i, w.Route, w.Start, w.Count, w.Latency.Count(), want)
		}
		count += w.Count
		success += w.Success
		errs += w.Errors["503"]
		planned += w.Planned
	}
	if count != int64(2*n) || success+errs != count || planned != float64(2*n) {
		t.Errorf("totals: %d results, %d 2xx, %d 503, %v planned; want %d in all", count, success, errs, planned, 2*n)
	}
	if w := ws[len(ws)-1]; w.Max < time.Duration(n)*time.Millisecond*999/1000 {
		t.Errorf("last window max %v, want the merged windows' latest %v", w.Max, time.Duration(n)*time.Millisecond)
	}
}
