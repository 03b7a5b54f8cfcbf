package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/faultline/faultline/reports/model"
)

// PlotFile is one rendered figure.
type PlotFile struct {
	Name    string // file name without extension: "latency"
	Title   string
	Caption string
	PNG     []byte
	SVG     []byte
}

// Figure geometry and colors.
const (
	figWidth = 10 * vg.Inch
	plotDPI  = 110
)

var (
	sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	boldFont = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}

	faultFill = color.NRGBA{R: 255, G: 120, B: 40, A: 48}
	faultEdge = color.NRGBA{R: 220, G: 90, B: 20, A: 160}
	faultText = color.NRGBA{R: 170, G: 60, B: 0, A: 255}
	// A load burst's band is blue: extra load, not a fault.
	burstFill  = color.NRGBA{R: 40, G: 110, B: 230, A: 40}
	burstEdge  = color.NRGBA{R: 30, G: 80, B: 200, A: 160}
	gridColor  = color.NRGBA{R: 0, G: 0, B: 0, A: 28}
	noDataText = color.NRGBA{R: 110, G: 110, B: 110, A: 255}

	colP50      = color.NRGBA{R: 120, G: 180, B: 230, A: 255}
	colP90      = color.NRGBA{R: 40, G: 110, B: 190, A: 255}
	colP99      = color.NRGBA{R: 10, G: 35, B: 90, A: 255}
	colSuccess  = color.NRGBA{R: 40, G: 150, B: 60, A: 255}
	colDegraded = color.NRGBA{R: 225, G: 160, B: 0, A: 255}
	colErrors   = color.NRGBA{R: 210, G: 30, B: 40, A: 255}
	colClient   = color.NRGBA{R: 30, G: 100, B: 180, A: 255}
	colDown     = color.NRGBA{R: 140, G: 60, B: 170, A: 255}

	// routeColors tell routes apart (Okabe-Ito, without orange, which fault
	// bands use).
	routeColors = []color.Color{
		color.NRGBA{R: 0, G: 114, B: 178, A: 255},
		color.NRGBA{R: 0, G: 158, B: 115, A: 255},
		color.NRGBA{R: 204, G: 121, B: 167, A: 255},
		color.NRGBA{R: 86, G: 180, B: 233, A: 255},
		color.NRGBA{R: 0, G: 0, B: 0, A: 255},
		color.NRGBA{R: 240, G: 228, B: 66, A: 255},
	}
)

// stateColor colors a pattern state: closed green, open (or rolled back)
// red, half-open amber.
func stateColor(name string, i int) color.Color {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(name))
	switch n {
	case "closed", "ok", "healthy":
		return color.NRGBA{R: 80, G: 175, B: 90, A: 255}
	case "open", "tripped", "rolledback":
		return color.NRGBA{R: 215, G: 50, B: 50, A: 255}
	case "halfopen", "probing":
		return color.NRGBA{R: 240, G: 170, B: 30, A: 255}
	}
	others := []color.Color{
		color.NRGBA{R: 90, G: 130, B: 200, A: 255},
		color.NRGBA{R: 150, G: 100, B: 180, A: 255},
		color.NRGBA{R: 120, G: 120, B: 120, A: 255},
	}
	return others[(i%len(others)+len(others))%len(others)]
}

// Plots renders the run's figures: latency, outcomes, state (when a variant
// has a state series), downstream (when a variant has a downstream counter)
// and, with several routes, latency-routes and outcomes-routes; gauges (when
// a variant names gauges, see Variant.Gauges); for a sweep,
// sweep-success, sweep-p99, sweep-recover and sweep-amplification (each
// headline number against the swept parameters).
func Plots(r *model.Run) ([]PlotFile, error) {
	d := newPlotData(r)
	if len(d.variants) == 0 {
		return nil, nil
	}
	var figs []*figure
	for _, build := range []func() *figure{
		d.latency, d.outcomes, d.rate, d.state, d.downstream, d.latencyRoutes, d.outcomesRoutes, d.bytesRoutes, d.gauges,
	} {
		if f := build(); f != nil {
			figs = append(figs, f)
		}
	}
	figs = append(figs, sweepFigures(r)...)
	var out []PlotFile
	for _, f := range figs {
		png, err := f.encode("png")
		if err != nil {
			return nil, fmt.Errorf("plot %s: %w", f.name, err)
		}
		svg, err := f.encode("svg")
		if err != nil {
			return nil, fmt.Errorf("plot %s: %w", f.name, err)
		}
		out = append(out, PlotFile{Name: f.name, Title: f.title, Caption: f.caption, PNG: png, SVG: svg})
	}
	return out, nil
}

