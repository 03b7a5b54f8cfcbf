package reports

import (
	"bytes"
	"image/png"
	"reflect"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/reports/model"
)

func TestGaugeNames(t *testing.T) {
	tests := []struct {
		metrics []string
		want    map[string]string
	}{
		{[]string{"faultline_bulkhead_in_use", "faultline_bulkhead_waiting"},
			map[string]string{"faultline_bulkhead_in_use": "in use", "faultline_bulkhead_waiting": "waiting"}},
		{[]string{"faultline_buffer_depth"}, map[string]string{"faultline_buffer_depth": "buffer depth"}},
		{[]string{"faultline_capacity_waiting", "faultline_ambassador_budget_available"},
			map[string]string{"faultline_capacity_waiting": "capacity waiting", "faultline_ambassador_budget_available": "ambassador budget available"}},
		// A shared first word that is a whole name stays.
		{[]string{"faultline_pool", "faultline_pool_waiting"},
			map[string]string{"faultline_pool": "pool", "faultline_pool_waiting": "pool waiting"}},
		{[]string{"queue_depth", "queue_age"}, map[string]string{"queue_depth": "depth", "queue_age": "age"}},
	}
	for _, tt := range tests {
		if got := gaugeNames(tt.metrics); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("gaugeNames(%q) = %v, want %v", tt.metrics, got, tt.want)
		}
	}
}

func gaugePts(vs ...float64) []model.Point {
	var out []model.Point
	for i, v := range vs {
		out = append(out, model.Point{T: time.Duration(i) * 250 * time.Millisecond, V: v})
	}
	return out
}

func TestGaugeLines(t *testing.T) {
	v := &model.Variant{
		Gauges: []string{"faultline_pool_in_use", "faultline_pool_waiting", "faultline_rejected_total"},
		Series: []model.Series{
			{Service: "api", Name: "faultline_pool_waiting", Labels: map[string]string{"pool": "b"}, Points: gaugePts(0, 1)},
			{Service: "api", Name: "faultline_pool_in_use", Labels: map[string]string{"pool": "b"}, Points: gaugePts(1, 2)},
			{Service: "api", Name: "faultline_pool_in_use", Labels: map[string]string{"pool": "a"}, Points: gaugePts(3, 4)},
			{Service: "api", Name: "faultline_http_in_flight", Points: gaugePts(9, 9)}, // not named
			// The same label set on two services: the service tells them apart.
			{Service: "db", Name: "faultline_pool_waiting", Labels: map[string]string{"pool": "b"}, Points: gaugePts(5, 5)},
			// No labels: the service names it.
			{Service: "api", Name: "faultline_rejected_total", Counter: true, Points: gaugePts(0, 10, 30, 5)},
		},
	}
	type line struct {
		metric, who string
		ys          []float64
	}
	var got []line
	for _, l := range gaugeLines(v) {
		var ys []float64
		for _, p := range l.pts {
			ys = append(ys, p.Y)
		}
		got = append(got, line{l.metric, l.who, ys})
	}
	want := []line{
		{"faultline_pool_in_use", "a", []float64{3, 4}},
		{"faultline_pool_in_use", "api b", []float64{1, 2}}, // b is on two services
		{"faultline_pool_waiting", "api b", []float64{0, 1}},
		{"faultline_pool_waiting", "db b", []float64{5, 5}},
		// A counter as its rate per second; a decrease is a reset.
		{"faultline_rejected_total", "api", []float64{40, 80, 20}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("gaugeLines:\n got  %v\n want %v", got, want)
	}
}

func TestGaugeSegmentsBreakOnGaps(t *testing.T) {
	s := &model.Series{Name: "g", Points: []model.Point{
		{T: 0, V: 1}, {T: 250 * time.Millisecond, V: 2}, {T: 500 * time.Millisecond, V: 3},
		// the service could not be scraped for 2s
		{T: 2500 * time.Millisecond, V: 4}, {T: 2750 * time.Millisecond, V: 5},
		{T: 3 * time.Second, V: 6},
	}}
	segs := gaugeSegments(s)
	if len(segs) != 2 || len(segs[0]) != 3 || len(segs[1]) != 3 {
		t.Fatalf("gaugeSegments = %v, want two segments of three points", segs)
	}
	// A lone sample still shows, as a short flat line.
	if segs := gaugeSegments(&model.Series{Name: "g", Points: []model.Point{{T: time.Second, V: 7}}}); len(segs) != 1 || len(segs[0]) != 2 || segs[0][0].Y != 7 {
		t.Errorf("gaugeSegments(one point) = %v, want one flat line at 7", segs)
	}
}

func TestGaugesPlot(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	r := synthRun(false)
	r.Variants[0].Gauges = []string{"faultline_pool_in_use", "faultline_pool_waiting"}
	r.Variants[0].Series = append(r.Variants[0].Series,
		model.Series{Service: "api", Name: "faultline_pool_in_use", Labels: map[string]string{"pool": "orders"}, Points: gaugePts(1, 4, 4, 4, 2)},
		model.Series{Service: "api", Name: "faultline_pool_waiting", Labels: map[string]string{"pool": "orders"}, Points: gaugePts(0, 0, 9, 12, 0)},
	)
	r.Variants[1].Gauges = r.Variants[0].Gauges // named, but never sampled: "no gauges"
	f := newPlotData(r).gauges()
	if f == nil {
		t.Fatal("no gauges figure for a run whose variant names gauges")
	}
	if f.name != "gauges" || len(f.panels) != 2 {
		t.Errorf("figure %q with %d panels, want gauges with one panel per variant", f.name, len(f.panels))
	}
	pngData, err := f.encode("png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("gauges.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
		t.Errorf("gauges.png is %dx%d, too small for two panels", b.Dx(), b.Dy())
	}
	svg, err := f.encode("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"orders", "in use", "waiting", "no gauges in this variant"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("gauges.svg lacks %q", want)
		}
	}

	// Without gauges, no figure.
	if f := newPlotData(synthRun(false)).gauges(); f != nil {
		t.Error("a gauges figure for a run without gauges")
	}
}
