package scenarios_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/local"
)

// runVariantsConcurrently runs each variant of s as its own one-variant
// scenario, all at once, each on its own topology: the run takes as long as
// one variant instead of their sum.
func runVariantsConcurrently(t *testing.T, s *scenarios.Scenario, scale float64) map[string]*model.Variant {
	t.Helper()
	return runVariantsOn(t, local.New(), s, scale)
}

// runVariantsOn is runVariantsConcurrently on the testbed tb.
func runVariantsOn(t *testing.T, tb testbeds.Testbed, s *scenarios.Scenario, scale float64) map[string]*model.Variant {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = map[string]*model.Variant{}
	)
	for _, v := range s.Variants {
		one := *s
		one.Variants = []scenarios.Variant{v}
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := scenarios.Run(ctx, &one, scenarios.Options{
				Testbed: tb,
				Dir:     t.TempDir(),
				Scale:   scale,
			})
			if err != nil {
				t.Errorf("variant %s: %v", v.Name, err)
				return
			}
			if run.Partial {
				t.Errorf("variant %s: partial run: %s", v.Name, run.Reason)
				return
			}
			if run.Testbed != tb.Name() {
				t.Errorf("variant %s: the report names testbed %q, want %q", v.Name, run.Testbed, tb.Name())
			}
			for _, tm := range run.Timings {
				t.Logf("%s: %-22s %s", tm.Variant, tm.Name, tm.Duration.Round(time.Millisecond))
			}
			mu.Lock()
			out[v.Name] = run.Variants[0]
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// runVariantsInTurn runs s as written, one variant after the other, on tb:
// slower than runVariantsOn, but no variant competes with another for the
// cores (a retry storm in one would starve the others).
func runVariantsInTurn(t *testing.T, tb testbeds.Testbed, s *scenarios.Scenario, scale float64) map[string]*model.Variant {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run, err := scenarios.Run(ctx, s, scenarios.Options{Testbed: tb, Dir: t.TempDir(), Scale: scale})
	if err != nil {
		t.Fatal(err)
	}
	if run.Partial || run.Testbed != tb.Name() {
		t.Fatalf("partial=%v (%s), testbed %q, want a complete run on %q", run.Partial, run.Reason, run.Testbed, tb.Name())
	}
	out := map[string]*model.Variant{}
	for _, v := range run.Variants {
		out[v.Name] = v
	}
	return out
}

func measure(t *testing.T, v *model.Variant, q model.Query) (float64, bool) {
	t.Helper()
	got, ok := v.Measure(q)
	t.Logf("%-10s %-17s %-6s %-16s %-10s = %.3f (ok=%v)", v.Name, q.Metric, q.Phase, q.Fault, q.Route, got, ok)
	return got, ok
}

// TestCircuitBreakerContainsTheCascade runs the built-in circuit-breaker
// scenario shortened to 60% (15s, both variants at once) and asserts what
// the scenario exists to show. Margins are wide: the breaker keeps ~100%
// success while payments is slow, the baseline ~40%.
func TestCircuitBreakerContainsTheCascade(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~17s")
	}
	s, err := scenarios.Resolve("circuit-breaker", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkBreakerContains(t, runVariantsConcurrently(t, s, 0.6))
}

// checkBreakerContains asserts what the circuit-breaker scenario exists to
// show, on the variants of a run shortened to 30%.
func checkBreakerContains(t *testing.T, got map[string]*model.Variant) {
	t.Helper()
	breaker, baseline := got["breaker"], got["no-breaker"]

	// While payments is slow, the breaker fails fast to the fallback and
	// keeps checkout available; without it the shop's workers fill up and
	// clients get 503s.
	slow := model.Query{Metric: "success", Phase: "during", Fault: "payments-slow"}
	if v, ok := measure(t, breaker, slow); !ok || v < 0.95 {
		t.Errorf("breaker: success while payments is slow = %.3f, want >= 0.95", v)
	}
	if v, ok := measure(t, baseline, slow); !ok || v > 0.75 {
		t.Errorf("no-breaker: success while payments is slow = %.3f, want <= 0.75 (the cascade)", v)
	}

	// The breaker starts failing fast soon after the fault; the baseline
	// never does while payments is slow.
	ff := model.Query{Metric: "time_to_fail_fast", Fault: "payments-slow"}
	if v, ok := measure(t, breaker, ff); !ok || v > 3 {
		t.Errorf("breaker: time to fail fast = %.3fs (found=%v), want <= 3s", v, ok)
	}
	if v, ok := measure(t, baseline, ff); ok {
		t.Errorf("no-breaker: failed fast after %.3fs, want never", v)
	}

	// While payments fails, the breaker shields it; the baseline sends it
	// every request.
	amp := model.Query{Metric: "amplification", Phase: "during", Fault: "payments-failing"}
	if v, ok := measure(t, breaker, amp); !ok || v > 0.3 {
		t.Errorf("breaker: amplification while payments fails = %.3f, want <= 0.3", v)
	}
	if v, ok := measure(t, baseline, amp); !ok || v < 0.8 {
		t.Errorf("no-breaker: amplification while payments fails = %.3f, want >= 0.8", v)
	}

	// Both are healthy before the faults and after them.
	for _, v := range []*model.Variant{breaker, baseline} {
		for _, phase := range []string{"before", "after"} {
			q := model.Query{Metric: "success", Phase: phase}
			if got, ok := measure(t, v, q); !ok || got < 0.97 {
				t.Errorf("%s: success %s the faults = %.3f, want >= 0.97", v.Name, phase, got)
			}
		}
	}
}