// variantData is what the plots need of one variant.
type variantData struct {
	v      *model.Variant
	x      *model.View
	all    []model.Slot
	routes map[string][]model.Slot
	faults []namedSpan
}

type namedSpan struct {
	model.Span
	name  string
	burst bool // a load burst (model.BurstKind), not a fault
}

type plotData struct {
	variants []*variantData
	xmax     float64 // seconds, shared by every panel
	routes   []string
}

func newPlotData(r *model.Run) *plotData {
	d := &plotData{xmax: r.Planned.Seconds()}
	for _, v := range r.Variants {
		if v == nil {
			continue
		}
		x := model.NewView(v, r.Window)
		vd := &variantData{v: v, x: x, all: x.Slots(""), routes: map[string][]model.Slot{}}
		for _, rt := range x.Routes() {
			if !slices.Contains(d.routes, rt) {
				d.routes = append(d.routes, rt)
			}
		}
		if len(x.Routes()) > 1 {
			for _, rt := range x.Routes() {
				vd.routes[rt] = x.Slots(rt)
			}
		}
		for _, f := range x.Faults() {
			ev := v.Faults[f.Index]
			vd.faults = append(vd.faults, namedSpan{Span: f.Span, name: ev.Name, burst: ev.Kind == model.BurstKind})
			d.xmax = math.Max(d.xmax, f.To.Seconds())
		}
		d.xmax = math.Max(d.xmax, x.End().Seconds())
		d.variants = append(d.variants, vd)
	}
	if d.xmax <= 0 {
		d.xmax = 1
	}
	return d
}

// panelTitle names a variant's panel.
func panelTitle(v *model.Variant) string {
	var tags []string
	if v.Baseline {
		tags = append(tags, "baseline")
	}
	if v.ExpectViolation {
		tags = append(tags, "expected to violate SLOs")
	}
	if v.Partial {
		tags = append(tags, "PARTIAL")
	}
	if len(tags) == 0 {
		return v.Name
	}
	return v.Name + " (" + strings.Join(tags, ", ") + ")"
}

// newPanel returns a plot for one variant with the shared time axis and
// fault bands.
func (d *plotData) newPanel(vd *variantData, ylabel string, last bool) *plot.Plot {
	p := plot.New()
	styleText(p)
	p.Title.Text = panelTitle(vd.v)
	p.X.Min, p.X.Max = 0, d.xmax
	p.X.Tick.Marker = plot.TickerFunc(timeTicks)
	if last {
		p.X.Label.Text = "time since load start (s)"
	}
	p.Y.Label.Text = ylabel
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = gridColor
	p.Add(g, &faultBands{spans: vd.faults})
	return p
}

func styleText(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(boldFont, 11)
	p.Title.Padding = vg.Points(4)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 10)
		a.Tick.Label.Font = font.From(sansFont, 9)
	}
	p.Legend.TextStyle.Font = font.From(sansFont, 9)
}

// timeTicks labels the time axis every 1, 2, 5, 10, 15, 30... seconds.
func timeTicks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	steps := []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200}
	step := math.Pow(10, math.Ceil(math.Log10((hi-lo)/10))) // beyond the list
	for _, s := range steps {
		if (hi-lo)/s <= 12 {
			step = s
			break
		}
	}
	minor := step / 2
	if math.Mod(step, 5) == 0 || step < 1 && math.Mod(step*10, 5) == 0 {
		minor = step / 5
	}
	var ticks []plot.Tick
	for t := math.Ceil(lo/minor) * minor; t <= hi+minor/1000; t += minor {
		t := math.Round(t/minor) * minor
		label := ""
		if r := math.Mod(math.Abs(t)+step/1000, step); r < step/500 {
			label = strconv.FormatFloat(t, 'f', -1, 64)
		}
		ticks = append(ticks, plot.Tick{Value: t, Label: label})
	}
	return ticks
}

