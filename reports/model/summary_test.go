package model_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestPhasesMidpointRule(t *testing.T) {
	// Windows 0..7 with count i+1, so a phase's request count names its windows.
	var ws []model.Window
	for i := range 8 {
		ws = append(ws, modeltest.Window("r", float64(i), int64(i+1), int64(i+1), 0, 10*time.Millisecond))
	}
	tests := []struct {
		name                  string
		applied, reverted     float64
		before, during, after int64
		duringFrom, duringTo  time.Duration
	}{
		// Window 2 (midpoint 2.5) is during when the fault starts at 2.4...
		{"applied before a midpoint", 2.4, 5.6, 1 + 2, 3 + 4 + 5 + 6, 7 + 8, 2 * time.Second, 6 * time.Second},
		// ... and before when it starts at 2.6; window 5 (midpoint 5.5) is
		// after when the fault ends at 5.4.
		{"applied after a midpoint", 2.6, 5.4, 1 + 2 + 3, 4 + 5, 6 + 7 + 8, 3 * time.Second, 5 * time.Second},
		{"exactly on the midpoint", 2.5, 5.5, 1 + 2, 3 + 4 + 5, 6 + 7 + 8, 2 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &model.Run{Window: time.Second, Variants: []*model.Variant{{
				Name: "v", Windows: ws, Faults: []model.FaultEvent{modeltest.Fault("f", 2, 3, tt.applied, tt.reverted)},
			}}}
			model.Summarize(r)
			h := r.Variants[0].Headline
			if h.Overall.Requests != 36 {
				t.Errorf("overall requests = %d, want 36", h.Overall.Requests)
			}
			if len(h.Faults) != 1 {
				t.Fatalf("got %d fault headlines, want 1", len(h.Faults))
			}
			f := h.Faults[0]
			if f.Before.Requests != tt.before || f.During.Requests != tt.during || f.After.Requests != tt.after {
				t.Errorf("before/during/after requests = %d/%d/%d, want %d/%d/%d",
					f.Before.Requests, f.During.Requests, f.After.Requests, tt.before, tt.during, tt.after)
			}
			if f.During.From != tt.duringFrom || f.During.To != tt.duringTo {
				t.Errorf("during spans %v..%v, want %v..%v", f.During.From, f.During.To, tt.duringFrom, tt.duringTo)
			}
			wantRate := float64(tt.during) / (tt.duringTo - tt.duringFrom).Seconds()
			if !modeltest.Near(f.During.Rate, wantRate) {
				t.Errorf("during rate = %v, want %v", f.During.Rate, wantRate)
			}
			// Measure agrees with the headline.
			got, ok := r.Variants[0].Measure(model.Query{Metric: "rate", Phase: "during", Fault: "f"})
			if !ok || !modeltest.Near(got, wantRate) {
				t.Errorf("Measure(rate, during f) = %v, %v; want %v", got, ok, wantRate)
			}
		})
	}
}

