package model_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	mt "github.com/faultline/faultline/reports/model/modeltest"
)

// tradeVariant is 15 one-second windows of 100 requests around a fault in
// force over [5,10): all answered at 10ms outside it, and success of them
// at lat during it.
func tradeVariant(name string, baseline bool, success int64, lat time.Duration) *model.Variant {
	var ws []model.Window
	for i := range 15 {
		if i >= 5 && i < 10 {
			ws = append(ws, mt.Window("r", float64(i), 100, success, 0, lat))
			continue
		}
		ws = append(ws, mt.Window("r", float64(i), 100, 100, 0, 10*time.Millisecond))
	}
	return &model.Variant{
		Name: name, Baseline: baseline, Routes: []string{"r"}, Windows: ws,
		Faults: []model.FaultEvent{mt.Fault("slow", 5, 5, 5, 10)},
	}
}

func TestTradeOffs(t *testing.T) {
	tests := []struct {
		name    string
		success int64         // of 100 a window, during the fault
		lat     time.Duration // during the fault
		slos    []model.SLOResult
		want    []string // "metric phase fault covered-by"
	}{
		{name: "same as the baseline", success: 100, lat: 400 * time.Millisecond},
		{name: "noise is no trade-off", success: 99, lat: 440 * time.Millisecond},
		{
			name: "fails where the baseline answers, no SLO", success: 0, lat: 250 * time.Millisecond,
			want: []string{"success overall  []", "success during slow []"},
		},
		{
			name: "slower, judged by an SLO of all faults", success: 100, lat: 900 * time.Millisecond,
			slos: []model.SLOResult{{Name: "fast", Metric: "p99", Phase: "during"}},
			want: []string{"p99 overall  []", "p99 during slow [fast]"},
		},
		{
			name: "an SLO of another fault does not cover it", success: 0, lat: 400 * time.Millisecond,
			slos: []model.SLOResult{{Name: "other", Metric: "success", Phase: "during", Fault: "other"}},
			want: []string{"success overall  []", "success during slow []"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pattern := tradeVariant("pattern", false, tc.success, tc.lat)
			pattern.SLOs = tc.slos
			r := &model.Run{Window: time.Second, Variants: []*model.Variant{
				tradeVariant("direct", true, 100, 400*time.Millisecond), pattern,
			}}
			model.Summarize(r)
			var got []string
			for _, to := range r.TradeOffs {
				if to.Variant != "pattern" || to.Baseline != "direct" {
					t.Errorf("trade-off of %s against %s, want pattern against direct", to.Variant, to.Baseline)
				}
				got = append(got, fmt.Sprintf("%s %s %s %v", to.Metric, to.Phase, to.Fault, to.Covered))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("trade-offs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestTradeOffsWithoutBaseline(t *testing.T) {
	r := &model.Run{Window: time.Second, Variants: []*model.Variant{tradeVariant("a", false, 0, time.Second)}}
	model.Summarize(r)
	if len(r.TradeOffs) != 0 {
		t.Errorf("trade-offs without a baseline: %v", r.TradeOffs)
	}
}
