// Package modeltest builds small runs for the tests of the report model and
// of its renderers: windows whose requests all took one latency, fault
// events, counter samples, and a configuration sweep whose ranking is known.
// Times are given in seconds from the load start.
//
// It is for tests only.
//
// It must not import scenarios, patterns, faults, testbeds, cmd or gonum.org/v1/plot.
package modeltest

import (
	"math"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// Secs converts seconds to a duration.
func Secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// Window is a window of route starting at start whose count requests all
// took lat, success of them answered 2xx and degraded of those from a
// fallback.
func Window(route string, start float64, count, success, degraded int64, lat time.Duration) model.Window {
	h := model.NewHistogram()
	for range count {
		h.Record(lat)
	}
	return model.Window{
		Route: route, Start: Secs(start), Count: count, Success: success, Degraded: degraded,
		P50: lat, P90: lat, P99: lat, Max: lat, Latency: h.Snapshot(), // sparse, as windows are
	}
}

// Steady returns n one-second windows of route from start, each with count
// requests, all successful, at lat.
func Steady(route string, start float64, n int, count int64, lat time.Duration) []model.Window {
	var ws []model.Window
	for i := range n {
		ws = append(ws, Window(route, start+float64(i), count, count, 0, lat))
	}
	return ws
}

// Fault is a latency fault on a->b, planned over [at, at+dur) and in force
// over [applied, reverted).
func Fault(name string, at, dur, applied, reverted float64) model.FaultEvent {
	return model.FaultEvent{
		Name: name, Kind: "latency", Target: "a->b",
		At: Secs(at), Duration: Secs(dur), Applied: Secs(applied), Reverted: Secs(reverted),
	}
}

// Points builds one sample a second from start, with the values vs.
func Points(start float64, vs ...float64) []model.Point {
	out := make([]model.Point, len(vs))
	for i, v := range vs {
		out[i] = model.Point{T: Secs(start + float64(i)), V: v}
	}
	return out
}

// Near reports whether a equals b but for rounding.
func Near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// Within reports whether got is want to a histogram's precision (two
// significant digits), as a latency read back from one is.
func Within(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= 0.01*float64(want)+float64(time.Microsecond)
}

// SweepVariant is 16 one-second windows of 100 requests around a fault in
// force over [5,10): healthy at 10ms before it, successRatio at lat during
// it (no windows at all when successRatio < 0), and still degraded for
// slowFor windows after it (never recovered when slowFor < 0). With params
// it is a swept configuration, ranked but not gated.
func SweepVariant(name string, params map[string]string, successRatio float64, lat time.Duration, slowFor int) *model.Variant {
	var ws []model.Window
	for i := range 16 {
		switch {
		case i < 5:
			ws = append(ws, Window("r", float64(i), 100, 100, 0, 10*time.Millisecond))
		case i < 10 && successRatio >= 0:
			ws = append(ws, Window("r", float64(i), 100, int64(successRatio*100), 0, lat))
		case i < 10:
		case slowFor < 0 || i < 10+slowFor:
			ws = append(ws, Window("r", float64(i), 100, 100, 100, 10*time.Millisecond))
		default:
			ws = append(ws, Window("r", float64(i), 100, 100, 0, 10*time.Millisecond))
		}
	}
	return &model.Variant{
		Name: name, Params: params, ReportOnly: len(params) > 0, Routes: []string{"r"},
		Windows: ws, Faults: []model.FaultEvent{Fault("slow", 5, 5, 5, 10)},
	}
}

// SweepRun is a grid sweep of a breaker's open_wait (250ms, 1s, 4s) and
// slow_call (300ms, 900ms) ranked by by, with a baseline outside the sweep.
// Ranked by success during the fault, higher first, the configurations
// come out c, b, a, e, d: c and b both answer everything (b slower), d has
// no requests during the fault; c never recovers after it.
func SweepRun(by model.RankBy) *model.Run {
	p := func(ow, sc string) map[string]string {
		return map[string]string{"breaker.open_wait": ow, "breaker.slow_call": sc}
	}
	return &model.Run{
		Scenario: "sweep", Pattern: "circuit-breaker", Window: time.Second, Planned: 16 * time.Second,
		Variants: []*model.Variant{
			SweepVariant("baseline", nil, 0.4, 2*time.Second, 0),
			SweepVariant("a", p("250ms", "300ms"), 0.9, 100*time.Millisecond, 1),
			SweepVariant("b", p("1s", "300ms"), 1, 300*time.Millisecond, 2),
			SweepVariant("c", p("4s", "300ms"), 1, 200*time.Millisecond, -1),
			SweepVariant("d", p("250ms", "900ms"), -1, 0, 0),
			SweepVariant("e", p("1s", "900ms"), 0.5, time.Second, 0),
		},
		Sweep: &model.Sweep{
			Params: []model.SweepParam{
				{Key: "breaker.open_wait", Values: []string{"250ms", "1s", "4s"}},
				{Key: "breaker.slow_call", Values: []string{"300ms", "900ms"}},
			},
			Mode:   "grid",
			RankBy: by,
		},
	}
}

// SLO is the result of a "success >= 95%" SLO measured at 90%, marked met
// or not as pass says.
func SLO(name string, pass bool) model.SLOResult {
	return model.SLOResult{Name: name, Metric: "success", Op: ">=", Threshold: 0.95, Actual: 0.9, Unit: string(model.Ratio), Pass: pass}
}
