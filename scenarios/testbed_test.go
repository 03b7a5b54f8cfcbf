package scenarios_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/local"
)

const partitioned = `name: partitioned
pattern: circuit-breaker
variants:
  - name: breaker
load:
  rate: 10/s
  duration: 10s
  targets:
    - path: /checkout
      method: POST
faults:
  - name: slow
    kind: latency
    target: shop->payments
    at: 1s
    duration: 2s
    latency: 100ms
  - name: cut-off
    kind: partition
    target: payments
    at: 4s
    duration: 2s
`

// TestCheckTestbed checks that a fault the testbed cannot inject is refused
// before anything runs, with a message naming the file, the fault, its kind
// and the testbed.
func TestCheckTestbed(t *testing.T) {
	s, err := scenarios.Parse("partitioned.yaml", []byte(partitioned), catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	err = scenarios.CheckTestbed(s, local.New())
	want := "partitioned.yaml: faults[1] (cut-off): kind partition cannot run on the local testbed: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "--testbed docker") {
		t.Fatalf("CheckTestbed = %v, want %q...", err, want)
	}
	dir := t.TempDir()
	run, err := scenarios.Run(t.Context(), s, scenarios.Options{Testbed: local.New(), Dir: dir})
	if run != nil || err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Run = %v, %v; want no run and the same error", run, err)
	}

	s.Faults = s.Faults[:1]
	if err := scenarios.CheckTestbed(s, local.New()); err != nil {
		t.Errorf("CheckTestbed without the partition = %v", err)
	}
}
