package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios/traffic"
)

// longRun fast-forwards minutes of load at 100 req/s over two routes
// through the aggregator into a WindowLog, with one metric sampled every
// 250ms, as a run keeps them; it returns the variant as summary.json
// would hold it.
func longRun(tb testing.TB, minutes int) *model.Variant {
	tb.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	total := time.Duration(minutes) * time.Minute
	plan := traffic.Plan{
		Stages:  []traffic.Stage{{Duration: total, Rate: 100}},
		Targets: []traffic.Target{{Name: "a", URL: "http://x/a"}, {Name: "b", URL: "http://x/b"}},
		Timeout: time.Second, Window: time.Second,
	}
	log := model.NewWindowLog(time.Second, 2)
	agg, err := traffic.NewAggregator(plan, start, log.Add)
	if err != nil {
		tb.Fatal(err)
	}
	series := &model.Series{Service: "shop", Name: "faultline_up"}
	r := &vegeta.Result{Method: http.MethodGet, Code: 200}
	for i := range int(total / (10 * time.Millisecond)) {
		at := time.Duration(i) * 10 * time.Millisecond
		r.URL = plan.Targets[i%2].URL
		r.Timestamp = start.Add(at)
		r.Latency = time.Duration(5+i%40) * time.Millisecond
		agg.Add(r)
		if at%(250*time.Millisecond) == 0 {
			series.Append(model.Point{T: at, V: float64(i % 7)})
		}
	}
	agg.Flush(total)
	ws, width := log.Windows()
	return &model.Variant{Name: "v", Windows: ws, Window: width, Series: []model.Series{*series}}
}

// BenchmarkLongRunMemory shows memory and summary size flat from 1 to 60
// minutes of load: past 20 minutes windows and samples get coarser.
func BenchmarkLongRunMemory(b *testing.B) {
	for _, minutes := range []int{1, 10, 20, 60} {
		b.Run(fmt.Sprintf("%dmin", minutes), func(b *testing.B) {
			var heap, size float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				v := longRun(b, minutes)
				runtime.GC()
				runtime.ReadMemStats(&after)
				out, err := json.Marshal(v)
				if err != nil {
					b.Fatal(err)
				}
				heap = float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc)) / (1 << 20)
				size = float64(len(out)) / (1 << 10)
				runtime.KeepAlive(v)
			}
			b.ReportMetric(heap, "heap-MB")
			b.ReportMetric(size, "summary-KB")
		})
	}
}

// TestLongRunBounded checks the bound: an hour keeps no more windows and
// samples than 20 minutes do, and its totals are whole.
func TestLongRunBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fast-forwards an hour of load")
	}
	v := longRun(t, 60)
	if n := len(v.Windows); n > 2*model.MaxWindowsPerRoute || v.Window != 4*time.Second {
		t.Errorf("an hour: %d windows of %v, want at most %d of 4s", n, v.Window, 2*model.MaxWindowsPerRoute)
	}
	if n := len(v.Series[0].Points); n > model.MaxPoints {
		t.Errorf("an hour: %d samples, want at most %d", n, model.MaxPoints)
	}
	var count int64
	var planned float64
	for _, w := range v.Windows {
		count += w.Count
		planned += w.Planned
	}
	if count != 360000 || planned < 359999 || planned > 360001 {
		t.Errorf("an hour: %d results, %v planned; want 360000 of each", count, planned)
	}
}
