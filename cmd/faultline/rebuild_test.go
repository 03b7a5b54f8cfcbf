package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestReportRebuildsKilledRun pins that `faultline report` on the
// directory of a killed run (raw results cut mid-record, no summary.json)
// writes a partial report from the raw results instead of failing.
func TestReportRebuildsKilledRun(t *testing.T) {
	dir := t.TempDir()
	var raw bytes.Buffer
	enc := vegeta.NewEncoder(&raw)
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := range 300 { // 3 s at 100/s
		r := &vegeta.Result{Method: "POST", URL: "http://127.0.0.1:1/checkout", Code: 200,
			Timestamp: start.Add(time.Duration(i) * 10 * time.Millisecond), Latency: 5 * time.Millisecond}
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	cut := raw.Bytes()[:raw.Len()-7] // killed mid-record
	if err := os.WriteFile(filepath.Join(dir, "results-breaker.bin"), cut, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := runIO(context.Background(), []string{"report", dir}, &stdout, &stderr)
	if code != exitRunFailed {
		t.Errorf("exit %d, want %d (partial)\n%s%s", code, exitRunFailed, &stdout, &stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Fatalf("no report.html: %v\n%s", err, &stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Partial  bool `json:"partial"`
		Variants []struct {
			Name    string `json:"name"`
			Windows []struct {
				Route string `json:"route"`
				Count int64  `json:"count"`
			} `json:"windows"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, w := range sum.Variants[0].Windows {
		n += w.Count
	}
	if !sum.Partial || sum.Variants[0].Name != "breaker" || n != 299 {
		t.Errorf("partial=%v variant %q counted %d results, want partial, breaker, 299 (the whole records)", sum.Partial, sum.Variants[0].Name, n)
	}
}
