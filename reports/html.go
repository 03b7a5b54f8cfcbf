package reports

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/reports/model"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(reportTemplate))

// htmlReport is what the template renders.
type htmlReport struct {
	Run      *model.Run
	Started  string
	Planned  string
	Window   string
	OK       bool
	Partial  string // why, "" when complete
	Variants []htmlVariant
	Headline []htmlRow
	Sweep    *htmlSweep // nil without swept variants
	Counters []htmlRow  // the pattern's counters, totals over the run
	// Consistency is the checker's counts per variant; nil when none ran.
	Consistency []htmlRow
	Routes      []htmlRow // per route over the run, response size included
	SLOs        []htmlSLO
	Faults      []htmlFault
	Actions     []htmlAction
	Timings     []htmlTiming
	Warnings    []string // what was not measured as planned (see warnings)
	Plots       []htmlPlot
	Results     []htmlResult
	Generated   string
	// Against and Spread are sections rendered on their own (their
	// files): the comparison with a baseline, the spread over repeats.
	Against, Spread template.HTML
}

type htmlVariant struct {
	Name, Tags, Verdict, Class, Config, ToxiproxyAPI string
}

// htmlRow is one headline row: a label and a cell per variant.
type htmlRow struct {
	Section string // starts a new section when set
	Label   string
	Cells   []string
}

type htmlSLO struct {
	Variant, Name, Metric, Scope, Want, Got, Result, Class string
}

type htmlFault struct {
	Variant, Name, Kind, Target, PlannedFrom, PlannedTo, Applied, Reverted, Note string
}

type htmlTiming struct{ Name, Variant, Duration string }

type htmlPlot struct {
	Name, Title, Caption string
	// Src is the img src attribute with the PNG as a data: URI (trusted:
	// base64 needs no escaping, and escaping "+" would bloat it).
	Src template.HTMLAttr
}

type htmlResult struct{ Variant, File string }

// WriteHTML renders the self-contained report page: plots are embedded as
// data: URIs, styles are inline, nothing is fetched when it opens.
func WriteHTML(w io.Writer, r *model.Run, plots []PlotFile) error {
	rep := htmlReport{
		Run:     r,
		Started: r.StartedAt.UTC().Format(time.RFC3339),
		Planned: formatDuration(r.Planned),
		Window:  formatDuration(r.Window),
		OK:      model.Verdict(r),
		Partial: r.PartialReason(),
	}
	if r.StartedAt.IsZero() {
		rep.Started = "unknown"
	}
	var vs []*model.Variant
	for _, v := range r.Variants {
		if v != nil {
			vs = append(vs, v)
		}
	}
	for _, v := range vs {
		rep.Variants = append(rep.Variants, variantVerdict(v))
	}
	rep.Headline = headlineRows(vs, r.TradeOffs)
	rep.Warnings = warnings(vs)
	rep.Counters = counterRows(vs)
	rep.Routes = routeRows(vs)
	rep.Consistency = consistencyRows(vs)
	for _, v := range vs {
		rep.SLOs = append(rep.SLOs, sloRows(v)...)
		for _, f := range v.Faults {
			rep.Faults = append(rep.Faults, faultRow(v.Name, f))
		}
		for _, a := range v.Actions {
			rep.Actions = append(rep.Actions, actionRow(v.Name, a))
		}
		if v.Results != "" {
			rep.Results = append(rep.Results, htmlResult{Variant: v.Name, File: v.Results})
		}
	}
	for _, t := range r.Timings {
		rep.Timings = append(rep.Timings, htmlTiming{Name: t.Name, Variant: t.Variant, Duration: formatDuration(t.Duration)})
	}
	rep.Sweep = sweepSection(r)
	rep.Against, rep.Spread = againstSection(r), spreadSection(vs)
	for _, p := range plots {
		hp := htmlPlot{
			Name: p.Name, Title: p.Title, Caption: p.Caption,
			Src: template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(p.PNG) + `"`),
		}
		if rep.Sweep != nil && strings.HasPrefix(p.Name, SweepPlotPrefix) {
			rep.Sweep.Plots = append(rep.Sweep.Plots, hp)
			continue
		}
		rep.Plots = append(rep.Plots, hp)
	}
	if err := reportTmpl.Execute(w, rep); err != nil {
		return fmt.Errorf("render report.html: %w", err)
	}
	return nil
}

