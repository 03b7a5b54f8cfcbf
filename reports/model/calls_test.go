package model_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

// TestCallsPerRequest: 8s of 10 requests/s on routes a and b, a fault over
// [2s, 4s). The gateway counts 3 calls per request of tenant a over two
// backends' series, and 3 per request of b only from the fault on; refused
// tenants count none.
func TestCallsPerRequest(t *testing.T) {
	const name = "faultline_gw" + model.CallsSuffix
	ws := append(modeltest.Steady("a", 0, 8, 10, 10*time.Millisecond), modeltest.Steady("b", 0, 8, 10, 10*time.Millisecond)...)
	ws = append(ws, modeltest.Steady("c", 0, 8, 10, 10*time.Millisecond)...)
	calls := func(tenant, backend string, vs ...float64) model.Series {
		return model.Series{Service: "gw", Name: name, Counter: true,
			Labels: map[string]string{model.CallerLabel: tenant, "backend": backend}, Points: modeltest.Points(0, vs...)}
	}
	v := &model.Variant{
		Name: "v", Routes: []string{"a", "b", "c"}, Windows: ws, Counters: []string{name},
		Faults: []model.FaultEvent{modeltest.Fault("f", 2, 2, 2, 4)},
		Series: []model.Series{
			calls("a", "x", 0, 20, 40, 60, 80, 100, 120, 140, 160), // 2 a request
			calls("a", "y", 0, 10, 20, 30, 40, 50, 60, 70, 80),     // and 1
			calls("b", "x", 0, 0, 0, 30, 60, 90, 120, 150, 180),    // 3 from 2s
			calls("c", "x", 0, 0, 0, 0, 0, 0, 0, 0, 0),             // refused
			// Not in Counters, or not a calls counter: ignored.
			{Service: "gw", Name: "faultline_gw_requests_total", Labels: map[string]string{model.CallerLabel: "a"}, Points: modeltest.Points(0, 0, 1e6)},
		},
	}
	tests := []struct {
		q    model.Query
		want float64
		ok   bool
	}{
		{model.Query{Metric: "calls_per_request", Route: "a"}, 3, true},
		{model.Query{Metric: "calls_per_request", Route: "a", Phase: "during"}, 3, true},
		{model.Query{Metric: "calls_per_request", Route: "b", Phase: "before"}, 0, true},
		{model.Query{Metric: "calls_per_request", Route: "b", Phase: "during"}, 3, true},
		{model.Query{Metric: "calls_per_request", Route: "c"}, 0, true},
		{model.Query{Metric: "calls_per_request"}, 0, false}, // needs a route
		{model.Query{Metric: "calls_per_request", Route: "d"}, 0, false},
	}
	for _, tt := range tests {
		got, ok := v.Measure(tt.q)
		if ok != tt.ok || ok && !modeltest.Near(got, tt.want) {
			t.Errorf("Measure(%+v) = %v, %v; want %v, %v", tt.q, got, ok, tt.want, tt.ok)
		}
	}
}
