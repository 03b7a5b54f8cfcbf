package reports

import (
	"strings"

	"github.com/faultline/faultline/reports/model"
)

// tradeOffRow adds the "Trade-offs" row of a headline section: for each
// variant, where it is worse than the baseline in the phases of fault (""
// = the whole run), and whether an SLO judges it.
func (t *headlineTable) tradeOffRow(fault string) {
	t.row("", "Trade-offs vs baseline", func(v *model.Variant) string {
		if v.Baseline {
			return "baseline"
		}
		var cells []string
		for _, to := range t.trades {
			if to.Variant == v.Name && to.Fault == fault {
				cells = append(cells, tradeOffText(to))
			}
		}
		if len(cells) == 0 {
			return "none"
		}
		return strings.Join(cells, "; ")
	})
}

// tradeOffText is one trade-off: "success during 0.0% vs 100% (no SLO)".
func tradeOffText(to model.TradeOff) string {
	u := model.Unit(to.Unit)
	s := to.Metric + " " + to.Phase + " " + formatValue(to.Value, u) + " vs " + formatValue(to.Base, u)
	if len(to.Covered) == 0 {
		return s + " (no SLO)"
	}
	return s + " (SLO: " + strings.Join(to.Covered, ", ") + ")"
}
