package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/faultline/faultline/reports/model"
)

var (
	colBase = color.NRGBA{R: 130, G: 130, B: 130, A: 255}
	colNew  = color.NRGBA{R: 30, G: 100, B: 180, A: 255}
)

// overlay is one chart of the comparison: a number per window of one
// variant, the base run's and the new run's curves on the same axes.
type overlay struct {
	Metric, Title, YLabel string
	value                 func(s *model.Slot) (float64, bool)
}

var overlays = []overlay{
	{"p99", "p99 latency per window", "p99 (ms, log)", func(s *model.Slot) (float64, bool) {
		if s.Count == 0 {
			return 0, false
		}
		return math.Log10(max(ms(s.Latency.Quantile(0.99)), 0.01)), true
	}},
	{"success", "success per window", "success", func(s *model.Slot) (float64, bool) {
		if s.Count == 0 {
			return 0, false
		}
		return s.SuccessRatio(), true
	}},
}

// comparePlot draws one overlay for a variant of both runs as a PNG; nil
// when neither run has windows.
func comparePlot(o overlay, name string, base, nw *model.Variant, window vg.Length) ([]byte, error) {
	p := plot.New()
	p.Title.Text = name + ": " + o.Title
	p.X.Label.Text = "time since load start (s)"
	p.Y.Label.Text = o.YLabel
	if o.Metric == "p99" {
		p.Y.Tick.Marker = logTicks{} // the values are log10(ms), as in the report's latency plot
	} else {
		p.Y.Tick.Marker = shareTicks
	}
	x := model.NewView(nw, 0)
	var bands faultBands
	for _, f := range x.Faults() {
		ev := nw.Faults[f.Index]
		bands.spans = append(bands.spans, namedSpan{Span: f.Span, name: ev.Name, burst: ev.Kind == model.BurstKind})
	}
	p.Add(&bands)
	p.Add(plotter.NewGrid())
	n := 0
	for _, side := range []struct {
		label string
		v     *model.Variant
		col   color.Color
		dash  []vg.Length
	}{{"base", base, colBase, []vg.Length{vg.Points(4), vg.Points(2)}}, {"new", nw, colNew, nil}} {
		pts := curve(side.v, o.value)
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("compare plot: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: side.col, Width: vg.Points(1.4), Dashes: side.dash}
		p.Add(l)
		p.Legend.Add(side.label, l)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	if o.Metric == "p99" {
		p.Y.Min, p.Y.Max, _ = logRange(p.Y.Min, p.Y.Max)
	} else {
		p.Y.Min, p.Y.Max, _ = shareRange(0, 1)
	}
	p.Legend.Top = true
	var buf bytes.Buffer
	w, err := p.WriterTo(window, window*0.32, "png")
	if err != nil {
		return nil, fmt.Errorf("compare plot: %w", err)
	}
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("compare plot: %w", err)
	}
	return buf.Bytes(), nil
}

// curve is a variant's number per window (all routes), at mid-window.
func curve(v *model.Variant, value func(s *model.Slot) (float64, bool)) plotter.XYs {
	x := model.NewView(v, 0)
	var pts plotter.XYs
	for _, s := range x.Slots("") {
		if y, ok := value(&s); ok {
			pts = append(pts, plotter.XY{X: (s.Start + x.Window()/2).Seconds(), Y: y})
		}
	}
	return pts
}
