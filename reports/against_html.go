package reports

import (
	"bytes"
	"html/template"

	"github.com/faultline/faultline/reports/model"
)

var againstTmpl = template.Must(template.New("against").Parse(`<h2 id="against-baseline">Against baseline</h2>
<p class="{{if .C.Worse}}fail{{else}}pass{{end}}">{{.Line}}</p>
<p class="meta">Every headline number of this run against the baseline's (base started {{.BaseStarted}}); the numbers that moved beyond their tolerance are listed here, all of them with both runs' curves overlaid in <a href="compare.html">compare.html</a>.</p>
{{if .Rows}}<table><tr><th>variant</th><th>fault</th><th>phase</th><th>route</th><th>metric</th><th>base</th><th>new</th><th>delta</th><th>tolerance</th><th>verdict</th></tr>
{{range .Rows}}<tr><td>{{.Variant}}</td><td>{{.Fault}}</td><td>{{.Phase}}</td><td>{{.Route}}</td><td><code>{{.Metric}}</code></td><td class="num">{{.Base}}</td><td class="num">{{.New}}</td><td class="num">{{.Delta}}</td><td class="num">{{.Tol}}</td><td class="{{if eq .Class "worse"}}fail{{else if eq .Class "changed"}}expected{{else}}pass{{end}}">{{.Verdict}}</td></tr>
{{end}}</table>{{end}}
`))

type againstRow struct {
	Variant string
	compareRow
}

// againstSection is the report's "Against baseline" section: the numbers
// that changed; "" when the run has no baseline.
func againstSection(r *model.Run) template.HTML {
	c := r.Against
	if c == nil {
		return ""
	}
	page := struct {
		C                 *model.Comparison
		Line, BaseStarted string
		Rows              []againstRow
	}{C: c, Line: CompareLine(c), BaseStarted: c.Base.StartedAt.UTC().Format("2006-01-02 15:04:05Z")}
	for _, v := range r.Variants {
		for _, row := range compareRows(c, v.Name) {
			if row.Class != model.Same {
				page.Rows = append(page.Rows, againstRow{Variant: v.Name, compareRow: row})
			}
		}
	}
	var buf bytes.Buffer
	if err := againstTmpl.Execute(&buf, page); err != nil {
		return template.HTML("<p>Against baseline: " + template.HTMLEscapeString(err.Error()) + "</p>")
	}
	return template.HTML(buf.String())
}