// sloRows lists a variant's SLO results.
func sloRows(v *model.Variant) []htmlSLO {
	var out []htmlSLO
	for _, s := range v.SLOs {
		h := htmlSLO{
			Variant: v.Name, Name: s.Name, Metric: s.Metric, Scope: sloScope(s),
			Want: sloWant(s), Got: sloGot(s), Result: "pass", Class: "pass",
		}
		switch {
		case s.Pass:
		case v.ReportOnly:
			h.Result, h.Class = "violated (ranked, not gated)", "expected"
		case v.ExpectViolation:
			h.Result, h.Class = "violated (expected)", "expected"
		default:
			h.Result, h.Class = "FAIL", "fail"
		}
		out = append(out, h)
	}
	return out
}

// faultRow is one fault of a variant's timeline: planned, and when it was
// actually applied and reverted (with the drift from the plan).
func faultRow(variant string, f model.FaultEvent) htmlFault {
	hf := htmlFault{
		Variant: variant, Name: f.Name, Kind: f.Kind, Target: f.Target,
		PlannedFrom: formatDuration(f.At), PlannedTo: "until the end",
		Applied: "not applied", Reverted: "not reverted", Note: f.Error,
	}
	if f.Duration > 0 {
		hf.PlannedTo = formatDuration(f.At + f.Duration)
	}
	if f.Applied > 0 || f.At == 0 && f.Error == "" {
		hf.Applied = formatDuration(f.Applied)
		if d := f.Applied - f.At; f.Applied > 0 && d != 0 {
			hf.Applied += fmt.Sprintf(" (%+.3gs)", d.Seconds())
		}
	}
	if f.Reverted > 0 {
		hf.Reverted = formatDuration(f.Reverted)
		if d := f.Reverted - (f.At + f.Duration); f.Duration > 0 && d != 0 {
			hf.Reverted += fmt.Sprintf(" (%+.3gs)", d.Seconds())
		}
	}
	return hf
}

func variantVerdict(v *model.Variant) htmlVariant {
	h := htmlVariant{Name: v.Name, ToxiproxyAPI: v.ToxiproxyAPI}
	var tags []string
	switch {
	case v.ReportOnly:
		tags = append(tags, "sweep: ranked, not gated")
	case v.ExpectViolation:
		tags = append(tags, "baseline: expected to violate")
	case v.Baseline:
		tags = append(tags, "baseline")
	}
	if v.Partial {
		tags = append(tags, "partial")
	}
	for i, t := range tags {
		if i > 0 {
			h.Tags += ", "
		}
		h.Tags += t
	}
	n, bad := len(v.SLOs), len(v.Violations())
	switch {
	case v.ReportOnly && bad > 0:
		h.Verdict, h.Class = fmt.Sprintf("SLOs violated: %d of %d (not gated)", bad, n), "expected"
	case v.ReportOnly:
		h.Verdict, h.Class = fmt.Sprintf("SLOs met: %d of %d (not gated)", n, n), "pass"
	case v.ExpectViolation && bad > 0:
		h.Verdict, h.Class = fmt.Sprintf("violated %d of %d SLOs, as expected", bad, n), "expected"
	case v.ExpectViolation:
		h.Verdict, h.Class = fmt.Sprintf("met all %d SLOs, but was expected to violate at least one", n), "fail"
	case bad > 0:
		h.Verdict, h.Class = fmt.Sprintf("SLOs violated: %d of %d", bad, n), "fail"
	default:
		h.Verdict, h.Class = fmt.Sprintf("SLOs met: %d of %d", n, n), "pass"
	}
	if v.Error != "" {
		h.Verdict += "; error: " + v.Error
		h.Class = "fail"
	}
	if v.Config != nil {
		if b, err := json.MarshalIndent(v.Config, "", "  "); err == nil {
			h.Config = string(b)
		}
	}
	return h
}

