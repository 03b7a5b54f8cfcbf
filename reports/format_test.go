package reports

import (
	"testing"

	"github.com/faultline/faultline/reports/model"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		x    float64
		u    model.Unit
		want string
	}{
		{0.95, model.Ratio, "95%"},
		{0.9975, model.Ratio, "99.75%"},
		{0.123, model.Ratio, "12.3%"},
		{0.3, model.Seconds, "300ms"},
		{0.0004567, model.Seconds, "0.457ms"},
		{2.345, model.Seconds, "2.35s"},
		{0, model.Seconds, "0s"},
		{123.456, model.PerSecond, "123/s"},
		{1.5, model.Factor, "1.5"},
		{0.0791, model.Factor, "0.0791"},
		{1234.4, model.Bytes, "1234 B"},
		{87.4, model.Bytes, "87.4 B"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.x, tt.u); got != tt.want {
			t.Errorf("formatValue(%v, %s) = %q, want %q", tt.x, tt.u, got, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	tests := []struct {
		s    model.SLOResult
		want string
	}{
		{model.SLOResult{Metric: "success"}, "all routes, overall"},
		{model.SLOResult{Metric: "success", Route: "GET /x", Phase: "during"}, "route GET /x, during faults"},
		{model.SLOResult{Metric: "p99", Phase: "after", Fault: "f"}, "all routes, after fault f"},
		{model.SLOResult{Metric: "time_to_recover", Fault: "f"}, "all routes, fault f"},
		{model.SLOResult{Metric: "time_to_recover"}, "all routes"},
	}
	for _, tt := range tests {
		if got := sloScope(tt.s); got != tt.want {
			t.Errorf("sloScope(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
