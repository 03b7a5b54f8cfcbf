package reports

import (
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/faultline/faultline/reports/model"
)

// SweepPlotPrefix starts the names of the sweep's figures.
const SweepPlotPrefix = "sweep-"

// sweepMetric is one headline number of a sweep, charted against the swept
// parameter.
type sweepMetric struct {
	name, title, caption string
	ax                   yAxis
	value                func(r model.Rank) (float64, bool)
	// never marks configurations without a value at the top of the panel
	// (for times that never came).
	never string
	// logAx replaces ax when the values span a factor of 20 or more.
	logAx *yAxis
}

var sweepMetrics = []sweepMetric{
	{
		name: "success", title: "Sweep: success during the faults",
		caption: "Share of requests answered 2xx (fallback answers included) while the faults were in force, all faults together.",
		ax:      yAxis{label: "success during the faults", rng: func(lo, hi float64) (float64, float64, bool) { return 0, 1.04, true }, ticks: shareTicks},
		value:   func(r model.Rank) (float64, bool) { return deref(r.Success) },
	},
	{
		name: "p99", title: "Sweep: p99 latency during the faults",
		caption: "p99 of the client's latency while the faults were in force, all faults together.",
		ax:      yAxis{label: "p99 during the faults (ms)", rng: zeroRange},
		logAx:   &yAxis{label: "p99 during the faults (ms, log scale)", log: true, rng: logRange, ticks: logTicks{}},
		value: func(r model.Rank) (float64, bool) {
			if r.P99 == nil {
				return 0, false
			}
			return ms(*r.P99), true
		},
	},
	{
		name: "recover", title: "Sweep: time to recover after the faults",
		caption: "Time from the end of the last fault until success, degraded share and p99 are back to their levels before the first fault, for two windows.",
		ax:      yAxis{label: "time to recover (s)", rng: zeroRange},
		value: func(r model.Rank) (float64, bool) {
			if r.Recover == nil {
				return 0, false
			}
			return r.Recover.Seconds(), true
		},
		never: "never recovered before the load ended",
	},
	{
		name: "amplification", title: "Sweep: amplification during the faults",
		caption: "Downstream requests ÷ client requests while the faults were in force, all faults together: below 1, the pattern shields the downstream service.",
		ax:      yAxis{label: "amplification (downstream ÷ client)", rng: zeroRange},
		value:   func(r model.Rank) (float64, bool) { return deref(r.Amplification) },
	},
}

func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// sweepInfo is what the sweep figures need of a run.
type sweepInfo struct {
	params []model.SweepParam
	grid   bool
	rows   []model.Rank // swept variants, in run order
	refs   []model.Rank // the other variants, drawn as reference lines
}

// newSweepInfo collects the sweep of a run; nil without swept variants.
// A run without Sweep (an older summary) gets its parameters from the
// variants' Params.
func newSweepInfo(r *model.Run) *sweepInfo {
	si := &sweepInfo{grid: true}
	if r.Sweep != nil {
		for _, p := range r.Sweep.Params {
			si.params = append(si.params, model.SweepParam{Key: p.Key, Values: slices.Clone(p.Values)})
		}
		si.grid = r.Sweep.Mode != "each"
	}
	for _, v := range r.Variants {
		if v == nil {
			continue
		}
		row := model.SweepRow(v, r.Window)
		if len(v.Params) == 0 {
			si.refs = append(si.refs, row)
			continue
		}
		si.rows = append(si.rows, row)
		for k, val := range v.Params {
			i := slices.IndexFunc(si.params, func(p model.SweepParam) bool { return p.Key == k })
			if i < 0 {
				si.params = append(si.params, model.SweepParam{Key: k})
				i = len(si.params) - 1
			}
			if !slices.Contains(si.params[i].Values, val) {
				si.params[i].Values = append(si.params[i].Values, val)
			}
		}
	}
	if len(si.rows) == 0 {
		return nil
	}
	if r.Sweep == nil {
		slices.SortFunc(si.params, func(a, b model.SweepParam) int { return strings.Compare(a.Key, b.Key) })
		for _, row := range si.rows {
			si.grid = si.grid && len(row.Params) == len(si.params)
		}
	}
	return si
}

