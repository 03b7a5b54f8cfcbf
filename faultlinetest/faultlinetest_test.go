package faultlinetest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/faultlinetest"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

// only keeps the scenario's variants called names, so a test runs less.
func only(names ...string) faultlinetest.Option {
	return faultlinetest.Edit(func(s *scenarios.Scenario) {
		s.Variants = slices.DeleteFunc(s.Variants, func(v scenarios.Variant) bool { return !slices.Contains(names, v.Name) })
	})
}

// TestRunPassesOnAScaledScenario gates the built-in ambassador scenario at
// half its length (10s, the budgeted variant only) and asserts one more
// number on the run it returns. Seen: success while the remote is slow
// 1.0, the run ~11s on the loaded 2-core machine.
func TestRunPassesOnAScaledScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~10s")
	}
	run := faultlinetest.Run(t, "ambassador", faultlinetest.Scale(0.5), only("budgeted"))
	v := faultlinetest.Variant(t, run, "budgeted")
	if !strings.HasPrefix(v.ToxiproxyAPI, "http://127.0.0.1:") {
		t.Errorf("the run recorded Toxiproxy API %q, want http://127.0.0.1:PORT", v.ToxiproxyAPI)
	}
	got, ok := v.Measure(model.Query{Metric: "success", Phase: "during", Fault: "remote-slow"})
	if !ok || got < 0.9 {
		t.Errorf("budgeted: success while the remote is slow = %.3f (ok=%v), want >= 0.9", got, ok)
	}
}

// recorder is a testing.TB that records failures instead of failing: the
// real test underneath supplies TempDir, Context and Cleanup.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any)  { r.fatal = true; r.Errorf(format, a...) }
func (r *recorder) Logf(format string, args ...any) { r.TB.Logf(format, args...) }

// TestRunFailsWithTheSLOTable adds an SLO no run can meet (p99 under 1ms
// over the whole run) and checks that Run fails the test with the SLO
// table, and still returns the run.
func TestRunFailsWithTheSLOTable(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~5s")
	}
	impossible := faultlinetest.Edit(func(s *scenarios.Scenario) {
		s.SLOs = append(s.SLOs, scenarios.SLO{
			Name: "answers impossibly fast", Metric: "p99",
			Max: &scenarios.Threshold{Value: 0.001, Text: "1ms"},
		})
	})
	rec := &recorder{TB: t}
	run := faultlinetest.Run(rec, "ambassador", faultlinetest.Scale(0.25), only("budgeted"), impossible)
	if run == nil || rec.fatal {
		t.Fatalf("Run stopped the test (%q), want it failed with the run returned", rec.errors)
	}
	if len(rec.errors) != 1 {
		t.Fatalf("Run reported %d errors, want 1: %q", len(rec.errors), rec.errors)
	}
	msg := rec.errors[0]
	t.Logf("the failure message:\n%s", msg)
	for _, want := range []string{
		"scenario ambassador did not pass",
		"variant   SLO", // the table's header
		"answers impossibly fast",
		"<= 1ms",
		"FAIL",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure message lacks %q", want)
		}
	}
}

func TestRunStopsOnAnUnknownScenario(t *testing.T) {
	rec := &recorder{TB: t}
	if run := faultlinetest.Run(rec, "no-such-scenario"); run != nil || !rec.fatal {
		t.Errorf("Run of an unknown scenario: run %v, fatal %v, want nil and a stopped test", run, rec.fatal)
	}
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "no built-in scenario") {
		t.Errorf("errors %q, want one naming the missing scenario", rec.errors)
	}
}
