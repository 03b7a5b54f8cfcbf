package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const partitionScenario = `name: partitioned
pattern: circuit-breaker
variants:
  - name: breaker
load:
  rate: 10/s
  duration: 5s
  targets:
    - path: /checkout
      method: POST
faults:
  - name: cut-off
    kind: partition
    target: payments
    at: 1s
    duration: 2s
`

// TestTestbedChecks checks that a fault the testbed cannot inject is
// refused before anything runs, by run and by validate --testbed.
func TestTestbedChecks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "partitioned.yaml")
	if err := os.WriteFile(file, []byte(partitionScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"validate", file}, exitOK},
		{[]string{"validate", "--testbed", "docker", file}, exitOK},
		{[]string{"validate", "--testbed", "local", file}, exitUsage},
		{[]string{"validate", "--testbed", "vm", file}, exitUsage},
		{[]string{"run", file, "--out", out}, exitUsage},
		{[]string{"run", file, "--testbed", "vm", "--out", out}, exitUsage},
		{[]string{"serve-service", "--pattern", "nope", "--listen", "127.0.0.1:0"}, exitUsage},
	}
	for _, tt := range tests {
		if got := run(context.Background(), tt.args); got != tt.want {
			t.Errorf("faultline %s = exit %d, want %d", strings.Join(tt.args, " "), got, tt.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote %s (%v)", out, err)
	}
}