// shortParamNames names parameters by the last part of their key, or more
// of it when two would be named alike.
func shortParamNames(ps []model.SweepParam) map[string]string {
	out := make(map[string]string, len(ps))
	for i, p := range ps {
		segs := strings.Split(p.Key, ".")
		for n := 1; n <= len(segs); n++ {
			suffix := strings.Join(segs[len(segs)-n:], ".")
			out[p.Key] = suffix
			clash := false
			for j, q := range ps {
				if j != i && (q.Key == suffix || strings.HasSuffix(q.Key, "."+suffix)) {
					clash = true
				}
			}
			if !clash {
				break
			}
		}
	}
	return out
}

// paramAxis places a parameter's values on the x axis: numbers and
// durations (in seconds) at their value, on a log scale when they span a
// factor of 10 or more; anything else in the order written.
type paramAxis struct {
	pos   map[string]float64
	ticks plot.ConstantTicks
	label string
	lo    float64
	hi    float64
}

func newParamAxis(p model.SweepParam, short string) paramAxis {
	a := paramAxis{pos: map[string]float64{}, label: short}
	nums := make([]float64, len(p.Values))
	numeric := len(p.Values) > 0
	unit := ""
	for i, val := range p.Values {
		if d, err := time.ParseDuration(strings.TrimSpace(val)); err == nil {
			nums[i], unit = d.Seconds(), " (s)"
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			numeric = false
			break
		}
		nums[i] = f
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range nums {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	logScale := numeric && lo > 0 && hi/lo >= 10
	for i, val := range p.Values {
		x := float64(i)
		if numeric {
			x = nums[i]
			if logScale {
				x = math.Log10(x)
			}
		}
		a.pos[val] = x
		a.ticks = append(a.ticks, plot.Tick{Value: x, Label: val})
	}
	switch {
	case !numeric:
		a.lo, a.hi = -0.5, float64(len(p.Values))-0.5
	default:
		lo, hi := a.ticks[0].Value, a.ticks[0].Value
		for _, t := range a.ticks {
			lo, hi = math.Min(lo, t.Value), math.Max(hi, t.Value)
		}
		pad := (hi - lo) * 0.08
		if pad == 0 {
			pad = math.Max(math.Abs(lo)*0.5, 0.5)
		}
		a.lo, a.hi = lo-pad, hi+pad
		if logScale {
			a.label += " (log scale)"
		} else {
			a.label += unit
		}
	}
	return a
}

// sweepPanel is one panel of a sweep figure: configurations along one
// parameter, in groups (one line each).
type sweepPanel struct {
	title  string
	axis   paramAxis
	xKey   string
	groups []sweepGroup
}

type sweepGroup struct {
	label string
	rows  []model.Rank
}

// panels lays the sweep out: a grid on one panel, the first parameter
// along x and one line per combination of the others; each parameter on
// its own panel otherwise.
func (si *sweepInfo) panels() []sweepPanel {
	short := shortParamNames(si.params)
	if !si.grid || len(si.params) == 0 {
		var out []sweepPanel
		for _, p := range si.params {
			sp := sweepPanel{title: "varying " + p.Key, axis: newParamAxis(p, short[p.Key]), xKey: p.Key}
			g := sweepGroup{label: "swept configurations"}
			for _, row := range si.rows {
				if _, ok := row.Params[p.Key]; ok {
					g.rows = append(g.rows, row)
				}
			}
			if len(g.rows) > 0 {
				sp.groups = []sweepGroup{g}
				out = append(out, sp)
			}
		}
		return out
	}
	x := si.params[0]
	sp := sweepPanel{title: "by " + x.Key, axis: newParamAxis(x, short[x.Key]), xKey: x.Key}
	// Groups in the order the other parameters' values were written.
	label := func(row model.Rank) string {
		var parts []string
		for _, p := range si.params[1:] {
			parts = append(parts, short[p.Key]+"="+row.Params[p.Key])
		}
		if len(parts) == 0 {
			return "swept configurations"
		}
		return strings.Join(parts, ", ")
	}
	order := func(row model.Rank) []int {
		var idx []int
		for _, p := range si.params[1:] {
			idx = append(idx, slices.Index(p.Values, row.Params[p.Key]))
		}
		return idx
	}
	rows := slices.Clone(si.rows)
	slices.SortStableFunc(rows, func(a, b model.Rank) int { return slices.Compare(order(a), order(b)) })
	for _, row := range rows {
		l := label(row)
		if n := len(sp.groups); n > 0 && sp.groups[n-1].label == l {
			sp.groups[n-1].rows = append(sp.groups[n-1].rows, row)
			continue
		}
		sp.groups = append(sp.groups, sweepGroup{label: l, rows: []model.Rank{row}})
	}
	return []sweepPanel{sp}
}

// Reference lines are grey, told apart by their dashes.
var (
	refColor  = color.NRGBA{R: 95, G: 95, B: 95, A: 255}
	refDashes = [][]vg.Length{
		{vg.Points(6), vg.Points(3)},
		{vg.Points(2), vg.Points(2)},
		{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
	}
	neverColor = color.NRGBA{R: 210, G: 30, B: 40, A: 255}
)

// sweepFigures charts each headline number against the swept parameters;
// nil when the run has no swept variant.
func sweepFigures(r *model.Run) []*figure {
	si := newSweepInfo(r)
	if si == nil {
		return nil
	}
	panels := si.panels()
	if len(panels) == 0 {
		return nil
	}
	var out []*figure
	for _, m := range sweepMetrics {
		if f := si.figure(m, panels); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// figure charts one headline number: a panel per sweepPanel, one line per
// group, the reference variants as flat lines.
func (si *sweepInfo) figure(m sweepMetric, panels []sweepPanel) *figure {
	c := &sweepChart{m: m}
	if m.logAx != nil {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, row := range append(slices.Clone(si.rows), si.refs...) {
			if y, ok := m.value(row); ok && y > 0 {
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
		}
		if hi >= 20*lo {
			c.m.ax = *m.logAx
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	missing := false
	for _, row := range append(slices.Clone(si.rows), si.refs...) {
		if y, ok := c.value(row); ok {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		} else if len(row.Params) > 0 {
			missing = true
		}
	}
	if math.IsInf(lo, 0) {
		if m.never == "" {
			return nil
		}
		lo, hi = 0, 0
	}
	c.ymin, c.ymax, _ = c.m.ax.rng(lo, hi)
	for _, ref := range si.refs {
		if _, ok := c.value(ref); ok {
			c.refs = append(c.refs, ref)
		}
	}

	f := &figure{name: SweepPlotPrefix + m.name, title: m.title, caption: m.caption, panelH: 3 * vg.Inch}
	if len(panels) > 1 {
		f.panelH = 2.4 * vg.Inch
	}
	ngroups := 0
	for _, sp := range panels {
		ngroups = max(ngroups, len(sp.groups))
	}
	for gi := 0; gi < ngroups; gi++ {
		for _, sp := range panels {
			if gi < len(sp.groups) {
				f.legend = append(f.legend, legendEntry{sp.groups[gi].label, sweepStyle(gi)})
				break
			}
		}
	}
	for i, ref := range c.refs {
		f.legend = append(f.legend, legendEntry{ref.Variant + " (reference)", refStyle(i)})
	}
	if missing && m.never != "" {
		f.legend = append(f.legend, legendEntry{m.never, neverThumb{}})
		f.caption += " A cross at the top of the panel: " + m.never + "."
	}
	for _, sp := range panels {
		f.panels = append(f.panels, c.panel(sp))
	}
	return f
}

// sweepChart is one headline number being charted: its metric with the
// axis chosen for its values, the shared y range, and the reference
// variants that have a value.
type sweepChart struct {
	m          sweepMetric
	ymin, ymax float64
	refs       []model.Rank
}

// value is a configuration's number as plotted (its log10 on a log axis);
// false when it has none.
func (c *sweepChart) value(row model.Rank) (float64, bool) {
	y, ok := c.m.value(row)
	if ok && c.m.ax.log {
		if y <= 0 {
			return 0, false
		}
		y = math.Log10(y)
	}
	return y, ok && !math.IsNaN(y) && !math.IsInf(y, 0)
}

// panel draws one sweepPanel: the reference lines, a line and markers per
// group, and a cross at the top for a configuration whose time never came.
func (c *sweepChart) panel(sp sweepPanel) *plot.Plot {
	p := plot.New()
	styleText(p)
	p.Title.Text = sp.title
	p.X.Label.Text = sp.axis.label
	p.X.Tick.Marker = sp.axis.ticks
	p.Y.Label.Text = c.m.ax.label
	if c.m.ax.ticks != nil {
		p.Y.Tick.Marker = c.m.ax.ticks
	}
	g := plotter.NewGrid()
	g.Vertical.Color = gridColor
	g.Horizontal.Color = gridColor
	p.Add(g)
	for i, ref := range c.refs {
		y, _ := c.value(ref)
		if l, err := plotter.NewLine(plotter.XYs{{X: sp.axis.lo, Y: y}, {X: sp.axis.hi, Y: y}}); err == nil {
			l.LineStyle = refStyle(i).LineStyle
			p.Add(l)
		}
	}
	var nevers plotter.XYs
	for gi, grp := range sp.groups {
		var pts plotter.XYs
		for _, row := range grp.rows {
			x, ok := sp.axis.pos[row.Params[sp.xKey]]
			if !ok {
				continue
			}
			y, ok := c.value(row)
			if !ok {
				if c.m.never != "" {
					nevers = append(nevers, plotter.XY{X: x, Y: c.ymin + (c.ymax-c.ymin)*0.94})
				}
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		slices.SortFunc(pts, func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) })
		st := sweepStyle(gi)
		if len(pts) > 1 {
			if l, err := plotter.NewLine(pts); err == nil {
				l.LineStyle = st.LineStyle
				p.Add(l)
			}
		}
		if len(pts) > 0 {
			if s, err := plotter.NewScatter(pts); err == nil {
				s.GlyphStyle = st.GlyphStyle
				p.Add(s)
			}
		}
	}
	if len(nevers) > 0 {
		if s, err := plotter.NewScatter(nevers); err == nil {
			s.GlyphStyle = draw.GlyphStyle{Color: neverColor, Radius: vg.Points(5), Shape: draw.CrossGlyph{}}
			p.Add(s)
		}
	}
	p.X.Min, p.X.Max = sp.axis.lo, sp.axis.hi
	p.Y.Min, p.Y.Max = c.ymin, c.ymax
	return p
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lineGlyph is a line with a marker, for sweep lines and their legend.
type lineGlyph struct {
	draw.LineStyle
	draw.GlyphStyle
}

func (s lineGlyph) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(s.LineStyle, c.Min.X, y, c.Max.X, y)
	if s.GlyphStyle.Shape != nil {
		c.DrawGlyph(s.GlyphStyle, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y})
	}
}

func sweepStyle(i int) lineGlyph {
	col := routeColors[i%len(routeColors)]
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.RingGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}}
	return lineGlyph{
		LineStyle:  draw.LineStyle{Color: col, Width: vg.Points(1.8)},
		GlyphStyle: draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: shapes[i%len(shapes)]},
	}
}

func refStyle(i int) lineGlyph {
	return lineGlyph{LineStyle: draw.LineStyle{Color: refColor, Width: vg.Points(1.3), Dashes: refDashes[i%len(refDashes)]}}
}

type neverThumb struct{}

func (neverThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: neverColor, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}, c.Center())
}
