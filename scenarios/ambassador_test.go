package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/local"
)

// TestAmbassadorBudgetPreventsMetastableFailure runs the built-in ambassador
// scenario shortened to 50% (10s per variant, one after the other) and asserts
// what it exists to show: naive retries with a fixed attempt timeout shorter
// than the remote's slowdown fail every call during it and keep the remote
// overloaded after it, while the budgeted ambassador, whose attempts follow
// the call's deadline, answers through the slowdown as the direct call does.
//
// Values seen at full length (load average 12-15 on the 2-core machine):
// naive amplification during ~2.0, after ~2.9, success during and after 0;
// budgeted success during the slowdown 1.0 (p99 ~490ms), amplification
// during and after ~1.0, success while flaky 1.0; direct success while
// flaky ~0.91. The margins below leave room for a loaded CI box.
func TestAmbassadorBudgetPreventsMetastableFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~35s")
	}
	s, err := scenarios.Resolve("ambassador", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	// In turn, not at once: the naive variant's retry storm would starve
	// the other two of CPU on 2 cores.
	checkAmbassadorRecovers(t, runVariantsInTurn(t, local.New(), s, 0.5))
}

// checkAmbassadorRecovers asserts what the ambassador scenario exists to
// show, on whichever testbed ran it.
func checkAmbassadorRecovers(t *testing.T, got map[string]*model.Variant) {
	t.Helper()
	direct, naive, budgeted := got["direct"], got["naive-retries"], got["budgeted"]

	// After the slowdown: naive retries sustain the overload, the budget
	// and breaker do not.
	ampAfter := model.Query{Metric: "amplification", Phase: "after", Fault: "remote-slow"}
	okAfter := model.Query{Metric: "success", Phase: "after", Fault: "remote-slow"}
	if v, ok := measure(t, naive, ampAfter); !ok || v < 1.5 {
		t.Errorf("naive-retries: amplification after the slowdown = %.3f, want >= 1.5 (retries sustain the overload)", v)
	}
	if v, ok := measure(t, naive, okAfter); !ok || v > 0.3 {
		t.Errorf("naive-retries: success after the slowdown = %.3f, want <= 0.3 (it does not recover)", v)
	}
	if v, ok := measure(t, budgeted, ampAfter); !ok || v > 1.3 {
		t.Errorf("budgeted: amplification after the slowdown = %.3f, want <= 1.3", v)
	}
	if v, ok := measure(t, budgeted, okAfter); !ok || v < 0.85 {
		t.Errorf("budgeted: success after the slowdown = %.3f, want >= 0.85 (it recovers)", v)
	}

	// During the slowdown, naive retries multiply the remote's load and
	// fail; the budgeted ambassador waits for the slow answers, as the
	// direct call does, and adds no load.
	ampDuring := model.Query{Metric: "amplification", Phase: "during", Fault: "remote-slow"}
	if v, ok := measure(t, naive, ampDuring); !ok || v < 1.2 {
		t.Errorf("naive-retries: amplification during the slowdown = %.3f, want >= 1.2", v)
	}
	if v, ok := measure(t, budgeted, ampDuring); !ok || v > 1.3 {
		t.Errorf("budgeted: amplification during the slowdown = %.3f, want <= 1.3", v)
	}
	slow := model.Query{Metric: "success", Phase: "during", Fault: "remote-slow"}
	if v, ok := measure(t, budgeted, slow); !ok || v < 0.95 {
		t.Errorf("budgeted: success while the remote is slow = %.3f, want >= 0.95 (it waits, as a direct call does)", v)
	}

	// While the remote is flaky, retries hide its failures; a direct call
	// passes them on (~12% errors).
	flaky := model.Query{Metric: "success", Phase: "during", Fault: "remote-errors"}
	if v, ok := measure(t, direct, flaky); !ok || v > 0.95 {
		t.Errorf("direct: success while the remote is flaky = %.3f, want <= 0.95", v)
	}
	if v, ok := measure(t, budgeted, flaky); !ok || v < 0.95 {
		t.Errorf("budgeted: success while the remote is flaky = %.3f, want >= 0.95", v)
	}
}
