package reports

import (
	"fmt"
	"strconv"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// htmlSweep is the report's sweep section: the ranking table and the
// charts of the headline numbers against the swept parameters.
type htmlSweep struct {
	Params []string // column headers: the swept keys
	RankBy string   // "success during the faults, higher first"
	Mode   string
	Gate   bool
	// Extra heads a column with the ranking measurement when it is not one
	// of the four headline numbers.
	Extra string
	// Col is the headline column the ranking measurement is (1 success, 2
	// p99, 3 recover, 4 amplification; 0 none), to mark it.
	Col   int
	Rows  []htmlRank
	Refs  []htmlRank // variants outside the sweep, for reference
	Plots []htmlPlot
}

type htmlRank struct {
	Rank, Variant                        string
	Params                               []string
	Success, P99, Recover, Amplification string
	Extra, SLOs, SLOClass                string
}

// sweepSection lays out the sweep's ranking; nil without swept variants.
func sweepSection(r *model.Run) *htmlSweep {
	si := newSweepInfo(r)
	if si == nil {
		return nil
	}
	hs := &htmlSweep{Mode: "grid"}
	for _, p := range si.params {
		hs.Params = append(hs.Params, p.Key)
	}
	by := model.RankBy{Metric: "success", Phase: "during", Order: "desc"}
	ranking := r.Sweep
	if ranking != nil {
		hs.Mode, hs.Gate = ranking.Mode, ranking.Gate
		if ranking.RankBy.Metric != "" {
			by = ranking.RankBy
		}
	}
	hs.RankBy = by.String()
	hs.Col = headlineColumn(by)
	if hs.Col == 0 {
		hs.Extra = by.String()
	}
	rows := rankRows{params: hs.Params, unit: model.Factor, variants: map[string]*model.Variant{}}
	if m, ok := model.LookupMetric(by.Metric); ok {
		rows.unit = m.Unit
	}
	for _, v := range r.Variants {
		if v != nil {
			rows.variants[v.Name] = v
		}
	}

	var ranked []model.Rank
	if r.Sweep != nil && len(r.Sweep.Ranking) > 0 {
		ranked = r.Sweep.Ranking
	} else {
		ranked = si.rows // no ranking recorded: run order
		for i := range ranked {
			ranked[i].Rank = i + 1
		}
	}
	for _, rk := range ranked {
		hs.Rows = append(hs.Rows, rows.row(rk))
	}
	for _, rk := range si.refs {
		if x, ok := model.SweepMeasure(rows.variants[rk.Variant], r.Window, by.Query()); ok {
			rk.Value = &x
		}
		h := rows.row(rk)
		h.Rank = "ref"
		for i := range h.Params {
			h.Params[i] = "—"
		}
		hs.Refs = append(hs.Refs, h)
	}
	return hs
}

// headlineColumn is the headline column the ranking measurement is (1
// success, 2 p99, 3 recover, 4 amplification, all during or after the
// faults together), to mark it; 0 when it is none of them.
func headlineColumn(by model.RankBy) int {
	switch {
	case by.Route != "":
	case by.Metric == "success" && by.Phase == "during" && by.Fault == "":
		return 1
	case by.Metric == "p99" && by.Phase == "during" && by.Fault == "":
		return 2
	case by.Metric == "time_to_recover" && by.Fault == "":
		return 3
	case by.Metric == "amplification" && by.Phase == "during" && by.Fault == "":
		return 4
	}
	return 0
}

// rankRows formats ranking rows: the swept parameters' values, the
// headline numbers, the ranking measurement in its unit and the SLOs met.
type rankRows struct {
	params   []string // the swept keys, in column order
	unit     model.Unit
	variants map[string]*model.Variant // by name
}

func (rr rankRows) row(rk model.Rank) htmlRank {
	h := htmlRank{
		Rank: strconv.Itoa(rk.Rank), Variant: rk.Variant,
		Success: optPercent(rk.Success), P99: optDuration(rk.P99, "n/a"),
		Recover: optDuration(rk.Recover, "never"), Amplification: optFactor(rk.Amplification),
		Extra: "n/a",
	}
	for _, p := range rr.params {
		val, ok := rk.Params[p]
		if !ok {
			val = "(base)"
		}
		h.Params = append(h.Params, val)
	}
	if rk.Value != nil {
		h.Extra = formatValue(*rk.Value, rr.unit)
	}
	h.SLOs, h.SLOClass = fmt.Sprintf("%d of %d", rk.SLOsMet, rk.SLOs), "pass"
	if rk.SLOsMet < rk.SLOs {
		h.SLOClass = "fail"
		if v := rr.variants[rk.Variant]; v != nil && (v.ReportOnly || v.ExpectViolation) {
			h.SLOClass = "expected"
		}
	}
	return h
}

func optPercent(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return formatPercent(*p)
}

func optFactor(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return formatNumber(*p) + "×"
}

func optDuration(d *time.Duration, missing string) string {
	if d == nil {
		return missing
	}
	return formatDuration(*d)
}
