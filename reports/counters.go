package reports

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CounterPart is how much one sampled counter series (one service, one
// label set) grew over a run.
type CounterPart struct {
	Service  string            `json:"service"`
	Labels   map[string]string `json:"labels,omitempty"`
	Increase float64           `json:"increase"`
}

// Key names the part as reports show it: `service {a="x",b="y"}`.
func (p CounterPart) Key() string {
	if len(p.Labels) == 0 {
		return p.Service
	}
	var b strings.Builder
	b.WriteString(p.Service + " {")
	for i, k := range slices.Sorted(maps.Keys(p.Labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + strconv.Quote(p.Labels[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// Counter returns how much the sampled counter called name grew over the
// variant's run: in total, and per series (service and label set, ordered by
// Key). ok is false when no series of that name was sampled.
//
// Resets are undone as Prometheus does (a decrease means the counter
// restarted from 0, as a restarted service's do), and a series first seen
// after its service's first sample counts from 0 (client libraries create a
// label set on its first increment). Growth while a service could not be
// scraped is counted once it can again; what a killed service counted after
// its last scrape is lost with it.
func (v *Variant) Counter(name string) (total float64, parts []CounterPart, ok bool) {
	first := map[string]time.Duration{} // service → its first sample
	for _, s := range v.Series {
		for _, p := range s.Points {
			if t, seen := first[s.Service]; !seen || p.T < t {
				first[s.Service] = p.T
			}
		}
	}
	for _, s := range v.Series {
		if s.Name != name {
			continue
		}
		inc, sampled := seriesIncrease(s.Points, first[s.Service])
		if !sampled {
			continue
		}
		ok = true
		total += inc
		parts = append(parts, CounterPart{Service: s.Service, Labels: s.Labels, Increase: inc})
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Key() < parts[j].Key() })
	return total, parts, ok
}

// seriesIncrease is how much a counter grew over its samples, resets
// undone; a series born after first counts from 0. sampled is false when it
// has no finite sample.
func seriesIncrease(points []Point, first time.Duration) (inc float64, sampled bool) {
	pts := slices.DeleteFunc(slices.Clone(points), func(p Point) bool {
		return math.IsNaN(p.V) || math.IsInf(p.V, 0)
	})
	if len(pts) == 0 {
		return 0, false
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].T < pts[j].T })
	if pts[0].T > first {
		inc = math.Max(0, pts[0].V)
	}
	for i := 1; i < len(pts); i++ {
		if d := pts[i].V - pts[i-1].V; d >= 0 {
			inc += d
		} else {
			inc += math.Max(0, pts[i].V) // a reset: it restarted from 0
		}
	}
	return inc, true
}

// counterRows lays the variants' counter totals side by side: per counter a
// section with its total and, when its series differ in service or labels,
// one row per series.
func counterRows(vs []*Variant) []htmlRow {
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
