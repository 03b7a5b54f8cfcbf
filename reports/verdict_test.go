package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func slo(name string, pass bool) SLOResult {
	return SLOResult{Name: name, Metric: "success", Op: ">=", Threshold: 0.95, Actual: 0.9, Unit: string(Ratio), Pass: pass}
}

func TestVerdict(t *testing.T) {
	pass, fail := slo("a", true), slo("b", false)
	tests := []struct {
		name string
		run  Run
		want bool
	}{
		{"all pass", Run{Variants: []*Variant{{Name: "x", SLOs: []SLOResult{pass, pass}}}}, true},
		{"no SLOs", Run{Variants: []*Variant{{Name: "x"}}}, true},
		{"one violation", Run{Variants: []*Variant{{Name: "x", SLOs: []SLOResult{pass, fail}}}}, false},
		{"baseline violates as expected", Run{Variants: []*Variant{
			{Name: "x", SLOs: []SLOResult{pass}},
			{Name: "naive", ExpectViolation: true, SLOs: []SLOResult{pass, fail}},
		}}, true},
		{"baseline violates nothing", Run{Variants: []*Variant{
			{Name: "x", SLOs: []SLOResult{pass}},
			{Name: "naive", ExpectViolation: true, SLOs: []SLOResult{pass}},
		}}, false},
		{"baseline without SLOs", Run{Variants: []*Variant{{Name: "naive", ExpectViolation: true}}}, false},
		{"partial run", Run{Partial: true, Variants: []*Variant{{Name: "x", SLOs: []SLOResult{pass}}}}, false},
		{"partial variant", Run{Variants: []*Variant{{Name: "x", Partial: true, SLOs: []SLOResult{pass}}}}, false},
		{"variant error", Run{Variants: []*Variant{{Name: "x", Error: "boom", SLOs: []SLOResult{pass}}}}, false},
		{"missing metric fails", Run{Variants: []*Variant{{Name: "x", SLOs: []SLOResult{{Name: "m", Missing: true}}}}}, false},
	}
	for _, tt := range tests {
		if got := Verdict(&tt.run); got != tt.want {
			t.Errorf("%s: Verdict = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestJUnit(t *testing.T) {
	run := &Run{Scenario: "sc", Variants: []*Variant{
		{Name: "good", SLOs: []SLOResult{slo("avail", true), slo("latency", false)}},
		{Name: "naive", ExpectViolation: true, SLOs: []SLOResult{slo("avail", false), slo("latency", true)}},
		{Name: "tame", ExpectViolation: true, SLOs: []SLOResult{slo("avail", true)}},
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

func TestFormatValue(t *testing.T) {
	tests := []struct {
		x    float64
		u    Unit
		want string
	}{
		{0.95, Ratio, "95%"},
		{0.9975, Ratio, "99.75%"},
		{0.123, Ratio, "12.3%"},
		{0.3, Seconds, "300ms"},
		{0.0004567, Seconds, "0.457ms"},
		{2.345, Seconds, "2.35s"},
		{0, Seconds, "0s"},
		{123.456, PerSecond, "123/s"},
		{1.5, Factor, "1.5"},
		{0.0791, Factor, "0.0791"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.x, tt.u); got != tt.want {
			t.Errorf("formatValue(%v, %s) = %q, want %q", tt.x, tt.u, got, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	tests := []struct {
		s    SLOResult
		want string
	}{
		{SLOResult{Metric: "success"}, "all routes, overall"},
		{SLOResult{Metric: "success", Route: "GET /x", Phase: "during"}, "route GET /x, during faults"},
		{SLOResult{Metric: "p99", Phase: "after", Fault: "f"}, "all routes, after fault f"},
		{SLOResult{Metric: "time_to_recover", Fault: "f"}, "all routes, fault f"},
		{SLOResult{Metric: "time_to_recover"}, "all routes"},
	}
	for _, tt := range tests {
		if got := tt.s.Scope(); got != tt.want {
			t.Errorf("Scope(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