// faultBands shades every fault window over the whole panel height, with
// the fault's name at its top left; a load burst's window in blue.
type faultBands struct {
	spans []namedSpan
	burst bool // the legend's thumbnail is a burst's
}

func (b *faultBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := text.Style{
		Color:   faultText,
		Font:    font.From(sansFont, 8),
		XAlign:  draw.XLeft,
		YAlign:  draw.YTop,
		Handler: p.TextHandler,
	}
	lineH := sty.Height("M") * 1.2
	var lastLabelEnd vg.Length = -1
	row := 0
	for _, s := range b.spans {
		x0 := max(trX(s.From.Seconds()), c.Min.X)
		x1 := min(trX(s.To.Seconds()), c.Max.X)
		if x1 < x0 {
			continue
		}
		if x1-x0 < 1 {
			x1 = x0 + 1 // an instantaneous fault still shows
		}
		fill, edgeColor := faultFill, faultEdge
		if s.burst {
			fill, edgeColor = burstFill, burstEdge
		}
		c.FillPolygon(fill, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		edge := draw.LineStyle{Color: edgeColor, Width: vg.Points(0.6), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
		c.StrokeLine2(edge, x0, c.Min.Y, x0, c.Max.Y)
		c.StrokeLine2(edge, x1, c.Min.Y, x1, c.Max.Y)
		if x0 < lastLabelEnd {
			row++
		} else {
			row = 0
		}
		pt := vg.Point{X: x0 + vg.Points(2), Y: c.Max.Y - vg.Points(2) - vg.Length(row)*lineH}
		c.FillText(sty, pt, s.name)
		lastLabelEnd = max(lastLabelEnd, pt.X+sty.Width(s.name)+vg.Points(4))
	}
}

// Thumbnail draws the legend entry of a fault band.
func (b *faultBands) Thumbnail(c *draw.Canvas) {
	fill := faultFill
	if b.burst {
		fill = burstFill
	}
	c.FillPolygon(fill, []vg.Point{c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}})
}

// note writes a message in the middle of a panel (no data, no state...).
type note struct{ text string }

func (n note) Plot(c draw.Canvas, p *plot.Plot) {
	sty := text.Style{
		Color:   noDataText,
		Font:    font.From(sansFont, 10),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: p.TextHandler,
	}
	c.FillText(sty, c.Center(), n.text)
}

// segments turns per-window values into line segments, broken where a
// window is missing or has no value (ok false).
func (d *plotData) segments(vd *variantData, slots []model.Slot, value func(*model.Slot) (float64, bool)) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	var prev time.Duration = -1
	for i := range slots {
		s := &slots[i]
		y, ok := value(s)
		if !ok || math.IsNaN(y) || math.IsInf(y, 0) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur, prev = nil, -1
			continue
		}
		if prev >= 0 && s.Start-prev > vd.x.Window()*3/2 && len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, plotter.XY{X: (s.Start + vd.x.Window()/2).Seconds(), Y: y})
		prev = s.Start
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	// A lone window is drawn across its width, or it would not show.
	for i, seg := range out {
		if len(seg) == 1 {
			half := vd.x.Window().Seconds() / 2
			out[i] = plotter.XYs{{X: seg[0].X - half, Y: seg[0].Y}, {X: seg[0].X + half, Y: seg[0].Y}}
		}
	}
	return out
}

// series is one line of a panel, for every variant.
type series struct {
	name  string
	color color.Color
	width vg.Length
	dash  []vg.Length
	value func(vd *variantData, s *model.Slot) (float64, bool)
	slots func(vd *variantData) []model.Slot // default: all routes
}

