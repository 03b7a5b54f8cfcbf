package reports_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
)

func TestWriteIndex(t *testing.T) {
	out := t.TempDir()
	pass, err := reports.LoadFile("testdata/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	model.Summarize(pass)
	fail, _ := reports.LoadFile("testdata/summary.json")
	fail.Scenario = "broken"
	fail.Partial, fail.Reason = true, "interrupted"
	model.Summarize(fail)
	entries := []reports.IndexEntry{
		{Dir: filepath.Join(out, "a-run"), Run: pass},
		{Dir: filepath.Join(out, "b-run"), Run: fail},
	}
	if err := reports.WriteIndex(out, entries); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, reports.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`<a href="a-run/report.html"><b>breaker-vs-slow-dependency</b></a>`,
		`<a href="b-run/report.html"><b>broken</b></a>`,
		`class="fail">PARTIAL</td>`,
		`faultline suite: <span class="fail">FAIL</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
}
