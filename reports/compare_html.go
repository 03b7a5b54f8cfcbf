package reports

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/faultline/faultline/reports/model"
)

var compareTmpl = template.Must(template.New("compare").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline compare: {{.C.Scenario}}</title>
<style>
body { font-family: system-ui, "Liberation Sans", Arial, sans-serif; margin: 0 auto; max-width: 1120px; padding: 1em 1.5em 3em; color: #1d1d1f; }
table { border-collapse: collapse; margin: .6em 0; font-size: .9em; }
th, td { border: 1px solid #d6d6d6; padding: .25em .5em; text-align: left; }
th { background: #f3f3f5; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.better { color: #17712a; font-weight: 600; }
.worse { color: #b3141b; font-weight: 600; }
.same { color: #555; }
.changed { color: #8a5a00; font-weight: 600; }
.banner { padding: .7em 1em; border-radius: 6px; margin: 1em 0; font-weight: 600; }
.banner.ok { background: #e3f5e6; border: 1px solid #3a3; }
.banner.bad { background: #fde2e1; border: 1px solid #d33; }
.meta { color: #555; font-size: .92em; }
img { max-width: 100%; border: 1px solid #e3e3e3; }
</style>
</head>
<body>
<h1>{{.C.Scenario}}: new run against baseline</h1>
{{template "body" .}}
</body>
</html>
{{define "body"}}<p class="meta">base started <b>{{.BaseStarted}}</b> ({{.C.Base.Repeat}} run(s) a variant) · new started <b>{{.NewStarted}}</b> ({{.C.New.Repeat}} run(s) a variant) · scale {{.C.New.Scale}}</p>
<div class="banner {{if .C.Worse}}bad{{else}}ok{{end}}">{{.Line}}</div>
<p class="meta">A number is <i>worse</i> or <i>better</i> when it moved beyond its tolerance (the larger of abs and rel × the smaller value, or for shares the smaller distance from 0% or 100%; with enough repeats a side, when the Mann-Whitney U test gives p ≤ {{.Alpha}}), else <i>same</i>. Latencies, errors, amplification and times: lower is better; success and rate: higher; the degraded share is neither (<i>changed</i>, which does not fail).</p>
{{range .C.Notes}}<p class="meta">note: {{.}}</p>{{end}}
{{range .Variants}}<h2>{{.Name}}</h2>
{{range .Plots}}<figure><img {{.}} alt="overlay"></figure>{{end}}
<table><tr><th>fault</th><th>phase</th><th>route</th><th>metric</th><th>base</th><th>new</th><th>delta</th><th>tolerance</th><th>verdict</th></tr>
{{range .Rows}}<tr><td>{{.Fault}}</td><td>{{.Phase}}</td><td>{{.Route}}</td><td><code>{{.Metric}}</code></td><td class="num">{{.Base}}</td><td class="num">{{.New}}</td><td class="num">{{.Delta}}</td><td class="num">{{.Tol}}</td><td class="{{.Class}}">{{.Verdict}}</td></tr>
{{end}}</table>
{{end}}{{end}}`))

type comparePage struct {
	C                       *model.Comparison
	BaseStarted, NewStarted string
	Line                    string
	Alpha                   float64
	Variants                []compareVariant
}

type compareVariant struct {
	Name  string
	Plots []template.HTMLAttr // src attributes with PNG data: URIs (trusted: base64 needs no escaping)
	Rows  []compareRow
}

type compareRow struct {
	Fault, Phase, Route, Metric, Base, New, Delta, Tol, Verdict, Class string
}

// WriteComparison writes the comparison of nw against base into dir:
// compare.html (the numbers side by side, the two runs' curves overlaid)
// and compare.json.
func WriteComparison(dir string, c *model.Comparison, base, nw *model.Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	js, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	if err := writeFile(dir, "compare.json", append(js, '\n')); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteCompareHTML(&buf, c, base, nw); err != nil {
		return err
	}
	return writeFile(dir, CompareFile, buf.Bytes())
}

// WriteCompareHTML renders the comparison page.
func WriteCompareHTML(w io.Writer, c *model.Comparison, base, nw *model.Run) error {
	page := comparePage{C: c, Line: CompareLine(c), Alpha: model.Alpha,
		BaseStarted: c.Base.StartedAt.UTC().Format(time.RFC3339), NewStarted: c.New.StartedAt.UTC().Format(time.RFC3339)}
	for _, nv := range nw.Variants {
		bv := base.Find(nv.Name)
		if bv == nil {
			continue
		}
		cv := compareVariant{Name: nv.Name}
		for _, o := range overlays {
			png, err := comparePlot(o, nv.Name, bv, nv, 10*vg.Inch)
			if err != nil {
				return err
			}
			if png != nil {
				cv.Plots = append(cv.Plots, template.HTMLAttr(`src="data:image/png;base64,`+base64.StdEncoding.EncodeToString(png)+`"`))
			}
		}
		cv.Rows = compareRows(c, nv.Name)
		page.Variants = append(page.Variants, cv)
	}
	if err := compareTmpl.Execute(w, page); err != nil {
		return fmt.Errorf("render %s: %w", CompareFile, err)
	}
	return nil
}

// compareRows are a variant's rows of the comparison, formatted.
func compareRows(c *model.Comparison, variant string) []compareRow {
	var out []compareRow
	for _, d := range c.Rows {
		if d.Variant != variant {
			continue
		}
		out = append(out, compareRow{
			Fault: d.Fault, Phase: d.Phase, Route: d.Route, Metric: d.Metric,
			Base: formatSpread(d.Base, d.Unit), New: formatSpread(d.New, d.Unit), Delta: formatDelta(d),
			Tol: formatTolerance(d), Verdict: verdictText(d), Class: d.Verdict,
		})
	}
	return out
}

// formatTolerance prints a row's tolerance: "±2pp", "±50ms or 100%".
func formatTolerance(d model.Delta) string {
	t := d.Tolerance
	s := "±" + formatValue(t.Abs, d.Unit)
	if d.Unit == model.Ratio {
		s = "±" + trimZeros(fmt.Sprintf("%.2f", t.Abs*100)) + "pp"
	}
	if t.Rel > 0 {
		s += " or " + formatPercent(t.Rel)
	}
	return s
}
