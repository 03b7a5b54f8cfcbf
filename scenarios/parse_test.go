package scenarios

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/reports/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeConfig is the fake pattern's configuration: a nested breaker section
// with a duration and a ratio, like the real circuit breaker's.
type fakeConfig struct {
	Timeout time.Duration `yaml:"timeout"`
	Breaker fakeBreaker   `yaml:"breaker"`
}

type fakeBreaker struct {
	Enabled      bool          `yaml:"enabled"`
	FailureRatio float64       `yaml:"failure_ratio"`
	OpenFor      time.Duration `yaml:"open_for"`
	MinRequests  int           `yaml:"min_requests"`
}

// fakePattern is client -> shop -> payments with a breaker in the shop.
type fakePattern struct{}

func (fakePattern) Name() string        { return "fake-breaker" }
func (fakePattern) Description() string { return "a breaker between shop and payments (test double)" }

func (fakePattern) Topology() patterns.Topology {
	return patterns.Topology{
		Services:   []string{"payments", "shop"},
		Edges:      []patterns.Edge{{From: patterns.Client, To: "shop"}, {From: "shop", To: "payments"}},
		Entry:      "shop",
		Downstream: "payments",
		Controls:   map[string][]string{"shop": {"checkout", "cart"}},
	}
}

func (fakePattern) DefaultConfig() any {
	return &fakeConfig{
		Timeout: time.Second,
		Breaker: fakeBreaker{Enabled: true, FailureRatio: 0.5, OpenFor: 5 * time.Second, MinRequests: 10},
	}
}

func (p fakePattern) BaselineConfig() any {
	c := p.DefaultConfig().(*fakeConfig)
	c.Breaker.Enabled = false
	return c
}

// Validate returns field errors, the breaker's nested under "breaker" as a
// real pattern nests its policies'.
func (fakePattern) Validate(cfg any) error {
	c, ok := cfg.(*fakeConfig)
	switch {
	case !ok:
		return fmt.Errorf("config is %T, want *fakeConfig", cfg)
	case c.Timeout <= 0:
		return field.Errorf("timeout", "must be > 0, got %v", c.Timeout)
	}
	return field.In("breaker", c.Breaker.validate())
}

func (b fakeBreaker) validate() error {
	if b.FailureRatio < 0 || b.FailureRatio > 1 {
		return field.Errorf("failure_ratio", "must be within [0, 1], got %v", b.FailureRatio)
	}
	return nil
}

func (fakePattern) Handler(context.Context, string, any, patterns.Env) (http.Handler, func(), error) {
	return nil, nil, errors.New("fake pattern: no handler")
}

var testCatalog = patterns.Catalog{fakePattern{}}

func TestParseInvalidGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid test files: %v", err)
	}
	line := regexp.MustCompile(`^testdata/invalid/[a-z0-9-]+\.yaml:[1-9][0-9]*:[1-9][0-9]*: \S`)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			s, err := ReadFile(file, testCatalog)
			if err == nil {
				t.Fatalf("ReadFile(%s) succeeded, want problems", file)
			}
			if s != nil {
				t.Errorf("ReadFile(%s) returned a scenario with its error", file)
			}
			var errs *Errors
			if !errors.As(err, &errs) || len(errs.Problems) == 0 {
				t.Fatalf("error is %T %v, want *Errors with problems", err, err)
			}
			for i, p := range errs.Problems {
				if !line.MatchString(p.String()) {
					t.Errorf("problem %q is not file:line:col: ...", p)
				}
				if i > 0 {
					q := errs.Problems[i-1]
					if p.Line < q.Line || p.Line == q.Line && p.Col < q.Col {
						t.Errorf("problems not sorted: %q before %q", q, p)
					}
				}
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestParseProblems pins one problem per case, so the golden files cannot
// silently drift to the wrong field or position.
func TestParseProblems(t *testing.T) {
	tests := []struct {
		file string
		want string // one of the problems, exactly
	}{
		{"malformed", `testdata/invalid/malformed.yaml:7:22: load.targets[0].path: ',' or '}' must be specified`},
		{"merge-bomb", `testdata/invalid/merge-bomb.yaml:5:45: aliases and merge keys expand to more than 20000 values: a scenario is far smaller (an alias bomb?)`},
		{"deep-flow-nesting", `testdata/invalid/deep-flow-nesting.yaml:4:38: collections nested more than 32 deep: a scenario needs far fewer`},
		{"tab-indent", `testdata/invalid/tab-indent.yaml:6:1: load: found character '\t' that cannot start any token`},
		{"host-paths", `testdata/invalid/host-paths.yaml:9:31: load.targets[1].path: path "/\\example.com/" would be read as another host's (scheme-relative or with a backslash): give a path on the target like "/checkout"`},
		{"host-paths", `testdata/invalid/host-paths.yaml:10:27: load.targets[2].path: path "/_faultline/faults" is reserved for faultline's control endpoints`},
		{"control-characters", `testdata/invalid/control-characters.yaml:9:29: load.targets[0].headers.X-A\r\nB: invalid header name "X-A\r\nB"`},
		{"empty", `testdata/invalid/empty.yaml:1:1: empty scenario file`},
		{"unknown-top-field", `testdata/invalid/unknown-top-field.yaml:5:1: retries: unknown field "retries" (known: actions, compare, description, faults, load, name, pattern, seed, slo, steady_state, sweep, variants, window)`},
		{"unknown-nested-field", `testdata/invalid/unknown-nested-field.yaml:9:7: load.targets[0].paht: unknown field "paht" (known: body, headers, method, name, path, weight)`},
		{"zero-duration", `testdata/invalid/zero-duration.yaml:7:13: load.duration: negative or zero duration 0s`},
		{"negative-duration", `testdata/invalid/negative-duration.yaml:14:15: faults[0].duration: negative or zero duration -5s`},
		{"rate-zero", `testdata/invalid/rate-zero.yaml:6:9: load.rate: rate 0/s: must be above 0`},
		{"bad-rate", `testdata/invalid/bad-rate.yaml:6:9: load.rate: invalid rate "fast" (want requests per period, like "200/s", "600/m" or "50/100ms")`},
		{"unknown-edge", `testdata/invalid/unknown-edge.yaml:12:13: faults[0].target: unknown edge "client->payments" (pattern fake-breaker has edges client->shop, shop->payments)`},
		{"unknown-service", `testdata/invalid/unknown-service.yaml:12:13: faults[0].target: unknown service "inventory" (pattern fake-breaker has services payments, shop)`},
		{"unknown-fault-kind", `testdata/invalid/unknown-fault-kind.yaml:11:11: faults[0].kind: unknown fault kind "latnecy" (known: ` + strings.Join(faults.Kinds(), ", ") + `)`},
		{"unknown-fault-attribute", `testdata/invalid/unknown-fault-attribute.yaml:16:5: faults[0].delay: unknown field "delay" (known: at, direction, duration, jitter, kind, latency, name, target, toxicity)`},
		{"unknown-slo-metric", `testdata/invalid/unknown-slo-metric.yaml:11:13: slo[0].metric: unknown metric "p95" (known: ` + metricNames() + `)`},
		{"unknown-config-key", `testdata/invalid/unknown-config-key.yaml:7:9: variants[0].config.breaker.failure_rate: unknown field "failure_rate" (known: enabled, failure_ratio, min_requests, open_for)`},
		{"invalid-config", `testdata/invalid/invalid-config.yaml:8:24: variants[0].config.breaker.failure_ratio: must be within [0, 1], got 1.5`},
		{"several-problems", `testdata/invalid/several-problems.yaml:1:7: name: "Bad Name" may only hold lower-case letters, digits and dashes`},
		{"sweep-unknown-key", `testdata/invalid/sweep-unknown-key.yaml:8:5: sweep.params.breaker.open_fro: unknown field "open_fro" in breaker (known: enabled, failure_ratio, min_requests, open_for)`},
		{"sweep-unknown-key", `testdata/invalid/sweep-unknown-key.yaml:10:5: sweep.params.breaker.enabled.really: breaker.enabled is a single value: it has no field "really"`},
		{"sweep-bad-value", `testdata/invalid/sweep-bad-value.yaml:8:31: sweep.params.breaker.open_for[1]: invalid duration "soon" (want e.g. "30s" or "800ms")`},
		{"sweep-bad-value", `testdata/invalid/sweep-bad-value.yaml:9:34: sweep.params.breaker.failure_ratio[1]: want a number, got "high"`},
		{"sweep-invalid-config", `testdata/invalid/sweep-invalid-config.yaml:8:39: sweep.params.breaker.failure_ratio[2]: must be within [0, 1], got 1.5`},
		{"sweep-invalid-config", `testdata/invalid/sweep-invalid-config.yaml:10:15: sweep.params.timeout[0]: must be > 0, got 0s`},
		{"sweep-too-big", `testdata/invalid/sweep-too-big.yaml:7:3: sweep.params: the sweep expands into 20 variants (combinations of its parameters), more than the 16 a sweep may have: each runs the whole load; sweep fewer values, or use mode: each`},
		{"sweep-name-clash", `testdata/invalid/sweep-name-clash.yaml:6:3: sweep.params: configuration breaker.open_for=2s makes the variant name "open_for_2s", which variants[0] already has: rename that variant`},
		{"sweep-settings", `testdata/invalid/sweep-settings.yaml:8:9: sweep.base: unknown variant "breaker" (variants: naive, open_for_2s)`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file := "testdata/invalid/" + tt.file + ".yaml"
			_, err := ReadFile(file, testCatalog)
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("ReadFile(%s) = %v, want *Errors", file, err)
			}
			var got []string
			for _, p := range errs.Problems {
				if p.String() == tt.want {
					return
				}
				got = append(got, p.String())
			}
			t.Errorf("no problem\n  %s\namong\n  %s", tt.want, strings.Join(got, "\n  "))
		})
	}
}

