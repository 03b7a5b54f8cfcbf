package traffic

import (
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// TestAggregatorFromIntended checks that latency is measured from the
// pacer's intended send time, the actual one kept beside it, and that
// every window carries its planned hits.
func TestAggregatorFromIntended(t *testing.T) {
	var got []model.Window
	a, err := NewAggregator(testPlan(), t0, func(w model.Window) { got = append(got, w) })
	if err != nil {
		t.Fatal(err)
	}
	a.MeasureFromIntended(t0)
	// 10/s: hit n is due at n×100ms. Hits 0-4 leave on time; hit 5 is due
	// at 500ms but leaves at 800ms (the generator lagged 300ms).
	for n := range 5 {
		r := result{url: urlA, at: time.Duration(n) * 100 * time.Millisecond, code: 200}.vegeta()
		r.Seq = uint64(n)
		a.Add(r)
	}
	r := result{url: urlA, at: 800 * time.Millisecond, code: 200}.vegeta()
	r.Seq = 5
	a.Add(r)
	a.Flush(3 * time.Second)

	w := got[0] // route a, window 0
	if w.Route != "a" || w.Count != 6 {
		t.Fatalf("first window %+v", w)
	}
	if lat := w.Latency.Max(); lat < 309*time.Millisecond || lat > 311*time.Millisecond {
		t.Errorf("max latency from the intended send time = %v, want 310ms (300ms lag + 10ms)", lat)
	}
	if w.Sent == nil || w.Sent.Max() > 11*time.Millisecond {
		t.Errorf("latency from the actual send time = %v, want it kept, 10ms", w.Sent)
	}
	for _, w := range got {
		if w.Planned != 5 { // 10 hits a window, two routes of equal weight
			t.Errorf("window %s@%v planned %v hits, want 5", w.Route, w.Start, w.Planned)
		}
		if w.Route == "b" && w.Sent != nil {
			t.Errorf("window %s@%v keeps a second histogram though nothing lagged", w.Route, w.Start)
		}
	}
}
