package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
)

// storedRun stores the reports package's sample run, changed by edit
// first, in a new directory: its summary.json and summary.md (what compare
// and the step summary read; the plots would only slow the test down).
func storedRun(t *testing.T, edit func(r *model.Run)) string {
	t.Helper()
	r, err := reports.LoadFile("../../reports/testdata/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	edit(r)
	model.Summarize(r)
	dir := t.TempDir()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := reports.WriteSummaryMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, reports.SummaryFile), js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, reports.SummaryMarkdown), md.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCompareExitCodes(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	base := storedRun(t, func(*model.Run) {})
	same := storedRun(t, func(*model.Run) {})
	worse := storedRun(t, func(r *model.Run) {
		for i := range r.Variants[0].Windows {
			r.Variants[0].Windows[i].Success /= 2
		}
	})
	other := storedRun(t, func(r *model.Run) { r.Scenario = "another" })
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"same", []string{"compare", base, same}, exitOK},
		{"summary.json files", []string{"compare", filepath.Join(base, "summary.json"), filepath.Join(same, "summary.json")}, exitOK},
		{"worse", []string{"compare", base, worse}, exitSLOFailed},
		{"better", []string{"compare", worse, base}, exitOK},
		{"different scenarios", []string{"compare", base, other}, exitUsage},
		{"missing", []string{"compare", base, filepath.Join(base, "nope")}, exitUsage},
		{"one argument", []string{"compare", base}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(context.Background(), append(tt.args, "--out", t.TempDir())); got != tt.want {
				t.Errorf("faultline %s = exit %d, want %d", strings.Join(tt.args, " "), got, tt.want)
			}
		})
	}
}

func TestCompareWritesPage(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	base := storedRun(t, func(*model.Run) {})
	out := t.TempDir()
	if got := run(context.Background(), []string{"compare", base, base, "--out", out}); got != exitOK {
		t.Fatalf("exit %d", got)
	}
	page, err := os.ReadFile(filepath.Join(out, reports.CompareFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"against baseline", "data:image/png;base64,", "<td class=\"same\">same</td>"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("compare.html lacks %q", want)
		}
	}
}

func TestStepSummaryAppends(t *testing.T) {
	dir := storedRun(t, func(*model.Run) {})
	sum := filepath.Join(t.TempDir(), "step.md")
	if err := os.WriteFile(sum, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", sum)
	if err := appendStepSummary(dir); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(sum)
	if !strings.HasPrefix(string(got), "earlier step\n## breaker-vs-slow-dependency: ") || !strings.Contains(string(got), "### Headline numbers") {
		t.Errorf("step summary:\n%s", got)
	}
}
