package reports

import (
	"fmt"
	"slices"

	"github.com/faultline/faultline/reports/model"
)

// routeRows lays the variants' routes side by side over the whole run: per
// route a section with its requests, success, p99 and mean response size
// (the body of a 2xx answer, as the client received it).
func routeRows(vs []*model.Variant) []htmlRow {
	var routes []string
	for _, v := range vs {
		for _, rt := range model.NewView(v, 0).Routes() {
			if !slices.Contains(routes, rt) {
				routes = append(routes, rt)
			}
		}
	}
	var rows []htmlRow
	for _, rt := range routes {
		for i, m := range []struct{ label, metric string }{
			{"requests", ""}, {"success", "success"}, {"p99", "p99"}, {"response size", "bytes"},
		} {
			r := htmlRow{Label: m.label}
			if i == 0 {
				r.Section = rt
			}
			for _, v := range vs {
				r.Cells = append(r.Cells, routeValue(v, rt, m.metric))
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// routeValue is one route's metric over the whole run, formatted; metric ""
// is the route's request count. "n/a" when it cannot be measured.
func routeValue(v *model.Variant, route, metric string) string {
	if metric == "" {
		var n int64
		for _, w := range v.Windows {
			if w.Route == route {
				n += w.Count
			}
		}
		return fmt.Sprint(n)
	}
	x, ok := v.Measure(model.Query{Metric: metric, Route: route})
	if !ok {
		return "n/a"
	}
	info, _ := model.LookupMetric(metric)
	return formatValue(x, info.Unit)
}
