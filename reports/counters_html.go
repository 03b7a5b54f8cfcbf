package reports

import (
	"math"
	"slices"
	"strconv"

	"github.com/faultline/faultline/reports/model"
)

// counterRows lays the variants' counter totals side by side: per counter a
// section with its total and, when its series differ in service or labels,
// one row per series.
func counterRows(vs []*model.Variant) []htmlRow {
	var names []string
	for _, v := range vs {
		for _, n := range v.Counters {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	var rows []htmlRow
	for _, name := range names {
		total := htmlRow{Section: name, Label: "total"}
		var keys []string
		byKey := make([]map[string]float64, len(vs))
		for i, v := range vs {
			sum, parts, ok := v.Counter(name)
			if !ok {
				total.Cells = append(total.Cells, "n/a")
				continue
			}
			total.Cells = append(total.Cells, formatCount(sum))
			byKey[i] = map[string]float64{}
			for _, p := range parts {
				byKey[i][p.Key()] += p.Increase
				if !slices.Contains(keys, p.Key()) {
					keys = append(keys, p.Key())
				}
			}
		}
		rows = append(rows, total)
		if len(keys) < 2 {
			continue
		}
		slices.Sort(keys)
		for _, k := range keys {
			r := htmlRow{Label: k}
			for i := range vs {
				switch inc, ok := byKey[i][k]; {
				case byKey[i] == nil:
					r.Cells = append(r.Cells, "n/a")
				case !ok:
					r.Cells = append(r.Cells, "—")
				default:
					r.Cells = append(r.Cells, formatCount(inc))
				}
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// formatCount formats a counter's increase as a whole number.
func formatCount(x float64) string { return strconv.FormatFloat(math.Round(x), 'f', 0, 64) }