func (s series) style() draw.LineStyle {
	w := s.width
	if w == 0 {
		w = vg.Points(1.4)
	}
	return draw.LineStyle{Color: s.color, Width: w, Dashes: s.dash}
}

func (s series) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(s.style(), c.Min.X, y, c.Max.X, y)
}

// yAxis says how a figure's values are scaled and labelled.
type yAxis struct {
	label string
	// log plots log10 of the values (on a linear axis: gonum's log scale
	// misplaces the axis label).
	log bool
	// rng turns the plotted data's range into the axis range, shared by
	// every panel.
	rng   func(lo, hi float64) (float64, float64, bool)
	ticks plot.Ticker // nil: gonum's default
}

var (
	latencyAxis = func(label string) yAxis {
		return yAxis{label: label, log: true, rng: logRange, ticks: logTicks{}}
	}
	shareAxis = func(label string) yAxis {
		return yAxis{label: label, rng: shareRange, ticks: shareTicks}
	}
	rateAxis = yAxis{label: "requests per second", rng: zeroRange}
)

// lineFigure draws one panel per variant with the given series, on shared
// y ranges; nil when no variant has any point.
func (d *plotData) lineFigure(name, title, caption string, ax yAxis, ss []series) *figure {
	type panelLines struct {
		vd    *variantData
		lines []*plotter.Line
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var panels []panelLines
	for _, vd := range d.variants {
		pl := panelLines{vd: vd}
		for _, s := range ss {
			slots := vd.all
			if s.slots != nil {
				slots = s.slots(vd)
			}
			value := func(sl *model.Slot) (float64, bool) {
				y, ok := s.value(vd, sl)
				if ax.log {
					if y <= 0 {
						return 0, false
					}
					y = math.Log10(y)
				}
				return y, ok
			}
			for _, seg := range d.segments(vd, slots, value) {
				l, err := plotter.NewLine(seg)
				if err != nil {
					continue
				}
				l.LineStyle = s.style()
				pl.lines = append(pl.lines, l)
				for _, pt := range seg {
					lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
				}
			}
		}
		panels = append(panels, pl)
	}
	if math.IsInf(lo, 0) {
		return nil
	}
	ymin, ymax, ok := ax.rng(lo, hi)
	if !ok {
		return nil
	}
	f := &figure{name: name, title: title, caption: caption, panelH: 2.3 * vg.Inch}
	for _, s := range ss {
		f.legend = append(f.legend, legendEntry{s.name, s})
	}
	f.legend = append(f.legend, bandLegend(d)...)
	for i, pl := range panels {
		p := d.newPanel(pl.vd, ax.label, i == len(panels)-1)
		if ax.ticks != nil {
			p.Y.Tick.Marker = ax.ticks
		}
		for _, l := range pl.lines {
			p.Add(l)
		}
		if len(pl.lines) == 0 {
			p.Add(note{"no data"})
		}
		// Adding lines may have widened the range: keep it shared.
		p.X.Min, p.X.Max = 0, d.xmax
		p.Y.Min, p.Y.Max = ymin, ymax
		f.panels = append(f.panels, p)
	}
	return f
}

// bandLegend is the legend of the shaded bands: "fault window" when a
// variant has a fault, "load burst" when one has a burst.
func bandLegend(d *plotData) []legendEntry {
	var fault, burst bool
	for _, vd := range d.variants {
		for _, s := range vd.faults {
			fault, burst = fault || !s.burst, burst || s.burst
		}
	}
	var out []legendEntry
	if fault {
		out = append(out, legendEntry{"fault window", &faultBands{}})
	}
	if burst {
		out = append(out, legendEntry{"load burst", &faultBands{burst: true}})
	}
	return out
}

// logTicks labels a log10 axis at 1, 2 and 5 times powers of ten, with
// minor ticks at the other multiples.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for dec := math.Floor(lo); dec <= hi; dec++ {
		for m := 1; m < 10; m++ {
			v := dec + math.Log10(float64(m))
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			label := ""
			if m == 1 || m == 2 || m == 5 {
				label = strconv.FormatFloat(float64(m)*math.Pow(10, dec), 'g', -1, 64)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// logRange rounds a log10 range out to whole decades (at least 10µs).
func logRange(lo, hi float64) (float64, float64, bool) {
	lo = math.Max(math.Floor(lo), -2)
	hi = math.Max(math.Ceil(hi), lo+1)
	return lo, hi, true
}

// shareRange is 0..1 with headroom for the fault labels.
func shareRange(lo, hi float64) (float64, float64, bool) { return 0, 1.12, true }

var shareTicks = plot.ConstantTicks{
	{Value: 0, Label: "0%"}, {Value: 0.125}, {Value: 0.25, Label: "25%"}, {Value: 0.375},
	{Value: 0.5, Label: "50%"}, {Value: 0.625}, {Value: 0.75, Label: "75%"}, {Value: 0.875},
	{Value: 1, Label: "100%"},
}

// zeroRange starts at 0 and leaves headroom for the fault labels.
func zeroRange(lo, hi float64) (float64, float64, bool) {
	if hi <= 0 {
		hi = 1
	}
	return 0, hi * 1.2, true
}

func (d *plotData) latency() *figure {
	q := func(qq float64) func(vd *variantData, s *model.Slot) (float64, bool) {
		return func(_ *variantData, s *model.Slot) (float64, bool) {
			return ms(s.Latency.Quantile(qq)), s.Count > 0
		}
	}
	return d.lineFigure("latency", "Client latency per window",
		"p50, p90 and p99 of the client's latency in each window, all routes together (log scale). Shaded bands are fault windows.",
		latencyAxis("latency (ms, log scale)"), []series{
			{name: "p50", color: colP50, width: vg.Points(1.2), value: q(0.50)},
			{name: "p90", color: colP90, width: vg.Points(1.2), value: q(0.90)},
			{name: "p99", color: colP99, width: vg.Points(1.8), value: q(0.99)},
		})
}

func (d *plotData) outcomes() *figure {
	share := func(f func(*model.Slot) float64) func(vd *variantData, s *model.Slot) (float64, bool) {
		return func(_ *variantData, s *model.Slot) (float64, bool) { return f(s), s.Count > 0 }
	}
	return d.lineFigure("outcomes", "Client outcomes per window",
		"Share of requests per window answered 2xx (success, fallback answers included), answered from a fallback (degraded), and not answered 2xx (errors).",
		shareAxis("share of requests"), []series{
			{name: "success", color: colSuccess, width: vg.Points(1.8), value: share((*model.Slot).SuccessRatio)},
			{name: "degraded (fallback)", color: colDegraded, width: vg.Points(1.4), dash: []vg.Length{vg.Points(5), vg.Points(2)}, value: share((*model.Slot).DegradedRatio)},
			{name: "errors", color: colErrors, width: vg.Points(1.4), value: share((*model.Slot).ErrorRatio)},
		})
}

func (d *plotData) downstream() *figure {
	found := false
	for _, vd := range d.variants {
		found = found || vd.x.HasDownstream()
	}
	if !found {
		return nil
	}
	client := func(vd *variantData, s *model.Slot) (float64, bool) {
		return float64(s.Count) / vd.x.Window().Seconds(), true
	}
	down := func(vd *variantData, s *model.Slot) (float64, bool) {
		n, ok := vd.x.Downstream(s.Start, s.Start+vd.x.Window())
		return n / vd.x.Window().Seconds(), ok
	}
	name := "downstream"
	for _, vd := range d.variants {
		if vd.v.Downstream != "" {
			name = "downstream (" + vd.v.Downstream + ")"
			break
		}
	}
	return d.lineFigure("downstream", "Downstream load vs client load",
		"Requests per second sent by the client and received by the downstream service (rate of its "+model.DownstreamMetric+" counter). Their ratio is the amplification.",
		rateAxis, []series{
			{name: "client", color: colClient, width: vg.Points(1.6), value: client},
			{name: name, color: colDown, width: vg.Points(1.6), dash: []vg.Length{vg.Points(5), vg.Points(2)}, value: down},
		})
}

// routeSeries returns one series per route, or nil with a single route.
func (d *plotData) routeSeries(value func(s *model.Slot) (float64, bool)) []series {
	if len(d.routes) < 2 {
		return nil
	}
	var ss []series
	for i, rt := range d.routes {
		rt := rt
		ss = append(ss, series{
			name:  rt,
			color: routeColors[i%len(routeColors)],
			// Earlier routes are drawn wider, so a route that a later one
			// overlays (both at 100%) still shows around it.
			width: vg.Points(1.4 + min(float64(len(d.routes)-1-i), 3)),
			value: func(_ *variantData, s *model.Slot) (float64, bool) { return value(s) },
			slots: func(vd *variantData) []model.Slot { return vd.routes[rt] },
		})
	}
	return ss
}

func (d *plotData) latencyRoutes() *figure {
	ss := d.routeSeries(func(s *model.Slot) (float64, bool) {
		return ms(s.Latency.Quantile(0.99)), s.Count > 0
	})
	if ss == nil {
		return nil
	}
	return d.lineFigure("latency-routes", "p99 latency per route",
		"p99 of the client's latency in each window, one line per route (log scale).",
		latencyAxis("p99 latency (ms, log scale)"), ss)
}

func (d *plotData) outcomesRoutes() *figure {
	ss := d.routeSeries(func(s *model.Slot) (float64, bool) { return s.SuccessRatio(), s.Count > 0 })
	if ss == nil {
		return nil
	}
	return d.lineFigure("outcomes-routes", "Success per route",
		"Share of requests answered 2xx in each window, one line per route.",
		shareAxis("success share"), ss)
}

// stateSeries finds the variant's state series; nil when it has none.
func stateSeries(v *model.Variant) *model.Series {
	if v.StateSeries == "" {
		return nil
	}
	for i := range v.Series {
		s := &v.Series[i]
		if s.Name != v.StateSeries || (v.StateService != "" && s.Service != v.StateService) {
			continue
		}
		clean := *s
		clean.Points = nil
		for _, p := range s.Points {
			if p.Finite() {
				clean.Points = append(clean.Points, p)
			}
		}
		if len(clean.Points) > 0 {
			return &clean
		}
	}
	return nil
}

func stateName(v *model.Variant, val float64) (string, int) {
	i := int(math.Round(val))
	if i >= 0 && i < len(v.StateNames) {
		return v.StateNames[i], i
	}
	return "state " + strconv.Itoa(i), i
}

// stateBand draws the pattern's state over time as colored bars.
type stateBand struct {
	v   *model.Variant
	s   *model.Series
	end float64
}

func (b *stateBand) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	// The band fills the lower part of the panel; fault labels go above.
	top := c.Min.Y + (c.Max.Y-c.Min.Y)*0.62
	pts := b.s.Points
	for i := 0; i < len(pts); {
		name, idx := stateName(b.v, pts[i].V)
		j := i + 1
		for j < len(pts) && math.Round(pts[j].V) == math.Round(pts[i].V) {
			j++
		}
		from, to := pts[i].T.Seconds(), b.end
		if j < len(pts) {
			to = pts[j].T.Seconds()
		}
		i = j
		x0 := max(trX(from), c.Min.X)
		x1 := min(trX(to), c.Max.X)
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(stateColor(name, idx), []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: top}, {X: x0, Y: top}})
	}
}

