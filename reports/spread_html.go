package reports

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/faultline/faultline/reports/model"
)

var spreadTmpl = template.Must(template.New("spread").Parse(`<h2 id="spread">Spread over {{.N}} runs</h2>
<p class="meta">Each variant ran {{.N}} times (<code>--repeat {{.N}}</code>), one after the other with the same seed; the headline table above shows the first run, this one the median (min–max) over all runs. SLOs are judged and sweeps ranked on the median.</p>
<table>
<tr><th></th>{{range .Names}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}{{if .Section}}<tr class="section"><th colspan="{{.Span}}">{{.Section}}</th></tr>
{{end}}<tr><td>{{.Label}}</td>{{range .Cells}}<td class="num">{{.}}</td>{{end}}</tr>
{{end}}</table>
`))

type spreadRow struct {
	Section, Label string
	Span           int
	Cells          []string
}

// spreadSection is the report's spread table with --repeat N: the median
// and range of the main headline numbers; "" for single runs.
func spreadSection(vs []*model.Variant) template.HTML {
	n := 0
	for _, v := range vs {
		n = max(n, len(v.Runs()))
	}
	if n < 2 {
		return ""
	}
	page := struct {
		N     int
		Names []string
		Rows  []spreadRow
	}{N: n}
	for _, v := range vs {
		page.Names = append(page.Names, v.Name)
	}
	add := func(section, label string, q model.Query) {
		row := spreadRow{Section: section, Label: label, Span: len(vs) + 1}
		info, _ := model.LookupMetric(q.Metric)
		for _, v := range vs {
			var cell *model.Spread
			if s, ok := v.SpreadWithNever(q); ok {
				cell = &s
			}
			row.Cells = append(row.Cells, formatSpread(cell, info.Unit))
		}
		page.Rows = append(page.Rows, row)
	}
	for i, m := range []string{"success", "p99", "rate", "amplification"} {
		add(map[bool]string{true: "Whole run"}[i == 0], m, model.Query{Metric: m, Phase: "overall"})
	}
	if len(vs) > 0 {
		for _, f := range vs[0].Faults {
			section := fmt.Sprintf("Fault %s: during", f.Name)
			for i, m := range []string{"success", "p99", "amplification"} {
				add(map[bool]string{true: section}[i == 0], m, model.Query{Metric: m, Phase: "during", Fault: f.Name})
			}
			add("", "time to fail fast", model.Query{Metric: "time_to_fail_fast", Fault: f.Name})
			add("", "time to recover", model.Query{Metric: "time_to_recover", Fault: f.Name})
		}
	}
	var buf bytes.Buffer
	if err := spreadTmpl.Execute(&buf, page); err != nil {
		return template.HTML("<p>Spread: " + template.HTMLEscapeString(err.Error()) + "</p>")
	}
	return template.HTML(buf.String())
}
