package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"

	"github.com/faultline/faultline/reports/model"
)

// IndexFile is the suite index a run of several scenarios writes beside
// their report directories.
const IndexFile = "index.html"

// IndexEntry is one scenario of a suite: its run and its report directory.
type IndexEntry struct {
	Dir string // the run's report directory
	Run *model.Run
}

var indexTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline suite</title>
<style>
body { font-family: system-ui, "Liberation Sans", Arial, sans-serif; margin: 0 auto; max-width: 1120px; padding: 1em 1.5em 3em; color: #1d1d1f; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #d6d6d6; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f5; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.pass { color: #17712a; font-weight: 600; }
.fail { color: #b3141b; font-weight: 600; }
.meta { color: #555; font-size: .92em; }
</style>
</head>
<body>
<h1>faultline suite: <span class="{{if .OK}}pass{{else}}fail{{end}}">{{if .OK}}PASS{{else}}FAIL{{end}}</span></h1>
<p class="meta">{{len .Rows}} scenarios. Key numbers are over all faults together (during = while any fault was in force), per variant.</p>
<table>
<tr><th>scenario</th><th>verdict</th><th>variant</th><th>SLOs met</th><th>success during</th><th>p99 during</th><th>time to recover</th></tr>
{{range .Rows}}{{$r := .}}{{range $i, $v := .Variants}}<tr>{{if eq $i 0}}<td rowspan="{{len $r.Variants}}"><a href="{{$r.Link}}"><b>{{$r.Name}}</b></a><br><span class="meta">{{$r.Pattern}}</span></td><td rowspan="{{len $r.Variants}}" class="{{$r.Class}}">{{$r.Verdict}}</td>{{end}}<td>{{$v.Name}}</td><td class="num">{{$v.SLOs}}</td><td class="num">{{$v.Success}}</td><td class="num">{{$v.P99}}</td><td class="num">{{$v.Recover}}</td></tr>
{{end}}{{end}}</table>
</body>
</html>
`))

type indexRow struct {
	Name, Pattern, Link, Verdict, Class string
	Variants                            []indexVariant
}

type indexVariant struct{ Name, SLOs, Success, P99, Recover string }

// WriteIndex writes index.html into dir: each entry's verdict, key
// numbers and a link to its report (relative to dir).
func WriteIndex(dir string, entries []IndexEntry) error {
	page := struct {
		OK   bool
		Rows []indexRow
	}{OK: true}
	for _, e := range entries {
		row := indexRow{Name: e.Run.Scenario, Pattern: e.Run.Pattern, Verdict: "PASS", Class: "pass"}
		if link, err := filepath.Rel(dir, filepath.Join(e.Dir, HTMLFile)); err == nil {
			row.Link = filepath.ToSlash(link)
		}
		if !model.Verdict(e.Run) {
			row.Verdict, row.Class, page.OK = "FAIL", "fail", false
		}
		if e.Run.PartialReason() != "" {
			row.Verdict = "PARTIAL"
		}
		for _, v := range e.Run.Variants {
			if v != nil {
				row.Variants = append(row.Variants, indexNumbers(e.Run, v))
			}
		}
		page.Rows = append(page.Rows, row)
	}
	var buf bytes.Buffer
	if err := indexTmpl.Execute(&buf, page); err != nil {
		return fmt.Errorf("render %s: %w", IndexFile, err)
	}
	return writeFile(dir, IndexFile, buf.Bytes())
}

// indexNumbers are a variant's key numbers in the index.
func indexNumbers(r *model.Run, v *model.Variant) indexVariant {
	row := model.SweepRow(v, r.Window)
	iv := indexVariant{Name: v.Name, SLOs: fmt.Sprintf("%d/%d", row.SLOsMet, row.SLOs), Success: "n/a", P99: "n/a", Recover: "never"}
	if v.ExpectViolation {
		iv.SLOs += " (expected to violate)"
	}
	if row.Success != nil {
		iv.Success = formatPercent(*row.Success)
	}
	if row.P99 != nil {
		iv.P99 = formatDuration(*row.P99)
	}
	if row.Recover != nil {
		iv.Recover = formatDuration(*row.Recover)
	}
	return iv
}
