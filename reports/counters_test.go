package reports

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// pts builds points at t = 0, 1, 2... seconds from values.
func pts(start float64, vs ...float64) []Point {
	out := make([]Point, len(vs))
	for i, v := range vs {
		out[i] = Point{T: secs(start + float64(i)), V: v}
	}
	return out
}

func TestVariantCounter(t *testing.T) {
	const name = "faultline_telemetry_dropped_total"
	other := Series{Service: "app", Name: "faultline_http_requests_total", Counter: true, Points: pts(0, 0, 1, 2, 3, 4)}
	sc := Series{Service: "telemetry", Name: "faultline_http_requests_total", Counter: true, Points: pts(0, 0, 1, 2, 3, 4)}
	tests := []struct {
		name      string
		series    []Series
		wantTotal float64
		wantParts []CounterPart
		wantOK    bool
	}{
		{
			name:   "not sampled",
			series: []Series{other},
		},
		{
			name: "one series from its first sample",
			series: []Series{other,
				{Service: "app", Name: name, Counter: true, Points: pts(0, 5, 7, 10)}},
			wantTotal: 5, wantOK: true,
			wantParts: []CounterPart{{Service: "app", Increase: 5}},
		},
		{
			name: "a reset (the service restarted) is undone",
			series: []Series{sc,
				{Service: "telemetry", Name: name, Labels: map[string]string{"where": "sidecar"}, Counter: true,
					Points: pts(0, 0, 100, 250, 30, 60)}},
			wantTotal: 310, wantOK: true,
			wantParts: []CounterPart{{Service: "telemetry", Labels: map[string]string{"where": "sidecar"}, Increase: 310}},
		},
		{
			name: "a series born after its service's first sample counts from 0",
			series: []Series{other,
				{Service: "app", Name: name, Counter: true, Points: pts(2, 4, 6)}},
			wantTotal: 6, wantOK: true,
			wantParts: []CounterPart{{Service: "app", Increase: 6}},
		},
		{
			name: "label sets and services are parts, summed, ordered by key",
			series: []Series{other, sc,
				{Service: "telemetry", Name: name, Labels: map[string]string{"where": "sidecar"}, Counter: true, Points: pts(0, 0, 40)},
				{Service: "app", Name: name, Labels: map[string]string{"where": "app"}, Counter: true, Points: pts(0, 0, 2, 3)},
				{Service: "app", Name: name, Labels: map[string]string{"where": "app", "why": "full"}, Counter: true, Points: pts(0, 1, 1)},
			},
			wantTotal: 43, wantOK: true,
			wantParts: []CounterPart{
				{Service: "app", Labels: map[string]string{"where": "app", "why": "full"}, Increase: 0}, // "," < "}"
				{Service: "app", Labels: map[string]string{"where": "app"}, Increase: 3},
				{Service: "telemetry", Labels: map[string]string{"where": "sidecar"}, Increase: 40},
			},
		},
		{
			name: "unordered points and non-finite values",
			series: []Series{other,
				{Service: "app", Name: name, Counter: true, Points: []Point{
					{T: secs(2), V: 9}, {T: secs(0), V: 1}, {T: secs(1), V: math.NaN()}, {T: secs(3), V: math.Inf(1)},
				}}},
			wantTotal: 8, wantOK: true,
			wantParts: []CounterPart{{Service: "app", Increase: 8}},
		},
		{
			name: "only non-finite values: not sampled",
			series: []Series{other,
				{Service: "app", Name: name, Counter: true, Points: []Point{{T: 0, V: math.NaN()}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Variant{Name: "v", Series: tt.series}
			total, parts, ok := v.Counter(name)
			if total != tt.wantTotal || ok != tt.wantOK || !reflect.DeepEqual(parts, tt.wantParts) {
				t.Errorf("Counter = %v, %+v, %v; want %v, %+v, %v", total, parts, ok, tt.wantTotal, tt.wantParts, tt.wantOK)
			}
		})
	}
}

func TestCounterPartKey(t *testing.T) {
	tests := []struct {
		part CounterPart
		want string
	}{
		{CounterPart{Service: "collector"}, "collector"},
		{CounterPart{Service: "app", Labels: map[string]string{"where": "app", "a": `x"y`}}, `app {a="x\"y",where="app"}`},
	}
	for _, tt := range tests {
		if got := tt.part.Key(); got != tt.want {
			t.Errorf("Key() = %s, want %s", got, tt.want)
		}
	}
}

func TestCounterRows(t *testing.T) {
	dropped := func(svc, where string, vs ...float64) Series {
		return Series{Service: svc, Name: "dropped_total", Labels: map[string]string{"where": where}, Counter: true, Points: pts(0, vs...)}
	}
	received := func(vs ...float64) Series {
		return Series{Service: "collector", Name: "received_total", Counter: true, Points: pts(0, vs...)}
	}
	sync := &Variant{Name: "sync", Counters: []string{"dropped_total", "received_total"}, Series: []Series{
		dropped("app", "app", 0, 3), dropped("telemetry", "sidecar", 0, 10), received(0, 900),
	}}
	async := &Variant{Name: "async", Counters: []string{"dropped_total", "received_total", "depth"}, Series: []Series{
		dropped("app", "app", 0, 200.4), received(0, 700),
	}}
	got := counterRows([]*Variant{sync, async})
	want := []htmlRow{
		{Section: "dropped_total", Label: "total", Cells: []string{"13", "200"}},
		{Label: `app {where="app"}`, Cells: []string{"3", "200"}},
		{Label: `telemetry {where="sidecar"}`, Cells: []string{"10", "—"}},
		{Section: "received_total", Label: "total", Cells: []string{"900", "700"}},
		{Section: "depth", Label: "total", Cells: []string{"n/a", "n/a"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counterRows =\n%+v\nwant\n%+v", got, want)
	}

	var b bytes.Buffer
	if err := WriteHTML(&b, &Run{Scenario: "s", Variants: []*Variant{sync, async}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Pattern counters", "<code>dropped_total</code>", `telemetry {where=&#34;sidecar&#34;}`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	b.Reset()
	if err := WriteHTML(&b, &Run{Scenario: "s", Variants: []*Variant{{Name: "plain"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Pattern counters") {
		t.Error("report.html shows a counters section for a pattern that names none")
	}
}
