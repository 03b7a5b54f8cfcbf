package reports

import (
	"image/color"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/faultline/faultline/reports/model"
)

// gaugeLine is one sampled series a variant names in Gauges, as a line.
type gaugeLine struct {
	metric string // series name
	who    string // its label values (or its service), as the legend shows it
	pts    plotter.XYs
}

// gaugeDashes tell a figure's gauges apart (colors tell label sets apart).
var gaugeDashes = [][]vg.Length{
	nil,
	{vg.Points(5), vg.Points(2.5)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// gauges draws every series named in a variant's Gauges over time, one
// panel per variant: one line per series, colored by label set (a pool, a
// service) and dashed by gauge. A counter named there is drawn as its rate
// per second. Nil when no variant has such a series.
func (d *plotData) gauges() *figure {
	var metrics, whos []string
	panels := make([][]gaugeLine, len(d.variants))
	his := make([]float64, len(d.variants))
	for i, vd := range d.variants {
		panels[i] = gaugeLines(vd.v)
		for _, l := range panels[i] {
			if !slices.Contains(metrics, l.metric) {
				metrics = append(metrics, l.metric)
			}
			if !slices.Contains(whos, l.who) {
				whos = append(whos, l.who)
			}
			for _, p := range l.pts {
				his[i] = math.Max(his[i], p.Y)
			}
		}
	}
	if len(metrics) == 0 {
		return nil
	}
	names := gaugeNames(metrics)

	style := func(l gaugeLine) series {
		return series{
			color: routeColors[slices.Index(whos, l.who)%len(routeColors)],
			width: vg.Points(1.5),
			dash:  gaugeDashes[slices.Index(metrics, l.metric)%len(gaugeDashes)],
		}
	}
	f := &figure{name: "gauges", title: "Pattern gauges over time", panelH: 2.3 * vg.Inch}
	for _, w := range whos {
		if w == "" {
			continue
		}
		f.legend = append(f.legend, legendEntry{w, series{color: routeColors[slices.Index(whos, w)%len(routeColors)], width: vg.Points(1.5)}})
	}
	if len(metrics) > 1 || len(f.legend) == 0 {
		for i, m := range metrics {
			f.legend = append(f.legend, legendEntry{names[m], series{color: color.Black, width: vg.Points(1.5), dash: gaugeDashes[i%len(gaugeDashes)]}})
		}
	}
	f.legend = append(f.legend, bandLegend(d)...)
	for i, vd := range d.variants {
		p := d.newPanel(vd, "value", i == len(d.variants)-1)
		for _, l := range panels[i] {
			line, err := plotter.NewLine(l.pts)
			if err != nil {
				continue
			}
			line.LineStyle = style(l).style()
			p.Add(line)
		}
		if len(panels[i]) == 0 {
			p.Add(note{"no gauges in this variant"})
		}
		// Each panel has its own scale: variants may hold different pools
		// of very different sizes.
		p.X.Min, p.X.Max = 0, d.xmax
		p.Y.Min, p.Y.Max, _ = zeroRange(0, his[i])
		f.panels = append(f.panels, p)
	}
	f.caption = "Sampled from " + strings.Join(metrics, ", ") + " (counters as their rate per second)" +
		"; one line per series, colored by label set and dashed by gauge. Each panel has its own scale. Shaded bands are fault windows."
	return f
}

// gaugeLines returns the lines of v's gauge series, in a stable order: by
// gauge (as v.Gauges lists them), then label set. A series with a gap in
// its samples (a service that could not be scraped) is broken there.
func gaugeLines(v *model.Variant) []gaugeLine {
	type found struct {
		s   *model.Series
		key string
	}
	var ss []found
	services := map[string]map[string]bool{} // label key → services
	for i := range v.Series {
		s := &v.Series[i]
		if !slices.Contains(v.Gauges, s.Name) {
			continue
		}
		k := labelValues(s.Labels)
		if services[k] == nil {
			services[k] = map[string]bool{}
		}
		services[k][s.Service] = true
		ss = append(ss, found{s, k})
	}
	sort.SliceStable(ss, func(i, j int) bool {
		a, b := ss[i], ss[j]
		if ia, ib := slices.Index(v.Gauges, a.s.Name), slices.Index(v.Gauges, b.s.Name); ia != ib {
			return ia < ib
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.s.Service < b.s.Service
	})
	var out []gaugeLine
	for _, f := range ss {
		who := f.key
		if who == "" || len(services[f.key]) > 1 {
			who = strings.TrimSpace(f.s.Service + " " + who)
		}
		for _, seg := range gaugeSegments(f.s) {
			out = append(out, gaugeLine{metric: f.s.Name, who: who, pts: seg})
		}
	}
	return out
}

// labelValues joins a label set's values, ordered by label name.
func labelValues(labels map[string]string) string {
	var vs []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		vs = append(vs, labels[k])
	}
	return strings.Join(vs, " ")
}

// gaugeSegments turns a series into line segments (a counter into its
// rate), broken where two samples are more than three typical intervals
// apart.
func gaugeSegments(s *model.Series) []plotter.XYs {
	pts := s.FinitePoints()
	if len(pts) == 0 {
		return nil
	}
	var gaps []time.Duration
	for i := 1; i < len(pts); i++ {
		gaps = append(gaps, pts[i].T-pts[i-1].T)
	}
	slices.Sort(gaps)
	limit := time.Duration(math.MaxInt64)
	if len(gaps) > 0 && gaps[len(gaps)/2] > 0 {
		limit = 3 * gaps[len(gaps)/2]
	}
	var out []plotter.XYs
	var cur plotter.XYs
	for i, p := range pts {
		if i > 0 && p.T-pts[i-1].T > limit {
			out, cur = appendSegment(out, cur), nil
		}
		if !s.Counter {
			cur = append(cur, plotter.XY{X: p.T.Seconds(), Y: p.V})
			continue
		}
		if i == 0 || p.T-pts[i-1].T > limit || p.T <= pts[i-1].T {
			continue
		}
		inc := p.V - pts[i-1].V
		if inc < 0 {
			inc = p.V // a reset: the counter restarted from 0
		}
		cur = append(cur, plotter.XY{X: p.T.Seconds(), Y: inc / (p.T - pts[i-1].T).Seconds()})
	}
	return appendSegment(out, cur)
}

// appendSegment keeps a segment of at least one point; a lone point is
// drawn as a short flat line, or it would not show.
func appendSegment(out []plotter.XYs, seg plotter.XYs) []plotter.XYs {
	switch len(seg) {
	case 0:
		return out
	case 1:
		return append(out, plotter.XYs{{X: seg[0].X - 0.05, Y: seg[0].Y}, {X: seg[0].X + 0.05, Y: seg[0].Y}})
	}
	return append(out, seg)
}

// gaugeNames shortens gauge names for the legend: without the faultline_
// prefix, without a first word they all share, with spaces for
// underscores: faultline_bulkhead_in_use and faultline_bulkhead_waiting
// become "in use" and "waiting".
func gaugeNames(metrics []string) map[string]string {
	short := make([]string, len(metrics))
	for i, m := range metrics {
		short[i] = strings.TrimPrefix(m, "faultline_")
	}
	if len(short) > 1 {
		first, _, _ := strings.Cut(short[0], "_")
		shared := true
		for _, s := range short {
			word, rest, ok := strings.Cut(s, "_")
			shared = shared && ok && word == first && rest != ""
		}
		if shared {
			for i := range short {
				short[i] = short[i][len(first)+1:]
			}
		}
	}
	out := map[string]string{}
	for i, m := range metrics {
		out[m] = strings.ReplaceAll(short[i], "_", " ")
	}
	return out
}