func metricNames() string {
	var names []string
	for _, m := range model.Metrics {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

func TestSeveralProblems(t *testing.T) {
	_, err := ReadFile("testdata/invalid/several-problems.yaml", testCatalog)
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want *Errors", err)
	}
	fields := make(map[string]bool)
	for _, p := range errs.Problems {
		fields[p.Field] = true
	}
	for _, f := range []string{
		"name", "window", "bogus", "variants[1].name", "variants[0].config.breaker.open_for",
		"variants[1].config.retries", "variants[2].name", "load.rate", "load.workers", "load.targets[0].path",
		"load.targets[1].method", "faults[0].target", "faults[1].status_code", "faults[2].duration",
		"slo[0].metric", "slo[1].variants[0]", "slo[1].min", "slo[2]",
	} {
		if !fields[f] {
			t.Errorf("no problem for %s in:\n%v", f, err)
		}
	}
}

func TestParseValid(t *testing.T) {
	s, err := ReadFile("testdata/valid/shop.yaml", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	if s.File != "testdata/valid/shop.yaml" || s.Impl == nil || s.Impl.Name() != "fake-breaker" {
		t.Errorf("File %q, Impl %v", s.File, s.Impl)
	}
	// Defaults.
	if s.Seed != 1 || s.Window != time.Second {
		t.Errorf("seed %d window %v, want defaults 1 and 1s", s.Seed, s.Window)
	}
	l := s.Load
	if l.Rate != (Rate{100, time.Second}) || l.Duration != time.Minute || l.Timeout != 2*time.Second ||
		l.Workers != 200 || l.Connections != 200 { // defaults: 100/s x 2s in flight
		t.Errorf("load %+v", l)
	}
	wantTargets := []Target{
		{Name: "POST /checkout", Method: "POST", Path: "/checkout", Body: `{"cart":"c-1"}`,
			Headers: map[string]string{"Content-Type": "application/json"}, Weight: 1},
		{Name: "browse", Method: "GET", Path: "/items", Weight: 3},
	}
	if fmt.Sprint(l.Targets) != fmt.Sprint(wantTargets) {
		t.Errorf("targets\n got %+v\nwant %+v", l.Targets, wantTargets)
	}
	// Variants: baseline and overrides onto defaults, decoded strictly.
	if len(s.Variants) != 2 {
		t.Fatalf("%d variants", len(s.Variants))
	}
	naive, breaker := s.Variants[0], s.Variants[1]
	if naive.Name != "naive" || !naive.Baseline || naive.Expect != "violate" {
		t.Errorf("variant 0 %+v", naive)
	}
	if c := naive.Config.(*fakeConfig); c.Breaker.Enabled || c.Timeout != time.Second {
		t.Errorf("baseline config %+v", c)
	}
	if breaker.Expect != "pass" {
		t.Errorf("variant 1 expect %q, want default pass", breaker.Expect)
	}
	wantCfg := fakeConfig{Timeout: 500 * time.Millisecond,
		Breaker: fakeBreaker{Enabled: true, FailureRatio: 0.3, OpenFor: 2 * time.Second, MinRequests: 10}}
	if c := breaker.Config.(*fakeConfig); *c != wantCfg {
		t.Errorf("config %+v, want %+v", *c, wantCfg)
	}
	// Faults: decoded per kind, named, targets normalized.
	if len(s.Faults) != 3 {
		t.Fatalf("%d faults", len(s.Faults))
	}
	lat, ok := s.Faults[0].(*faults.Latency)
	if !ok {
		t.Fatalf("fault 0 is %T", s.Faults[0])
	}
	if lat.Name != "latency-0" || lat.Target != "shop->payments" || lat.At != 10*time.Second ||
		lat.Duration != 20*time.Second || lat.Latency != 800*time.Millisecond || lat.Toxicity != 1 {
		t.Errorf("latency fault %+v", lat)
	}
	if k := s.Faults[1].Base(); k.Name != "payments-down" || k.Kind != "kill" || k.Target != "payments" {
		t.Errorf("kill fault %+v", k)
	}
	if r := s.Faults[2].Base(); r.Name != "restart-2" || r.Duration != 0 || r.At != 50*time.Second {
		t.Errorf("restart fault %+v", r)
	}
	// SLOs: thresholds in the metric's unit, phases and names defaulted.
	want := []struct {
		name, phase string
		min, max    float64
	}{
		{"success during", "during", 0.95, -1},
		{"fast checkout", "during", -1, 0.3},
		{"amplification overall", "overall", -1, 1.5},
		{"time_to_recover after", "after", -1, 5},
	}
	if len(s.SLOs) != len(want) {
		t.Fatalf("%d SLOs", len(s.SLOs))
	}
	for i, w := range want {
		o := s.SLOs[i]
		if o.Name != w.name || o.Phase != w.phase || value(o.Min) != w.min || value(o.Max) != w.max {
			t.Errorf("slo %d: %q %q min %v max %v, want %+v", i, o.Name, o.Phase, value(o.Min), value(o.Max), w)
		}
	}
	if s.SLOs[0].Min.Text != "95%" {
		t.Errorf("threshold text %q, want as written", s.SLOs[0].Min.Text)
	}
}

func value(t *Threshold) float64 {
	if t == nil {
		return -1
	}
	return t.Value
}

func TestParseStaged(t *testing.T) {
	s, err := ReadFile("testdata/valid/staged.yaml", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	wantStages := []Stage{
		{10 * time.Second, Rate{50, time.Second}, true},
		{20 * time.Second, Rate{6000, time.Minute}, false},
		{10 * time.Second, Rate{0, time.Second}, true},
	}
	if fmt.Sprint(s.Load.Stages) != fmt.Sprint(wantStages) {
		t.Errorf("stages %v, want %v", s.Load.Stages, wantStages)
	}
	if s.Seed != 7 || s.Window != 500*time.Millisecond || s.Load.Workers != 100 {
		t.Errorf("seed %d window %v workers %d", s.Seed, s.Window, s.Load.Workers)
	}
	// The second target merges the first (YAML anchor and merge key).
	ts := s.Load.Targets
	if len(ts) != 2 || ts[0].Name != "GET /a" || ts[1].Name != "again" || ts[1].Path != "/b" || ts[1].Weight != 2 {
		t.Errorf("targets %+v", ts)
	}
	if c := s.Variants[0].Config.(*fakeConfig); c.Breaker.OpenFor != 3*time.Second || !c.Breaker.Enabled {
		t.Errorf("config with anchor: %+v", c)
	}
	if c := s.Variants[1].Config.(*fakeConfig); c.Breaker.OpenFor != 3*time.Second || c.Breaker.Enabled {
		t.Errorf("baseline config from alias: %+v", c)
	}
}

func TestScaled(t *testing.T) {
	s, err := ReadFile("testdata/valid/shop.yaml", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Scaled(0.1)
	checkInvariants(t, c)
	if c.Load.Duration != 6*time.Second || s.Load.Duration != time.Minute {
		t.Errorf("load duration %v (original %v)", c.Load.Duration, s.Load.Duration)
	}
	if b := c.Faults[0].Base(); b.At != time.Second || b.Duration != 2*time.Second {
		t.Errorf("scaled fault %+v", b)
	}
	if b := s.Faults[0].Base(); b.At != 10*time.Second || b.Duration != 20*time.Second {
		t.Errorf("original fault changed: %+v", b)
	}
	if c.Faults[0].(*faults.Latency).Latency != 800*time.Millisecond {
		t.Errorf("fault attribute scaled: %+v", c.Faults[0])
	}
	if c.Load.Timeout != s.Load.Timeout || c.Window != s.Window {
		t.Errorf("timeout %v window %v changed", c.Load.Timeout, c.Window)
	}
	if c.Variants[1].Config != s.Variants[1].Config {
		t.Errorf("pattern config was copied or changed")
	}
	if c.Scaled(0).Load.Duration != c.Load.Duration || c.Scaled(-1).Load.Duration != c.Load.Duration {
		t.Errorf("a non-positive factor scaled the scenario")
	}

	staged, err := ReadFile("testdata/valid/staged.yaml", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	st := staged.Scaled(0.5)
	if st.Load.Stages[1].Duration != 10*time.Second || staged.Load.Stages[1].Duration != 20*time.Second {
		t.Errorf("stage %v (original %v)", st.Load.Stages[1].Duration, staged.Load.Stages[1].Duration)
	}
	// Rounding never pushes a fault past the end of the load.
	odd := staged.Scaled(1.0 / 3)
	checkInvariants(t, odd)
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		perSec  float64
		wantErr bool
	}{
		{in: "200/s", want: Rate{200, time.Second}, perSec: 200},
		{in: "600/m", want: Rate{600, time.Minute}, perSec: 10},
		{in: "50/100ms", want: Rate{50, 100 * time.Millisecond}, perSec: 500},
		{in: " 1 / 2s ", want: Rate{1, 2 * time.Second}, perSec: 0.5},
		{in: "36000/h", want: Rate{36000, time.Hour}, perSec: 10},
		{in: "0/s", want: Rate{0, time.Second}, perSec: 0},
		{in: "200", wantErr: true},
		{in: "fast", wantErr: true},
		{in: "-5/s", wantErr: true},
		{in: "5/0s", wantErr: true},
		{in: "5/-1s", wantErr: true},
		{in: "5/fortnight", wantErr: true},
		{in: "1.5/s", wantErr: true},
		{in: "99999999999999999999/s", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseRate(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if got != tt.want || got.PerSecond() != tt.perSec {
			t.Errorf("ParseRate(%q) = %v (%v/s), want %v (%v/s)", tt.in, got, got.PerSecond(), tt.want, tt.perSec)
		}
		if back, err := ParseRate(got.String()); err != nil || back != got {
			t.Errorf("ParseRate(%q.String() = %q) = %v, %v", tt.in, got.String(), back, err)
		}
	}
}

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		text    string
		unit    model.Unit
		want    float64
		wantErr bool
	}{
		{"95%", model.Ratio, 0.95, false},
		{"0.95", model.Ratio, 0.95, false},
		{"1", model.Ratio, 1, false},
		{"100%", model.Ratio, 1, false},
		{"1.5", model.Ratio, 0, true},
		{"150%", model.Ratio, 0, true},
		{"-1%", model.Ratio, 0, true},
		{"300ms", model.Seconds, 0.3, false},
		{"2", model.Seconds, 2, false},
		{"0.25", model.Seconds, 0.25, false},
		{"-1s", model.Seconds, 0, true},
		{"soon", model.Seconds, 0, true},
		{"1.5", model.Factor, 1.5, false},
		{"120", model.PerSecond, 120, false},
		{"95%", model.Factor, 0, true},
		{"NaN", model.Factor, 0, true},
		{"inf", model.Seconds, 0, true},
	}
	for _, tt := range tests {
		got, err := parseThreshold(tt.text, tt.unit)
		if (err != nil) != tt.wantErr || !tt.wantErr && got != tt.want {
			t.Errorf("parseThreshold(%q, %s) = %v, %v; want %v (error %v)", tt.text, tt.unit, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile("testdata/no-such-file.yaml", testCatalog)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a wrapped os.ErrNotExist", err)
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{File: "x.yaml", Line: 3, Col: 5, Field: "load.rate", Msg: "rate 0/s: must be above 0"}
	if got, want := p.String(), "x.yaml:3:5: load.rate: rate 0/s: must be above 0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p.Field = ""
	if got, want := p.String(), "x.yaml:3:5: rate 0/s: must be above 0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// checkInvariants asserts what every parsed scenario guarantees.
func checkInvariants(t *testing.T, s *Scenario) {
	t.Helper()
	if s == nil {
		t.Fatal("nil scenario without an error")
	}
	if !scenarioName.MatchString(s.Name) || s.Impl == nil || s.Window <= 0 {
		t.Errorf("name %q impl %v window %v", s.Name, s.Impl, s.Window)
	}
	l := s.Load
	var total time.Duration
	if len(l.Stages) > 0 {
		if l.Duration != 0 || l.Rate != (Rate{}) {
			t.Errorf("both stages and rate/duration")
		}
		for _, st := range l.Stages {
			if st.Duration <= 0 || st.Rate.Freq < 0 || st.Rate.Freq == 0 && !st.Ramp || st.Rate.PerSecond() > MaxRate {
				t.Errorf("bad stage %+v", st)
			}
			total += st.Duration
		}
	} else {
		if l.Duration <= 0 || l.Rate.Freq <= 0 || l.Rate.Per <= 0 || l.Rate.PerSecond() > MaxRate {
			t.Errorf("bad rate %v or duration %v", l.Rate, l.Duration)
		}
		total = l.Duration
	}
	if total <= 0 || total > MaxLoadDuration {
		t.Errorf("load lasts %v", total)
	}
	if l.Timeout <= 0 || l.Workers == 0 || l.Workers > MaxWorkers || l.Connections <= 0 || l.Connections > MaxConnections {
		t.Errorf("timeout %v workers %d connections %d", l.Timeout, l.Workers, l.Connections)
	}
	if len(l.Targets) == 0 {
		t.Errorf("no targets")
	}
	routes := make(map[string]bool)
	for _, tg := range l.Targets {
		burst := slices.ContainsFunc(l.Bursts, func(b Burst) bool { return b.Target == tg.Name })
		if !strings.HasPrefix(tg.Path, "/") || tg.Weight < 0 || tg.Weight == 0 && !burst || tg.Name == "" || routes[tg.Name] {
			t.Errorf("bad target %+v", tg)
		}
		if _, err := http.NewRequest(tg.Method, "http://127.0.0.1"+tg.Path, nil); err != nil {
			t.Errorf("target %+v makes no request: %v", tg, err)
		}
		routes[tg.Name] = true
	}
	for _, b := range l.Bursts {
		if b.Name == "" || b.Rate.Freq <= 0 || b.At < 0 || b.Duration <= 0 || b.At+b.Duration > total || !routes[b.Target] {
			t.Errorf("bad burst %+v", b)
		}
	}
	if len(s.Variants) == 0 {
		t.Errorf("no variants")
	}
	variants := make(map[string]bool)
	for _, v := range s.Variants {
		if !variantName.MatchString(v.Name) || variants[v.Name] || v.Config == nil ||
			!slices.Contains([]string{"pass", "violate", "report"}, v.Expect) || v.Expect == "report" && len(v.Params) == 0 {
			t.Errorf("bad variant %+v", v)
		}
		if err := s.Impl.Validate(v.Config); err != nil {
			t.Errorf("variant %s: %v", v.Name, err)
		}
		variants[v.Name] = true
	}
	topo := s.Impl.Topology()
	names := make(map[string]bool)
	for _, f := range s.Faults {
		b := f.Base()
		if b.Name == "" || names[b.Name] || b.At < 0 || b.At+b.Duration > total {
			t.Errorf("bad fault timing %+v (load %v)", b, total)
		}
		if b.Kind == "restart" && b.Duration != 0 || b.Kind != "restart" && b.Duration <= 0 {
			t.Errorf("bad fault duration %+v", b)
		}
		if e, ok := patterns.ParseEdge(b.Target); f.On() == faults.OnEdge && (!ok || !topo.HasEdge(e)) ||
			f.On() == faults.OnService && !topo.HasService(b.Target) {
			t.Errorf("bad fault target %+v", b)
		}
		if err := f.Validate(); err != nil {
			t.Errorf("fault %s: %v", b.Name, err)
		}
		names[b.Name] = true
	}
	for _, o := range s.SLOs {
		m, ok := model.LookupMetric(o.Metric)
		if !ok || o.Name == "" || o.Min == nil && o.Max == nil {
			t.Errorf("bad SLO %+v", o)
		}
		for _, th := range []*Threshold{o.Min, o.Max} {
			if th != nil && (th.Value < 0 || m.Unit == model.Ratio && th.Value > 1) {
				t.Errorf("SLO %q threshold %+v", o.Name, th)
			}
		}
		switch o.Phase {
		case "overall", "before", "during", "after":
		default:
			t.Errorf("SLO %q phase %q", o.Name, o.Phase)
		}
		for _, v := range o.Variants {
			if !variants[v] {
				t.Errorf("SLO %q variant %q", o.Name, v)
			}
		}
		if o.Route != "" && !routes[o.Route] || o.Fault != "" && !names[o.Fault] {
			t.Errorf("SLO %q route %q fault %q", o.Name, o.Route, o.Fault)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/*/*.yaml", "*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.yaml", src, testCatalog)
		if err != nil {
			if s != nil {
				t.Errorf("scenario returned with error %v", err)
			}
			var errs *Errors
			if !errors.As(err, &errs) || len(errs.Problems) == 0 {
				t.Fatalf("error %T %v is not *Errors with problems", err, err)
			}
			for _, p := range errs.Problems {
				if p.Line < 1 || p.Col < 1 || p.Msg == "" {
					t.Errorf("bad problem %+v", p)
				}
			}
			return
		}
		checkInvariants(t, s)
		checkInvariants(t, s.Scaled(0.1))
	})
}

func TestParseSweep(t *testing.T) {
	s, err := ReadFile("testdata/valid/sweep.yaml", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	var names []string
	for _, v := range s.Variants {
		names = append(names, v.Name)
	}
	wantNames := []string{
		"naive", "breaker",
		"open_for_500ms-failure_ratio_0.2", "open_for_500ms-failure_ratio_0.8",
		"open_for_2s-failure_ratio_0.2", "open_for_2s-failure_ratio_0.8",
		"open_for_8s-failure_ratio_0.2", "open_for_8s-failure_ratio_0.8",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("variants %q, want %q", names, wantNames)
	}
	// Listed variants are untouched; swept ones start from the base's
	// configuration (its overrides included), with their values on top.
	if v := s.Variants[1]; v.Params != nil || v.Expect != "pass" {
		t.Errorf("listed variant %+v", v)
	}
	v := s.Variants[5]
	want := fakeConfig{Timeout: 500 * time.Millisecond,
		Breaker: fakeBreaker{Enabled: true, FailureRatio: 0.8, OpenFor: 2 * time.Second, MinRequests: 20}}
	if c := v.Config.(*fakeConfig); *c != want {
		t.Errorf("swept config %+v, want %+v", *c, want)
	}
	if v.Expect != "report" || v.Baseline ||
		fmt.Sprint(v.Params) != "map[breaker.failure_ratio:0.8 breaker.open_for:2s]" {
		t.Errorf("swept variant expect %q baseline %v params %v", v.Expect, v.Baseline, v.Params)
	}
	// Every configuration has its own config value.
	if s.Variants[2].Config == s.Variants[3].Config || s.Variants[2].Config.(*fakeConfig).Breaker.OpenFor != 500*time.Millisecond {
		t.Errorf("configs shared or wrong: %+v", s.Variants[2].Config)
	}
	sw := s.Sweep
	if sw == nil || sw.Base != "breaker" || sw.Mode != SweepGrid || sw.Gate ||
		fmt.Sprint(sw.Params) != "[{breaker.open_for [500ms 2s 8s]} {breaker.failure_ratio [0.2 0.8]}]" {
		t.Fatalf("sweep %+v", sw)
	}
	// rank_by defaults: during the faults; lower first for a latency.
	if sw.RankBy != (RankBy{Metric: "p99", Phase: "during", Order: "asc"}) {
		t.Errorf("rank_by %+v", sw.RankBy)
	}
	// SLOs may name swept variants.
	if got := s.SLOs[1].Variants; len(got) != 1 || got[0] != "open_for_2s-failure_ratio_0.8" {
		t.Errorf("slo variants %v", got)
	}
}

func TestParseSweepModes(t *testing.T) {
	const head = `
name: modes
pattern: fake-breaker
load: {rate: 10/s, duration: 30s, targets: [{path: /x}]}
faults: [{name: f, kind: latency, target: shop->payments, at: 5s, duration: 5s, latency: 1s}]
`
	tests := []struct {
		name   string
		sweep  string
		names  []string
		expect string
		rankBy RankBy
	}{
		{
			name:   "each from the baseline, gated",
			sweep:  "variants: [{name: naive, baseline: true}]\nsweep: {base: naive, mode: each, gate: true, params: {timeout: [1s, 3s], breaker.open_for: [1m]}, rank_by: {metric: time_to_recover}}",
			names:  []string{"naive", "timeout_1s", "timeout_3s", "open_for_1m"},
			expect: "pass",
			rankBy: RankBy{Metric: "time_to_recover", Phase: "after", Order: "asc"},
		},
		{
			name:   "an empty list of values",
			sweep:  "sweep: {params: {breaker.failure_ratio: [0.5], timeout: []}}",
			names:  nil, // a problem
			rankBy: RankBy{Metric: "success", Phase: "during", Order: "desc"},
		},
		{
			name:   "sweep only, rank by success on a fault, ascending",
			sweep:  "sweep: {params: {breaker.min_requests: [5, 50]}, rank_by: {metric: success, fault: f, order: asc}}",
			names:  []string{"min_requests_5", "min_requests_50"},
			expect: "report",
			rankBy: RankBy{Metric: "success", Phase: "during", Fault: "f", Order: "asc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("modes.yaml", []byte(head+tt.sweep), testCatalog)
			if tt.names == nil {
				if err == nil {
					t.Fatalf("loaded, want a problem")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, s)
			var names []string
			for _, v := range s.Variants {
				names = append(names, v.Name)
				if v.Params != nil && v.Expect != tt.expect {
					t.Errorf("%s: expect %q, want %q", v.Name, v.Expect, tt.expect)
				}
			}
			if !slices.Equal(names, tt.names) {
				t.Errorf("variants %q, want %q", names, tt.names)
			}
			if s.Sweep.RankBy != tt.rankBy {
				t.Errorf("rank_by %+v, want %+v", s.Sweep.RankBy, tt.rankBy)
			}
		})
	}
	// In mode each, the other parameters keep the base's values.
	s, err := Parse("modes.yaml", []byte(head+tests[0].sweep), testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Variants[3].Config.(*fakeConfig); c.Timeout != time.Second || c.Breaker.OpenFor != time.Minute || c.Breaker.Enabled || !s.Variants[3].Baseline {
		t.Errorf("each: %+v baseline %v", c, s.Variants[3].Baseline)
	}
}

func TestSweepLimit(t *testing.T) {
	const src = `
name: big
pattern: fake-breaker
load: {rate: 10/s, duration: 30s, targets: [{path: /x}]}
sweep:
  mode: %s
  params:
    breaker.open_for: [1s, 2s, 3s, 4s]
    breaker.failure_ratio: [0.1, 0.2, 0.3, 0.4, 0.5]
`
	// A grid of 4 x 5 is too big; each parameter in turn is 9.
	if _, err := Parse("big.yaml", fmt.Appendf(nil, src, "grid"), testCatalog); err == nil || !strings.Contains(err.Error(), "expands into 20 variants") {
		t.Errorf("grid: %v, want too many variants", err)
	}
	s, err := Parse("big.yaml", fmt.Appendf(nil, src, "each"), testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Variants) != 9 {
		t.Errorf("each: %d variants, want 9", len(s.Variants))
	}
}

func TestShortKeys(t *testing.T) {
	params := func(keys ...string) []sweepParam {
		var ps []sweepParam
		for _, k := range keys {
			ps = append(ps, sweepParam{key: k, segs: strings.Split(k, ".")})
		}
		return ps
	}
	tests := []struct {
		keys, want []string
	}{
		{[]string{"breaker.open_wait"}, []string{"open_wait"}},
		{[]string{"breaker.open_wait", "breaker.failure_ratio"}, []string{"open_wait", "failure_ratio"}},
		{[]string{"shop.capacity.workers", "payments.capacity.workers"}, []string{"shop.capacity.workers", "payments.capacity.workers"}},
		{[]string{"timeout", "shop.timeout"}, []string{"timeout", "shop.timeout"}},
	}
	for _, tt := range tests {
		if got := shortKeys(params(tt.keys...)); !slices.Equal(got, tt.want) {
			t.Errorf("shortKeys(%q) = %q, want %q", tt.keys, got, tt.want)
		}
	}
}
