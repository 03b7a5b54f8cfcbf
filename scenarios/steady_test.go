package scenarios_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/local"
)

// guarded is a circuit-breaker scenario of 12s with payments 400ms slower
// from 3s to 9s, and the lines given appended (an SLO, steady_state).
func guarded(t *testing.T, variant, extra string) *scenarios.Scenario {
	t.Helper()
	src := `name: guarded
pattern: circuit-breaker
seed: 1
window: 500ms
variants:
  - ` + variant + `
load:
  rate: 20/s
  duration: 12s
  timeout: 1s
  targets:
    - {name: checkout, method: POST, path: /checkout, body: '{"cart":"c-1"}'}
faults:
  - {name: payments-slow, kind: latency, target: shop->payments, at: 3s, duration: 6s, latency: 400ms}
` + extra
	s, err := scenarios.Parse("guarded.yaml", []byte(src), catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runGuarded runs s on the local testbed and returns the run and its error.
func runGuarded(t *testing.T, s *scenarios.Scenario) (*model.Run, *scenarios.StopError) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := scenarios.Run(ctx, s, scenarios.Options{Testbed: local.New(), Dir: t.TempDir()})
	var stop *scenarios.StopError
	if !errors.As(err, &stop) {
		t.Fatalf("Run = %v, want a *StopError", err)
	}
	if run == nil || len(run.Variants) != 1 || !run.Partial || !run.Variants[0].Partial {
		t.Fatalf("run %+v: want one variant, kept and marked partial", run)
	}
	return run, stop
}

// lastWindow is where the variant's results end.
func lastWindow(v *model.Variant) time.Duration {
	var last time.Duration
	for _, w := range v.Windows {
		last = max(last, w.Start)
	}
	return last
}

// TestNotSteadyInjectsNothing requires a steady state no system has (half
// the answers degraded before any fault): the run stops when the first
// fault is due, without injecting it, and keeps what it measured. Seen: the
// results end at ~3.5s of 12s.
func TestNotSteadyInjectsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~4s")
	}
	s := guarded(t, "name: breaker", `steady_state: true
slo:
  - {name: half degraded, metric: degraded, phase: before, min: 50%}
`)
	run, stop := runGuarded(t, s)
	v := run.Variants[0]
	if !stop.NotSteady || !strings.Contains(run.Reason, "system not steady") || !strings.Contains(v.Error, `SLO "half degraded"`) {
		t.Errorf("reason %q, variant error %q, want system not steady naming the SLO", run.Reason, v.Error)
	}
	if f := v.Faults[0]; f.Applied != 0 {
		t.Errorf("fault %s applied at %v, want never", f.Name, f.Applied)
	}
	if len(v.Windows) == 0 || lastWindow(v) >= 6*time.Second {
		t.Errorf("results end at %v (%d windows), want some, ending well before the planned 12s", lastWindow(v), len(v.Windows))
	}
}

// TestAbortAfterASustainedBreach lets the baseline wait for the slow
// payments, under a p99 SLO that aborts after 1.5s of breach: the
// run stops, the fault is reverted, and the results end early. Seen: the
// abort at ~6s of 12s (3s + 1.5s + the windows' 1s lateness).
func TestAbortAfterASustainedBreach(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~6s")
	}
	s := guarded(t, "{name: no-breaker, baseline: true}", `slo:
  - {name: checkouts stay fast, metric: p99, phase: during, max: 200ms, abort_after: 1500ms}
`)
	run, stop := runGuarded(t, s)
	v := run.Variants[0]
	if stop.NotSteady || !strings.Contains(run.Reason, `aborted: SLO "checkouts stay fast" breached for 1.5s`) {
		t.Errorf("reason %q, want the abort naming the SLO", run.Reason)
	}
	if f := v.Faults[0]; f.Applied == 0 || f.Reverted == 0 || f.Reverted >= 9*time.Second {
		t.Errorf("fault applied at %v, reverted at %v: want applied, and reverted before its planned end (9s)", f.Applied, f.Reverted)
	}
	if last := lastWindow(v); last >= 9*time.Second {
		t.Errorf("results end at %v, want before the fault's planned end (9s)", last)
	}
}
