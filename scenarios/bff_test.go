package scenarios_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/bff"
	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/local"
)

// TestBFFKeepsTroubleWithItsKind runs the built-in bff scenario shortened
// to half (11s a variant, one after the other: at once, each starves the
// other's small pools of CPU) and asserts what it exists to show:
// with BFFs, mobile stays available and fast while the web-only
// recommendations service is slow, web stays available and fast while
// mobile bursts, mobile gets a small answer for three downstream calls; the
// one general-purpose API lets each trouble reach both kinds. Margins are
// wide (CPU is shared). Seen on a 2-core machine loaded by others (load
// average 7 to 11; ~23s): with BFFs mobile's p99 while recommendations is
// slow 0.18s, web's success while mobile bursts 100% and its p99 0.35s,
// mobile's answer 265 B, amplification 0.22 (the burst is mobile's), calls per request web 4,
// mobile 3; with the one API mobile's p99 0.75s, web's success in the
// burst 0.77-0.93 (its 17 workers hold ~73% of the burst's 23 busy
// requests; since the burst is mobile's alone, ~25 web requests at half
// scale), mobile's answer 4.7 KB, calls per request 4 and 4. Under a
// load average of 20+ (stalls of seconds) even the healthy phases fail.
func TestBFFKeepsTroubleWithItsKind(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs a scenario for ~18s")
	}
	s, err := scenarios.Resolve("bff", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	s.Window = 500 * time.Millisecond
	checkBFFKeepsTroubleWithItsKind(t, runVariantsInTurn(t, local.New(), s, 0.5))
}

// checkBFFKeepsTroubleWithItsKind asserts what the bff scenario exists to
// show, on whichever testbed ran it.
func checkBFFKeepsTroubleWithItsKind(t *testing.T, got map[string]*model.Variant) {
	t.Helper()
	bffs, api := got["bffs"], got["one-api"]
	type bound struct {
		q        model.Query
		min, max float64
	}
	slow := func(metric, route string) model.Query {
		return model.Query{Metric: metric, Route: route, Phase: "during", Fault: "recommendations-slow"}
	}
	storm := func(metric, route string) model.Query {
		return model.Query{Metric: metric, Route: route, Phase: "during", Fault: "mobile-retry-storm"}
	}
	for _, c := range []struct {
		v      *model.Variant
		bounds []bound
	}{
		{bffs, []bound{
			{slow("success", "mobile"), 0.95, 1}, // mobile does not call recommendations
			{slow("p99", "mobile"), 0, 0.45},
			{slow("success", "web"), 0.9, 1},                           // degraded pages: without recommendations
			{storm("success", "web"), 0.95, 1},                         // the mobile BFF takes the burst alone
			{storm("p99", "web"), 0, 1.5},                              // its 600ms timeout and 250ms queue wait, and room for stalls
			{model.Query{Metric: "bytes", Route: "mobile"}, 100, 1000}, // a product card
			{model.Query{Metric: "amplification"}, 0, 0.5},             // recommendations for web only
		}},
		{api, []bound{
			{slow("p99", "mobile"), 0.55, 100}, // mobile waits the 600ms for recommendations too
			// Mobile's burst takes web's workers. At half scale the burst is
			// 2.5s, ~25 web requests: seen 0.77-0.93 (0.74 at full scale).
			{storm("success", "web"), 0, 0.97},
			{model.Query{Metric: "bytes", Route: "mobile"}, 3000, 1e9}, // the web's page
		}},
	} {
		for _, b := range c.bounds {
			if v, ok := measure(t, c.v, b.q); !ok || v < b.min || v > b.max {
				t.Errorf("%s: %s %s %s on %s = %.3f (measured: %v), want in [%g, %g]; errors over the run: %v",
					c.v.Name, b.q.Metric, b.q.Phase, b.q.Fault, b.q.Route, v, ok, b.min, b.max, routeErrors(c.v, b.q.Route))
			}
		}
		if v, ok := measure(t, c.v, model.Query{Metric: "success", Phase: "before"}); !ok || v < 0.9 {
			t.Errorf("%s: success before the faults = %.3f, want >= 0.9", c.v.Name, v)
		}
	}
	checkCallsPerRequest(t, bffs, map[string]float64{bff.Web: 4, bff.Mobile: 3})
	checkCallsPerRequest(t, api, map[string]float64{bff.Web: 4, bff.Mobile: 4})
}

// checkCallsPerRequest checks each client kind's downstream calls per
// request served, from the run's counters.
func checkCallsPerRequest(t *testing.T, v *model.Variant, want map[string]float64) {
	t.Helper()
	perKind := func(name string) map[string]float64 {
		_, parts, ok := v.Counter(name)
		if !ok {
			t.Fatalf("%s: no %s counter", v.Name, name)
		}
		out := map[string]float64{}
		for _, p := range parts {
			out[p.Labels["client"]] += p.Increase
		}
		return out
	}
	calls, requests := perKind(bff.CallsMetric), perKind(bff.RequestsMetric)
	for kind, w := range want {
		got := calls[kind] / requests[kind]
		t.Logf("%s: %s calls per request = %.2f (%g / %g)", v.Name, kind, got, calls[kind], requests[kind])
		if requests[kind] < 50 || got < w-0.05 || got > w+0.05 {
			t.Errorf("%s: %s downstream calls per request = %.2f over %g requests, want %g", v.Name, kind, got, requests[kind], w)
		}
	}
}

// routeErrors sums a route's errors over the run, by status or class.
func routeErrors(v *model.Variant, route string) map[string]int64 {
	out := map[string]int64{}
	for _, w := range v.Windows {
		if route == "" || w.Route == route {
			for k, n := range w.Errors {
				out[k] += n
			}
		}
	}
	return out
}