type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, []vg.Point{c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}})
}

func (d *plotData) state() *figure {
	f := &figure{name: "state", title: "Pattern state", panelH: 1.15 * vg.Inch}
	var names, gauges []string
	for i, vd := range d.variants {
		last := i == len(d.variants)-1
		s := stateSeries(vd.v)
		if s == nil {
			f.panels = append(f.panels, d.statePanel(vd, last, note{"no state series in this variant"}))
			continue
		}
		if !slices.Contains(gauges, vd.v.StateSeries) {
			gauges = append(gauges, vd.v.StateSeries)
		}
		for _, pt := range s.Points {
			if name, _ := stateName(vd.v, pt.V); !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		for _, n := range vd.v.StateNames {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		// The band goes under the fault bands so both stay visible.
		f.panels = append(f.panels, d.statePanel(vd, last, &stateBand{v: vd.v, s: s, end: vd.x.End().Seconds()}))
	}
	if len(gauges) == 0 {
		return nil
	}
	f.caption = "The pattern's state over time, sampled from " + strings.Join(gauges, ", ") + ". Shaded bands are fault windows."
	for i, n := range names {
		idx := i
		for _, vd := range d.variants {
			if j := slices.Index(vd.v.StateNames, n); j >= 0 {
				idx = j
				break
			}
		}
		f.legend = append(f.legend, legendEntry{n, swatch{stateColor(n, idx)}})
	}
	f.legend = append(f.legend, bandLegend(d)...)
	return f
}

// statePanel is a panel without y axis: the band (or a note), then faults.
func (d *plotData) statePanel(vd *variantData, last bool, band plot.Plotter) *plot.Plot {
	p := plot.New()
	styleText(p)
	p.Title.Text = panelTitle(vd.v)
	p.X.Min, p.X.Max = 0, d.xmax
	p.X.Tick.Marker = plot.TickerFunc(timeTicks)
	if last {
		p.X.Label.Text = "time since load start (s)"
	}
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = plot.ConstantTicks{}
	p.Y.Padding = 0
	p.Add(band, &faultBands{spans: vd.faults})
	return p
}

// figure is a stack of panels sharing a time axis, under a title and a
// one-line legend.
type figure struct {
	name, title, caption string
	legend               []legendEntry
	panels               []*plot.Plot
	panelH               vg.Length
}

type legendEntry struct {
	name  string
	thumb plot.Thumbnailer
}

const headerH = 0.55 * vg.Inch

func (f *figure) size() (vg.Length, vg.Length) {
	return figWidth, headerH + vg.Length(len(f.panels))*f.panelH + 0.2*vg.Inch
}

func (f *figure) encode(format string) ([]byte, error) {
	w, h := f.size()
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(plotDPI), vgimg.UseBackgroundColor(color.White))}
	case "svg":
		c = vgsvg.New(w, h)
	default:
		return nil, fmt.Errorf("unknown format %q", format)
	}
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (f *figure) draw(dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	hdr := text.Plain{Fonts: font.DefaultCache}

	// Title, then the legend on one line.
	title := text.Style{Color: color.Black, Font: font.From(boldFont, 13), XAlign: draw.XLeft, YAlign: draw.YTop, Handler: hdr}
	left := dc.Min.X + vg.Points(12)
	top := dc.Max.Y - vg.Points(6)
	dc.FillText(title, vg.Point{X: left, Y: top}, f.title)

	lsty := text.Style{Color: color.Black, Font: font.From(sansFont, 10), XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: hdr}
	y := top - title.Height(f.title) - vg.Points(9)
	x := left
	thumbW, thumbH := vg.Points(22), vg.Points(9)
	for _, e := range f.legend {
		tc := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: y - thumbH/2},
			Max: vg.Point{X: x + thumbW, Y: y + thumbH/2},
		}}
		e.thumb.Thumbnail(&tc)
		x += thumbW + vg.Points(4)
		dc.FillText(lsty, vg.Point{X: x, Y: y}, e.name)
		x += lsty.Width(e.name) + vg.Points(16)
	}

	body := draw.Crop(dc, 0, 0, 0, -headerH)
	t := draw.Tiles{
		Rows: len(f.panels), Cols: 1,
		PadX: vg.Points(6), PadY: vg.Points(10),
		PadLeft: vg.Points(8), PadRight: vg.Points(14), PadBottom: vg.Points(6),
	}
	grid := make([][]*plot.Plot, len(f.panels))
	for i, p := range f.panels {
		grid[i] = []*plot.Plot{p}
	}
	cs := plot.Align(grid, t, body)
	for i, p := range f.panels {
		p.Draw(cs[i][0])
	}
}