// headlineRows lays the variants' headlines side by side.
func headlineRows(vs []*model.Variant, trades []model.TradeOff) []htmlRow {
	t := &headlineTable{vs: vs, down: map[*model.Variant]bool{}, trades: trades}
	for _, v := range vs {
		t.down[v] = model.NewView(v, 0).HasDownstream()
	}
	o := func(metric string) func(v *model.Variant) string {
		return func(v *model.Variant) string { return t.value(v, v.Headline.Overall, metric) }
	}
	t.row("Whole run", "requests", func(v *model.Variant) string { return fmt.Sprint(v.Headline.Overall.Requests) })
	t.row("", "rate (planned)", func(v *model.Variant) string { return rateCell(v.Headline.Overall) })
	t.row("", "late results", func(v *model.Variant) string { return fmt.Sprint(v.Late.Count) })
	t.row("", "success", o("success"))
	t.row("", "degraded", o("degraded"))
	t.row("", "p50 / p99 / max", func(v *model.Variant) string {
		p := v.Headline.Overall
		return phaseValue(p, "p50") + " / " + phaseValue(p, "p99") + " / " + phaseValue(p, "max") + sentNote(p)
	})
	t.row("", "amplification", o("amplification"))
	t.tradeOffRow("")

	// Faults, matched by name across variants (in the first variant's order).
	var names []string
	kinds := map[string]string{}
	for _, v := range vs {
		for _, f := range v.Faults {
			if !slices.Contains(names, f.Name) {
				names = append(names, f.Name)
				kinds[f.Name] = fmt.Sprintf("%s on %s", f.Kind, f.Target)
			}
		}
	}
	for _, name := range names {
		t.faultRows(name, kinds[name])
	}
	return t.rows
}

// headlineTable is the headline table being laid out: a row per number, a
// cell per variant.
type headlineTable struct {
	vs   []*model.Variant
	down map[*model.Variant]bool // has a downstream counter
	// trades are the run's trade-offs against the baseline.
	trades []model.TradeOff
	rows   []htmlRow
}

func (t *headlineTable) row(section, label string, cell func(v *model.Variant) string) {
	r := htmlRow{Section: section, Label: label}
	for _, v := range t.vs {
		r.Cells = append(r.Cells, cell(v))
	}
	t.rows = append(t.rows, r)
}

// value formats one number of a variant's phase; amplification is "n/a"
// without a downstream counter.
func (t *headlineTable) value(v *model.Variant, p model.Phase, metric string) string {
	if metric == "amplification" && !t.down[v] {
		return "n/a"
	}
	return phaseValue(p, metric)
}

// faultRows adds the section of the fault called name: its numbers before
// → during → after, and its times to fail fast and to recover.
func (t *headlineTable) faultRows(name, kind string) {
	fh := func(v *model.Variant) *model.FaultHeadline {
		for i := range v.Headline.Faults {
			if v.Headline.Faults[i].Fault == name {
				return &v.Headline.Faults[i]
			}
		}
		return nil
	}
	bda := func(metric string) func(v *model.Variant) string {
		return func(v *model.Variant) string {
			h := fh(v)
			if h == nil {
				return "—"
			}
			return t.value(v, h.Before, metric) + " → " + t.value(v, h.During, metric) + " → " + t.value(v, h.After, metric)
		}
	}
	// A time that could not be looked for (its phase is empty: another
	// fault started at once) is "n/a", not "never".
	dur := func(get func(h *model.FaultHeadline) (*time.Duration, model.Phase)) func(v *model.Variant) string {
		return func(v *model.Variant) string {
			h := fh(v)
			if h == nil {
				return "—"
			}
			d, phase := get(h)
			switch {
			case d != nil:
				return formatDuration(*d)
			case phase.Requests == 0:
				return "n/a"
			}
			return "never"
		}
	}
	section := "Fault " + name + " (" + kind + "): before → during → after"
	t.row(section, "success", bda("success"))
	t.row("", "degraded", bda("degraded"))
	t.row("", "p99", bda("p99"))
	t.row("", "rate", bda("rate"))
	t.row("", "amplification", bda("amplification"))
	t.row("", "time to fail fast", dur(func(h *model.FaultHeadline) (*time.Duration, model.Phase) { return h.FailFast, h.During }))
	t.row("", "time to recover", dur(func(h *model.FaultHeadline) (*time.Duration, model.Phase) { return h.Recover, h.After }))
	t.tradeOffRow(name)
}

// phaseValue formats one number of a phase; "n/a" without requests.
func phaseValue(p model.Phase, metric string) string {
	if p.Requests == 0 {
		return "n/a"
	}
	switch metric {
	case "success":
		return formatPercent(p.Success)
	case "degraded":
		return formatPercent(p.Degraded)
	case "p50":
		return formatDuration(p.P50)
	case "p90":
		return formatDuration(p.P90)
	case "p99":
		return formatDuration(p.P99)
	case "max":
		return formatDuration(p.Max)
	case "rate":
		if p.Short {
			return formatNumber(p.Rate) + "/s ⚠"
		}
		return formatNumber(p.Rate) + "/s"
	case "amplification":
		return formatNumber(p.Amplification) + "×"
	}
	return ""
}
