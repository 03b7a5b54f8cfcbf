package model_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestVariantCounter(t *testing.T) {
	const name = "faultline_telemetry_dropped_total"
	other := model.Series{Service: "app", Name: "faultline_http_requests_total", Counter: true, Points: modeltest.Points(0, 0, 1, 2, 3, 4)}
	sc := model.Series{Service: "telemetry", Name: "faultline_http_requests_total", Counter: true, Points: modeltest.Points(0, 0, 1, 2, 3, 4)}
	tests := []struct {
		name      string
		series    []model.Series
		wantTotal float64
		wantParts []model.CounterPart
		wantOK    bool
	}{
		{
			name:   "not sampled",
			series: []model.Series{other},
		},
		{
			name: "one series from its first sample",
			series: []model.Series{other,
				{Service: "app", Name: name, Counter: true, Points: modeltest.Points(0, 5, 7, 10)}},
			wantTotal: 5, wantOK: true,
			wantParts: []model.CounterPart{{Service: "app", Increase: 5}},
		},
		{
			name: "a reset (the service restarted) is undone",
			series: []model.Series{sc,
				{Service: "telemetry", Name: name, Labels: map[string]string{"where": "sidecar"}, Counter: true,
					Points: modeltest.Points(0, 0, 100, 250, 30, 60)}},
			wantTotal: 310, wantOK: true,
			wantParts: []model.CounterPart{{Service: "telemetry", Labels: map[string]string{"where": "sidecar"}, Increase: 310}},
		},
		{
			name: "a series born after its service's first sample counts from 0",
			series: []model.Series{other,
				{Service: "app", Name: name, Counter: true, Points: modeltest.Points(2, 4, 6)}},
			wantTotal: 6, wantOK: true,
			wantParts: []model.CounterPart{{Service: "app", Increase: 6}},
		},
		{
			name: "label sets and services are parts, summed, ordered by key",
			series: []model.Series{other, sc,
				{Service: "telemetry", Name: name, Labels: map[string]string{"where": "sidecar"}, Counter: true, Points: modeltest.Points(0, 0, 40)},
				{Service: "app", Name: name, Labels: map[string]string{"where": "app"}, Counter: true, Points: modeltest.Points(0, 0, 2, 3)},
				{Service: "app", Name: name, Labels: map[string]string{"where": "app", "why": "full"}, Counter: true, Points: modeltest.Points(0, 1, 1)},
			},
			wantTotal: 43, wantOK: true,
			wantParts: []model.CounterPart{
				{Service: "app", Labels: map[string]string{"where": "app", "why": "full"}, Increase: 0}, // "," < "}"
				{Service: "app", Labels: map[string]string{"where": "app"}, Increase: 3},
				{Service: "telemetry", Labels: map[string]string{"where": "sidecar"}, Increase: 40},
			},
		},
		{
			name: "unordered points and non-finite values",
			series: []model.Series{other,
				{Service: "app", Name: name, Counter: true, Points: []model.Point{
					{T: modeltest.Secs(2), V: 9}, {T: modeltest.Secs(0), V: 1}, {T: modeltest.Secs(1), V: math.NaN()}, {T: modeltest.Secs(3), V: math.Inf(1)},
				}}},
			wantTotal: 8, wantOK: true,
			wantParts: []model.CounterPart{{Service: "app", Increase: 8}},
		},
		{
			name: "only non-finite values: not sampled",
			series: []model.Series{other,
				{Service: "app", Name: name, Counter: true, Points: []model.Point{{T: 0, V: math.NaN()}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &model.Variant{Name: "v", Series: tt.series}
			total, parts, ok := v.Counter(name)
			if total != tt.wantTotal || ok != tt.wantOK || !reflect.DeepEqual(parts, tt.wantParts) {
				t.Errorf("Counter = %v, %+v, %v; want %v, %+v, %v", total, parts, ok, tt.wantTotal, tt.wantParts, tt.wantOK)
			}
		})
	}
}

func TestCounterPartKey(t *testing.T) {
	tests := []struct {
		part model.CounterPart
		want string
	}{
		{model.CounterPart{Service: "collector"}, "collector"},
		{model.CounterPart{Service: "app", Labels: map[string]string{"where": "app", "a": `x"y`}}, `app {a="x\"y",where="app"}`},
	}
	for _, tt := range tests {
		if got := tt.part.Key(); got != tt.want {
			t.Errorf("Key() = %s, want %s", got, tt.want)
		}
	}
}
