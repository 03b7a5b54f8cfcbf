package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/faultline/faultline/reports/model"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (s *junitSuite) add(c junitCase) {
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Time == "" {
		c.Time = "0"
	}
	s.Cases = append(s.Cases, c)
}

// WriteJUnit writes the run as JUnit XML: one testsuite per variant with a
// testcase per SLO, and a "run" testsuite whose "run completed" testcase
// fails when the run is partial.
func WriteJUnit(w io.Writer, r *model.Run) error {
	out := junitSuites{Name: "faultline " + r.Scenario}
	run := junitSuite{Name: r.Scenario + ": run", Time: "0"}
	run.Properties = &junitProperties{Property: []junitProperty{
		{"scenario", r.Scenario},
		{"pattern", r.Pattern},
		{"testbed", r.Testbed},
		{"seed", strconv.FormatInt(r.Seed, 10)},
	}}
	completed := junitCase{Name: "run completed", Classname: junitClass(r.Scenario)}
	if reason := r.PartialReason(); reason != "" {
		completed.Failure = &junitFailure{Message: "run is partial: " + firstLine(reason), Type: "partial", Text: reason}
	}
	run.add(completed)
	out.Suites = append(out.Suites, run)
	for _, v := range r.Variants {
		if v != nil {
			out.Suites = append(out.Suites, variantSuite(r, v))
		}
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// junitClass names a testcase's class: "faultline.<scenario>.<variant>",
// without dots or spaces in the parts.
func junitClass(parts ...string) string {
	for i, p := range parts {
		parts[i] = strings.NewReplacer(".", "_", " ", "_").Replace(p)
	}
	return "faultline." + strings.Join(parts, ".")
}

// variantSuite is a variant's testsuite: a testcase per SLO, failing when
// the SLO is violated and gated, and for a baseline expected to violate
// one, a testcase that fails when it violates none.
func variantSuite(r *model.Run, v *model.Variant) junitSuite {
	s := junitSuite{
		Name: r.Scenario + ": " + v.Name,
		Time: strconv.FormatFloat(model.NewView(v, r.Window).End().Seconds(), 'f', 3, 64),
	}
	class := junitClass(r.Scenario, v.Name)
	for _, slo := range v.SLOs {
		c := junitCase{Name: v.Name + ": " + sloName(slo), Classname: class}
		msg := fmt.Sprintf("actual %s, want %s", sloGot(slo), sloWant(slo))
		if slo.Missing {
			msg = fmt.Sprintf("actual n/a (no data: %s), want %s", missingWhy(slo), sloWant(slo))
		}
		detail := fmt.Sprintf("%s over %s: %s", slo.Metric, sloScope(slo), msg)
		switch {
		case slo.Pass:
			c.SystemOut = "met: " + detail
		case v.ReportOnly:
			c.SystemOut = "violated (a sweep configuration: ranked, not gated): " + detail
		case v.ExpectViolation:
			c.SystemOut = "violated (expected for this baseline): " + detail
		default:
			c.Failure = &junitFailure{Message: msg, Type: "slo", Text: detail}
		}
		s.add(c)
	}
	if v.ExpectViolation {
		c := junitCase{Name: v.Name + ": violates at least one SLO (baseline contrast)", Classname: class}
		if n := len(v.Violations()); n == 0 {
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("met all %d SLOs; this baseline is expected to violate at least one", len(v.SLOs)),
				Type:    "expectation",
			}
		} else {
			c.SystemOut = fmt.Sprintf("violated %d of %d SLOs, as expected", n, len(v.SLOs))
		}
		s.add(c)
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func missingWhy(s model.SLOResult) string {
	switch s.Metric {
	case "time_to_fail_fast":
		return "p99 never came back under the bound during the fault"
	case "time_to_recover":
		return "never recovered to the healthy levels before the first fault"
	case "amplification":
		return "no downstream counter or no requests"
	}
	return "no requests in scope"
}
