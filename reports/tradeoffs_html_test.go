package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/faultline/faultline/reports/model"
)

func TestTradeOffText(t *testing.T) {
	tests := []struct {
		to   model.TradeOff
		want string
	}{
		{
			model.TradeOff{Metric: "success", Phase: "during", Unit: "ratio", Value: 0, Base: 1},
			"success during 0% vs 100% (no SLO)",
		},
		{
			model.TradeOff{Metric: "p99", Phase: "after", Unit: "seconds", Value: 0.9, Base: 0.3, Covered: []string{"fast"}},
			"p99 after 900ms vs 300ms (SLO: fast)",
		},
	}
	for _, tc := range tests {
		if got := tradeOffText(tc.to); got != tc.want {
			t.Errorf("tradeOffText = %q, want %q", got, tc.want)
		}
	}
}

func TestHTMLTradeOffRow(t *testing.T) {
	r := &model.Run{
		Scenario: "s",
		Variants: []*model.Variant{{Name: "direct", Baseline: true}, {Name: "pattern"}},
		TradeOffs: []model.TradeOff{{
			Variant: "pattern", Baseline: "direct", Phase: "overall", Metric: "rate", Unit: "per-second", Value: 50, Base: 100,
		}},
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Trade-offs vs baseline", "rate overall", "(no SLO)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
