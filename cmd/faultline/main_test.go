package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestExitCodes checks the codes a CI job gates on, for the cases that need
// no load.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\npattern: circuit-breaker\nload:\n  rate: 0/s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"list", []string{"list"}, exitOK},
		{"validate built-in", []string{"validate", "../../scenarios/circuit-breaker.yaml"}, exitOK},
		{"validate invalid file", []string{"validate", bad}, exitUsage},
		{"validate missing file", []string{"validate", filepath.Join(dir, "nope.yaml")}, exitUsage},
		{"run invalid file", []string{"run", bad, "--out", dir}, exitUsage},
		{"run unknown scenario", []string{"run", "no-such-scenario", "--out", dir}, exitUsage},
		{"run bad scale", []string{"run", "circuit-breaker", "--scale", "-1"}, exitUsage},
		{"unknown flag", []string{"run", "--bogus"}, exitUsage},
		{"report without run", []string{"report", dir}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(context.Background(), tt.args); got != tt.want {
				t.Errorf("faultline %s = exit %d, want %d", strings.Join(tt.args, " "), got, tt.want)
			}
		})
	}
}

// TestInterruptFlushesPartialReport sends SIGINT to a real faultline run
// mid-scenario: it must exit 130, revert its faults and leave a report
// marked partial.
func TestInterruptFlushesPartialReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a scenario for a few seconds")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "faultline")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "run", "circuit-breaker", "--out", out)
	// The payments-slow fault is active from 10s to 25s into the load:
	// interrupt once a progress line (one every 5s) shows it active,
	// however long the deploy took.
	stderr := &watch{want: "payments-slow", seen: make(chan struct{})}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stderr.seen:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("no progress line showed payments-slow active within a minute:\n%s", stderr)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d\n%s", code, err, exitInterrupted, stderr)
	}
	runs, _ := filepath.Glob(filepath.Join(out, "circuit-breaker-*", "summary.json"))
	if len(runs) != 1 {
		t.Fatalf("want one summary.json, found %v", runs)
	}
	raw, err := os.ReadFile(runs[0])
	if err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Partial  bool   `json:"partial"`
		Reason   string `json:"reason"`
		Variants []struct {
			Windows []json.RawMessage `json:"windows"`
			Faults  []struct {
				Name     string `json:"name"`
				Applied  int64  `json:"applied"`
				Reverted int64  `json:"reverted"`
			} `json:"faults"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(raw, &summary); err != nil {
		t.Fatal(err)
	}
	if !summary.Partial || !strings.Contains(summary.Reason, "interrupted") {
		t.Errorf("partial=%v reason=%q, want a partial run marked interrupted", summary.Partial, summary.Reason)
	}
	if len(summary.Variants) != 1 || len(summary.Variants[0].Windows) < 5 {
		t.Fatalf("want the first variant's windows flushed, got %+v", summary.Variants)
	}
	slow := summary.Variants[0].Faults[0]
	if slow.Applied == 0 || slow.Reverted == 0 {
		t.Errorf("fault %s applied at %d, reverted at %d: want applied and reverted on interrupt", slow.Name, slow.Applied, slow.Reverted)
	}
	for _, f := range []string{"report.html", "junit.xml", "results-no-breaker.bin"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(runs[0]), f)); err != nil {
			t.Errorf("partial run lacks %s: %v", f, err)
		}
	}
}

// watch keeps what a process writes and closes seen once it has written
// want.
type watch struct {
	want string
	seen chan struct{}

	mu     sync.Mutex
	out    strings.Builder
	closed bool
}

func (w *watch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out.Write(p)
	if !w.closed && strings.Contains(w.out.String(), w.want) {
		w.closed = true
		close(w.seen)
	}
	return len(p), nil
}

func (w *watch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}
