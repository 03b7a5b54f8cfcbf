package reports

import (
	"strconv"

	"gonum.org/v1/plot"

	"github.com/faultline/faultline/reports/model"
)

// bytesRoutes draws the mean response size of each route over time; nil
// with a single route or when no answer had a body.
func (d *plotData) bytesRoutes() *figure {
	sized := false
	for _, vd := range d.variants {
		for _, w := range vd.v.Windows {
			sized = sized || w.Bytes > 0
		}
	}
	if !sized {
		return nil
	}
	ss := d.routeSeries(func(s *model.Slot) (float64, bool) { return s.MeanBytes() })
	if ss == nil {
		return nil
	}
	return d.lineFigure("bytes-routes", "Response size per route",
		"Mean body size of the 2xx answers in each window, one line per route (the raw results' BytesIn).",
		yAxis{label: "bytes per answer", rng: zeroRange, ticks: byteTicks{}}, ss)
}

// byteTicks are gonum's default ticks, labelled as plain numbers.
type byteTicks struct{}

func (byteTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', -1, 64)
		}
	}
	return ts
}