func TestPhasesWithSeveralFaults(t *testing.T) {
	// 20 windows of 10 requests; f1 in force 4..8, f2 12..15 (planned only:
	// never applied nor reverted, so the plan is used).
	v := &model.Variant{
		Name:    "v",
		Windows: modeltest.Steady("r", 0, 20, 10, 10*time.Millisecond),
		Faults: []model.FaultEvent{
			modeltest.Fault("f1", 4, 4, 4, 8),
			{Name: "f2", At: modeltest.Secs(12), Duration: modeltest.Secs(3)},
		},
	}
	tests := []struct {
		phase, fault string
		want         int64 // requests
		ok           bool
	}{
		{"", "", 200, true},
		{"overall", "", 200, true},
		{"before", "", 40, true},   // [0, 4)
		{"during", "", 70, true},   // [4, 8) + [12, 15)
		{"after", "", 50, true},    // [15, 20)
		{"before", "f1", 40, true}, // [0, 4)
		{"after", "f1", 40, true},  // [8, 12)
		{"before", "f2", 40, true}, // [8, 12)
		{"during", "f2", 30, true},
		{"after", "f2", 50, true},
		{"during", "nope", 0, false},
		{"sometime", "", 0, false},
	}
	r := &model.Run{Window: time.Second, Variants: []*model.Variant{v}}
	model.Summarize(r)
	for _, tt := range tests {
		got, ok := model.NewView(v, time.Second).PhaseRequests(tt.phase, tt.fault)
		if ok != tt.ok {
			t.Errorf("spans(%q, %q) ok = %v, want %v", tt.phase, tt.fault, ok, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("phase %q fault %q: %d requests, want %d", tt.phase, tt.fault, got, tt.want)
		}
		rate, ok := v.Measure(model.Query{Metric: "rate", Phase: tt.phase, Fault: tt.fault})
		if ok != tt.ok || ok && !modeltest.Near(rate, 10) {
			t.Errorf("Measure(rate, %q, %q) = %v, %v; want 10, %v", tt.phase, tt.fault, rate, ok, tt.ok)
		}
	}
	if got := len(v.Headline.Faults); got != 2 {
		t.Fatalf("%d fault headlines, want 2", got)
	}
	if got := v.Headline.Faults[1].Before.Requests; got != 40 {
		t.Errorf("f2 before = %d requests, want 40 (from the end of f1)", got)
	}
}

func TestPhasesWithoutFaults(t *testing.T) {
	v := &model.Variant{Name: "v", Windows: modeltest.Steady("r", 0, 5, 10, 10*time.Millisecond)}
	for _, tt := range []struct {
		phase string
		ok    bool
	}{{"overall", true}, {"before", true}, {"during", false}, {"after", false}} {
		got, ok := v.Measure(model.Query{Metric: "success", Phase: tt.phase})
		if ok != tt.ok || ok && got != 1 {
			t.Errorf("Measure(success, %s) = %v, %v; want ok %v", tt.phase, got, ok, tt.ok)
		}
	}
	if _, ok := v.Measure(model.Query{Metric: "time_to_fail_fast"}); ok {
		t.Error("time_to_fail_fast measured without a fault")
	}
}

func TestMeasureMetrics(t *testing.T) {
	// Two routes over 4 windows; a fault over windows 2..3.
	var ws []model.Window
	for i := range 4 {
		lat := 10 * time.Millisecond
		succ, deg := int64(10), int64(0)
		if i >= 2 {
			lat, succ, deg = 100*time.Millisecond, 6, 2
		}
		ws = append(ws, modeltest.Window("a", float64(i), 10, succ, deg, lat))
		ws = append(ws, modeltest.Window("b", float64(i), 30, 30, 0, 20*time.Millisecond))
	}
	v := &model.Variant{
		Name: "v", Routes: []string{"a", "b"}, Windows: ws, Downstream: "dep",
		Faults: []model.FaultEvent{modeltest.Fault("f", 2, 2, 2, 4)},
		Series: []model.Series{{Service: "dep", Name: model.DownstreamMetric, Counter: true, Points: []model.Point{
			{T: 0, V: 0}, {T: modeltest.Secs(4), V: 80},
		}}},
	}
	tests := []struct {
		q    model.Query
		want float64
		ok   bool
	}{
		{model.Query{Metric: "success"}, 152.0 / 160, true},
		{model.Query{Metric: "success", Route: "a"}, 32.0 / 40, true},
		{model.Query{Metric: "success", Route: "a", Phase: "during"}, 0.6, true},
		{model.Query{Metric: "degraded", Route: "a", Phase: "during"}, 0.2, true},
		{model.Query{Metric: "errors", Route: "a", Phase: "during"}, 0.4, true},
		{model.Query{Metric: "errors", Route: "b"}, 0, true},
		{model.Query{Metric: "p50", Route: "a", Phase: "before"}, 0.010, true},
		{model.Query{Metric: "p99", Route: "a", Phase: "during"}, 0.100, true},
		{model.Query{Metric: "max", Route: "b"}, 0.020, true},
		{model.Query{Metric: "p50", Phase: "during"}, 0.020, true}, // b dominates
		{model.Query{Metric: "p99", Phase: "during"}, 0.100, true},
		{model.Query{Metric: "rate"}, 40, true},
		{model.Query{Metric: "rate", Route: "b", Phase: "after"}, 0, false}, // no after phase
		{model.Query{Metric: "amplification"}, 80.0 / 160, true},
		{model.Query{Metric: "amplification", Phase: "during"}, 40.0 / 80, true},
		{model.Query{Metric: "amplification", Route: "a"}, 0, false}, // not attributable
		{model.Query{Metric: "success", Route: "nope"}, 0, false},
		{model.Query{Metric: "bogus"}, 0, false},
		{model.Query{Metric: "success", Fault: "nope", Phase: "during"}, 0, false},
	}
	for _, tt := range tests {
		got, ok := v.Measure(tt.q)
		if ok != tt.ok {
			t.Errorf("Measure(%+v) ok = %v, want %v", tt.q, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if info, _ := model.LookupMetric(tt.q.Metric); info.Unit == model.Seconds {
			if !modeltest.Within(modeltest.Secs(got), modeltest.Secs(tt.want)) {
				t.Errorf("Measure(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		} else if !modeltest.Near(got, tt.want) {
			t.Errorf("Measure(%+v) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestAmplificationCounterReset(t *testing.T) {
	// 8 windows of 10 client requests. The downstream counter (sampled every
	// second) goes up 20/s and resets at t=4; a second label set (errors)
	// appears at t=5 and goes up 10/s from t=4.
	v := &model.Variant{
		Name: "v", Downstream: "dep",
		Windows: modeltest.Steady("r", 0, 8, 10, 10*time.Millisecond),
		Faults:  []model.FaultEvent{modeltest.Fault("f", 4, 4, 4, 8)},
		Series: []model.Series{
			{Service: "dep", Name: model.DownstreamMetric, Labels: map[string]string{"code": "200"}, Counter: true, Points: []model.Point{
				{T: 0, V: 0}, {T: modeltest.Secs(1), V: 20}, {T: modeltest.Secs(2), V: 40}, {T: modeltest.Secs(3), V: 60},
				{T: modeltest.Secs(4), V: 20}, {T: modeltest.Secs(5), V: 40}, {T: modeltest.Secs(6), V: 60}, {T: modeltest.Secs(7), V: 80}, {T: modeltest.Secs(8), V: 100},
			}},
			{Service: "dep", Name: model.DownstreamMetric, Labels: map[string]string{"code": "500"}, Counter: true, Points: []model.Point{
				{T: modeltest.Secs(5), V: 10}, {T: modeltest.Secs(6), V: 20}, {T: modeltest.Secs(7), V: 30}, {T: modeltest.Secs(8), V: 40},
			}},
			// Other series of the service and of other services do not count.
			{Service: "dep", Name: "faultline_inflight", Points: []model.Point{{T: 0, V: 1e6}, {T: modeltest.Secs(8), V: 0}}},
			{Service: "other", Name: model.DownstreamMetric, Counter: true, Points: []model.Point{{T: 0, V: 0}, {T: modeltest.Secs(8), V: 1e6}}},
		},
	}
	r := &model.Run{Window: time.Second, Variants: []*model.Variant{v}}
	model.Summarize(r)
	h := v.Headline
	for _, tt := range []struct {
		name string
		got  float64
		want float64
	}{
		{"overall", h.Overall.Amplification, (160.0 + 40) / 80},
		{"before", h.Faults[0].Before.Amplification, 80.0 / 40},
		{"during", h.Faults[0].During.Amplification, (80.0 + 40) / 40},
	} {
		if !modeltest.Near(tt.got, tt.want) {
			t.Errorf("%s amplification = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if h.Faults[0].After.Requests != 0 || h.Faults[0].After.Amplification != 0 {
		t.Errorf("after phase without windows = %+v, want zero", h.Faults[0].After)
	}
	// Interpolation between samples.
	increase := func(from, to float64) float64 {
		n, _ := model.DownstreamIncrease(v.Series, "dep", modeltest.Secs(from), modeltest.Secs(to))
		return n
	}
	if got := increase(0.5, 1.5); !modeltest.Near(got, 20) {
		t.Errorf("interpolated increase = %v, want 20", got)
	}
	if got := increase(-5, 20); !modeltest.Near(got, 230) {
		t.Errorf("increase beyond the samples = %v, want 230 (extrapolated one interval, then held)", got)
	}
	if got := increase(8, 8.5); !modeltest.Near(got, 15) {
		t.Errorf("increase just after the last sample = %v, want 15 (extrapolated at 30/s)", got)
	}
	if _, ok := model.DownstreamIncrease(v.Series, "nobody", 0, modeltest.Secs(8)); ok {
		t.Error("counter for a service without series is not nil")
	}
}

// faultRun builds a variant with 10ms before a fault over [4, 8) and the
// given per-window p99 and success during and after it.
func faultRun(during, after []model.Window) *model.Variant {
	ws := modeltest.Steady("r", 0, 4, 100, 10*time.Millisecond)
	ws = append(ws, during...)
	ws = append(ws, after...)
	return &model.Variant{Name: "v", Windows: ws, Faults: []model.FaultEvent{modeltest.Fault("f", 4, 4, 4.2, 8.1)}}
}

func TestFailFastAndRecover(t *testing.T) {
	slow, fast := 1500*time.Millisecond, 5*time.Millisecond
	ok := func(start float64) model.Window {
		return modeltest.Window("r", start, 100, 100, 0, 12*time.Millisecond)
	}
	tests := []struct {
		name            string
		during, after   []model.Window
		failFast, recov *time.Duration
	}{
		{
			name:     "breaker opens in the second window",
			during:   []model.Window{modeltest.Window("r", 4, 100, 90, 0, slow), modeltest.Window("r", 5, 100, 99, 95, fast), modeltest.Window("r", 6, 100, 99, 95, fast), modeltest.Window("r", 7, 100, 99, 95, fast)},
			after:    []model.Window{modeltest.Window("r", 8, 100, 100, 60, fast), ok(9), ok(10), ok(11)},
			failFast: ptr(modeltest.Secs(5 - 4.2)),
			recov:    ptr(modeltest.Secs(9 - 8.1)),
		},
		{
			name:     "fast from the first window",
			during:   []model.Window{modeltest.Window("r", 4, 100, 99, 95, fast), modeltest.Window("r", 5, 100, 99, 95, fast), modeltest.Window("r", 6, 100, 99, 95, fast), modeltest.Window("r", 7, 100, 99, 95, fast)},
			after:    []model.Window{ok(8), ok(9)},
			failFast: ptr(time.Duration(0)), // clamped: window 4 starts before the fault
			recov:    ptr(time.Duration(0)),
		},
		{
			name:   "never fails fast, never recovers",
			during: []model.Window{modeltest.Window("r", 4, 100, 50, 0, slow), modeltest.Window("r", 5, 100, 50, 0, slow), modeltest.Window("r", 6, 100, 50, 0, slow), modeltest.Window("r", 7, 100, 50, 0, slow)},
			after:  []model.Window{modeltest.Window("r", 8, 100, 90, 0, slow), modeltest.Window("r", 9, 100, 99, 0, slow), modeltest.Window("r", 10, 100, 80, 0, 20*time.Millisecond)},
		},
		{
			name:   "a single good window does not count as recovered",
			during: []model.Window{modeltest.Window("r", 4, 100, 50, 0, slow), modeltest.Window("r", 5, 100, 50, 0, slow), modeltest.Window("r", 6, 100, 50, 0, slow), modeltest.Window("r", 7, 100, 50, 0, slow)},
			after:  []model.Window{ok(8), modeltest.Window("r", 9, 100, 100, 0, slow), ok(10), ok(11)},
			recov:  ptr(modeltest.Secs(10 - 8.1)),
		},
		{
			name:   "the last window recovers alone",
			during: []model.Window{modeltest.Window("r", 4, 100, 50, 0, slow), modeltest.Window("r", 5, 100, 50, 0, slow), modeltest.Window("r", 6, 100, 50, 0, slow), modeltest.Window("r", 7, 100, 50, 0, slow)},
			after:  []model.Window{modeltest.Window("r", 8, 100, 50, 0, slow), ok(9)},
			recov:  ptr(modeltest.Secs(9 - 8.1)),
		},
		{
			name:   "degraded answers are not recovered",
			during: []model.Window{modeltest.Window("r", 4, 100, 99, 95, fast), modeltest.Window("r", 5, 100, 99, 95, fast), modeltest.Window("r", 6, 100, 99, 95, fast), modeltest.Window("r", 7, 100, 99, 95, fast)},
			after:  []model.Window{modeltest.Window("r", 8, 100, 100, 95, fast), modeltest.Window("r", 9, 100, 100, 3, fast), modeltest.Window("r", 10, 100, 100, 0, fast)},
			// fail fast at once; recovery needs degraded <= 0+2%.
			failFast: ptr(time.Duration(0)),
			recov:    ptr(modeltest.Secs(10 - 8.1)),
		},
		{
			// Bound is max(2×10ms, 10ms+50ms) = 60ms: 55ms passes, 70ms fails.
			name:     "bound is before-p99 plus 50ms",
			during:   []model.Window{modeltest.Window("r", 4, 100, 100, 0, 70*time.Millisecond), modeltest.Window("r", 5, 100, 100, 0, 55*time.Millisecond), modeltest.Window("r", 6, 100, 100, 0, 55*time.Millisecond), modeltest.Window("r", 7, 100, 100, 0, 55*time.Millisecond)},
			after:    []model.Window{modeltest.Window("r", 8, 100, 100, 0, 70*time.Millisecond), modeltest.Window("r", 9, 100, 100, 0, 55*time.Millisecond)},
			failFast: ptr(modeltest.Secs(5 - 4.2)),
			recov:    ptr(modeltest.Secs(9 - 8.1)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := faultRun(tt.during, tt.after)
			model.Summarize(&model.Run{Window: time.Second, Variants: []*model.Variant{v}})
			h := v.Headline.Faults[0]
			checkDur(t, "fail fast", h.FailFast, tt.failFast)
			checkDur(t, "recover", h.Recover, tt.recov)
			for metric, want := range map[string]*time.Duration{"time_to_fail_fast": tt.failFast, "time_to_recover": tt.recov} {
				for _, f := range []string{"", "f"} {
					got, ok := v.Measure(model.Query{Metric: metric, Fault: f})
					if ok != (want != nil) || ok && !modeltest.Near(got, want.Seconds()) {
						t.Errorf("Measure(%s, fault %q) = %v, %v; want %v", metric, f, got, ok, want)
					}
				}
			}
		})
	}
}

func TestFailFastWithoutBefore(t *testing.T) {
	// A fault from the start leaves no before phase: nothing to compare with.
	v := &model.Variant{Name: "v", Windows: modeltest.Steady("r", 0, 6, 10, time.Millisecond), Faults: []model.FaultEvent{modeltest.Fault("f", 0, 3, 0, 3)}}
	model.Summarize(&model.Run{Window: time.Second, Variants: []*model.Variant{v}})
	h := v.Headline.Faults[0]
	if h.FailFast != nil || h.Recover != nil || h.Before.Requests != 0 {
		t.Errorf("headline = %+v, want no before, no fail fast, no recovery", h)
	}
	if _, ok := v.Measure(model.Query{Metric: "success", Phase: "before", Fault: "f"}); ok {
		t.Error("success measured over an empty phase")
	}
}

func checkDur(t *testing.T, what string, got, want *time.Duration) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, fmtDurPtr(got), fmtDurPtr(want))
	case (*got - *want).Abs() > time.Microsecond:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

func fmtDurPtr(d *time.Duration) string {
	if d == nil {
		return "never"
	}
	return d.String()
}

func ptr[T any](v T) *T { return &v }

func TestWindowsWithoutHistograms(t *testing.T) {
	// Older or hand-written summaries may lack histograms: percentiles are
	// then approximated from the windows' own.
	ws := []model.Window{
		{Route: "r", Start: 0, Count: 100, Success: 100, P50: 10 * time.Millisecond, P90: 20 * time.Millisecond, P99: 50 * time.Millisecond, Max: 80 * time.Millisecond},
		{Route: "r", Start: time.Second, Count: 100, Success: 100, P50: 10 * time.Millisecond, P90: 20 * time.Millisecond, P99: 50 * time.Millisecond, Max: 80 * time.Millisecond},
	}
	v := &model.Variant{Name: "v", Windows: ws}
	model.Summarize(&model.Run{Variants: []*model.Variant{v}}) // Window inferred: 1s
	o := v.Headline.Overall
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{{"p50", o.P50, 10 * time.Millisecond}, {"p90", o.P90, 20 * time.Millisecond}, {"p99", o.P99, 50 * time.Millisecond}, {"max", o.Max, 80 * time.Millisecond}} {
		if !modeltest.Within(c.got, c.want) {
			t.Errorf("%s = %v, want about %v", c.name, c.got, c.want)
		}
	}
	if !modeltest.Near(o.Rate, 100) {
		t.Errorf("rate = %v, want 100 (window inferred as 1s)", o.Rate)
	}
}

func TestCheck(t *testing.T) {
	v := &model.Variant{Name: "v", Windows: modeltest.Steady("r", 0, 4, 10, 10*time.Millisecond)}
	tests := []struct {
		op        string
		q         model.Query
		threshold float64
		pass      bool
		missing   bool
	}{
		{">=", model.Query{Metric: "success"}, 0.99, true, false},
		{"<=", model.Query{Metric: "success"}, 0.99, false, false},
		{"<=", model.Query{Metric: "p99"}, 0.010, false, false}, // 10ms reads back a hair above
		{"<=", model.Query{Metric: "p99"}, 0.011, true, false},
		{"<=", model.Query{Metric: "time_to_recover"}, 10, false, true},
		{"==", model.Query{Metric: "success"}, 1, false, false},
	}
	for _, tt := range tests {
		got := v.Check("slo", tt.q, tt.op, tt.threshold)
		if got.Pass != tt.pass || got.Missing != tt.missing {
			t.Errorf("Check(%+v %s %v) = pass %v missing %v, want %v %v", tt.q, tt.op, tt.threshold, got.Pass, got.Missing, tt.pass, tt.missing)
		}
		info, _ := model.LookupMetric(tt.q.Metric)
		if got.Unit != string(info.Unit) || got.Name != "slo" || got.Op != tt.op {
			t.Errorf("Check result %+v lacks its description", got)
		}
	}
}

// TestRecoverAgainstSteadyState: a second fault that starts while the first
// one's effects linger is judged against the healthy state before the first
// fault, not against the lingering one.
func TestRecoverAgainstSteadyState(t *testing.T) {
	fast := 5 * time.Millisecond
	ws := modeltest.Steady("r", 0, 4, 100, 12*time.Millisecond) // healthy: 0% degraded
	for i := 4; i < 10; i++ {                                   // f1 [4,6), still degraded until 9, f2 [7,8)
		ws = append(ws, modeltest.Window("r", float64(i), 100, 100, 100, fast))
	}
	ws = append(ws, modeltest.Steady("r", 10, 4, 100, 12*time.Millisecond)...)
	v := &model.Variant{Name: "v", Windows: ws, Faults: []model.FaultEvent{modeltest.Fault("f1", 4, 2, 4, 6), modeltest.Fault("f2", 7, 1, 7, 8)}}
	model.Summarize(&model.Run{Window: time.Second, Variants: []*model.Variant{v}})
	// Before f2 (windows 6) is all degraded; recovery from f2 still needs
	// the healthy 0% degraded, first seen at 10.
	checkDur(t, "recover f2", v.Headline.Faults[1].Recover, ptr(modeltest.Secs(10-8)))
}

// TestRateClipsTheLastPartialWindow: a 16.5s load in 1s windows ends half-way
// through its last window, which must count for 0.5s, not 1s.
func TestRateClipsTheLastPartialWindow(t *testing.T) {
	ws := modeltest.Steady("r", 0, 16, 100, time.Millisecond)
	ws = append(ws, modeltest.Window("r", 16, 50, 50, 0, time.Millisecond))
	v := &model.Variant{Name: "v", Windows: ws}
	model.Summarize(&model.Run{Window: time.Second, Planned: modeltest.Secs(16.5), Variants: []*model.Variant{v}})
	if got := v.Headline.Overall.Rate; !modeltest.Near(got, 100) {
		t.Errorf("overall rate = %v, want 100/s (1650 requests over 16.5s)", got)
	}
	if got, ok := v.Measure(model.Query{Metric: "rate"}); !ok || !modeltest.Near(got, 100) {
		t.Errorf("Measure(rate) = %v, %v; want 100", got, ok)
	}
}
