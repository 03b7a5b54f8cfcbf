package model_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

// TestMeasureBytes checks the bytes metric: the mean body size of the 2xx
// answers, per route and phase, weighted by answers; missing without one.
func TestMeasureBytes(t *testing.T) {
	// Route a answers 1000-byte bodies before the fault (windows 0, 1) and
	// 200-byte ones during it (2, 3), half of them failing; route b always
	// 50 bytes; route c never answers 2xx.
	var ws []model.Window
	for i := range 4 {
		a := modeltest.Window("a", float64(i), 10, 10, 0, time.Millisecond)
		a.Bytes = 10 * 1000
		if i >= 2 {
			a.Success, a.Bytes = 5, 5*200
		}
		b := modeltest.Window("b", float64(i), 30, 30, 0, time.Millisecond)
		b.Bytes = 30 * 50
		c := modeltest.Window("c", float64(i), 10, 0, 0, time.Millisecond)
		ws = append(ws, a, b, c)
	}
	v := &model.Variant{
		Name: "v", Routes: []string{"a", "b", "c"}, Windows: ws,
		Faults: []model.FaultEvent{modeltest.Fault("f", 2, 2, 2, 4)},
	}
	tests := []struct {
		q    model.Query
		want float64
		ok   bool
	}{
		{model.Query{Metric: "bytes", Route: "a", Phase: "before"}, 1000, true},
		{model.Query{Metric: "bytes", Route: "a", Phase: "during"}, 200, true},
		{model.Query{Metric: "bytes", Route: "a"}, (20000.0 + 2000) / 30, true},
		{model.Query{Metric: "bytes", Route: "b", Phase: "during"}, 50, true},
		{model.Query{Metric: "bytes"}, (22000.0 + 6000) / 150, true},
		{model.Query{Metric: "bytes", Route: "c"}, 0, false}, // no 2xx answer to size
	}
	for _, tt := range tests {
		got, ok := v.Measure(tt.q)
		if ok != tt.ok || ok && !modeltest.Near(got, tt.want) {
			t.Errorf("Measure(%+v) = %v, %v; want %v, %v", tt.q, got, ok, tt.want, tt.ok)
		}
	}
	if info, _ := model.LookupMetric("bytes"); info.Unit != model.Bytes {
		t.Errorf("bytes is measured in %q, want %q", info.Unit, model.Bytes)
	}
}
