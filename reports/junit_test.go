package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestJUnit(t *testing.T) {
	run := &model.Run{Scenario: "sc", Variants: []*model.Variant{
		{Name: "good", SLOs: []model.SLOResult{modeltest.SLO("avail", true), modeltest.SLO("latency", false)}},
		{Name: "naive", ExpectViolation: true, SLOs: []model.SLOResult{modeltest.SLO("avail", false), modeltest.SLO("latency", true)}},
		{Name: "tame", ExpectViolation: true, SLOs: []model.SLOResult{modeltest.SLO("avail", true)}},
	}}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Out string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, buf.String())
	}
	type result struct {
		failed bool
		text   string // failure message or system-out
	}
	got := map[string]result{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			r := result{failed: c.Failure != nil, text: c.Out}
			if c.Failure != nil {
				r.text = c.Failure.Message
			}
			got[c.Name] = r
		}
	}
	want := map[string]result{
		"run completed":  {false, ""},
		"good: avail":    {false, "met: "},
		"good: latency":  {true, "actual 90%, want >= 95%"},
		"naive: avail":   {false, "violated (expected for this baseline)"},
		"naive: latency": {false, "met: "},
		"naive: violates at least one SLO (baseline contrast)": {false, "violated 1 of 2 SLOs"},
		"tame: avail": {false, "met: "},
		"tame: violates at least one SLO (baseline contrast)": {true, "met all 1 SLOs"},
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("no testcase %q", name)
			continue
		}
		if g.failed != w.failed || !strings.HasPrefix(g.text, w.text) {
			t.Errorf("testcase %q: failed %v %q, want failed %v %q...", name, g.failed, g.text, w.failed, w.text)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d testcases, want %d", len(got), len(want))
	}
	if doc.Tests != len(want) || doc.Failures != 2 {
		t.Errorf("totals tests=%d failures=%d, want %d and 2", doc.Tests, doc.Failures, len(want))
	}
}
