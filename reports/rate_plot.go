package reports

import (
	"image/color"

	"gonum.org/v1/plot/vg"

	"github.com/faultline/faultline/reports/model"
)

// colPlanned draws what the load planned.
var colPlanned = color.NRGBA{R: 110, G: 110, B: 110, A: 255}

// rate plots the client's achieved rate per window against the planned
// one, so a generator that fell behind shows; nil when no window has a plan
// (a summary written before plans were recorded).
func (d *plotData) rate() *figure {
	found := false
	for _, vd := range d.variants {
		for _, s := range vd.all {
			found = found || s.Planned > 0
		}
	}
	if !found {
		return nil
	}
	perSecond := func(n func(*model.Slot) float64) func(vd *variantData, s *model.Slot) (float64, bool) {
		return func(vd *variantData, s *model.Slot) (float64, bool) {
			return n(s) / vd.x.Window().Seconds(), true
		}
	}
	return d.lineFigure("rate", "Client rate: achieved vs planned",
		"Requests per second the client sent in each window, against what the load planned. A window more than 1% under plan is a shortfall: the generator could not keep up (see the warnings).",
		rateAxis, []series{
			{name: "achieved", color: colClient, width: vg.Points(1.8), value: perSecond(func(s *model.Slot) float64 { return float64(s.Count) })},
			{name: "planned", color: colPlanned, width: vg.Points(1.2), dash: []vg.Length{vg.Points(4), vg.Points(3)}, value: perSecond(func(s *model.Slot) float64 { return s.Planned })},
		})
}
