package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// steadySrc is a scenario with a fault at 5s and an SLO before it; tests
// replace its marked lines.
const steadySrc = `name: steady
pattern: fake-breaker
steady_state: true
variants:
  - name: v
load:
  rate: 10/s
  duration: 20s
  timeout: 1s
  targets:
    - path: /checkout
faults:
  - {name: slow, kind: latency, target: shop->payments, at: 5s, duration: 5s, latency: 100ms}
slo:
  - {name: steady, metric: success, phase: before, min: 99%}
  - {name: fast, metric: p99, phase: during, max: 1s, abort_after: 2s}
`

func TestValidateSteadyAndAbort(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           string // "" = valid
	}{
		{"valid", "", "", ""},
		{"no SLO before the first fault", "phase: before", "phase: after", "steady.yaml:3:15: steady_state: needs an SLO of phase before (all faults, or fault slow) to check"},
		{"first fault too early", "at: 5s", "at: 2s", "steady.yaml:3:15: steady_state: the first fault (slow) starts at 2s, before a window can be judged: start it at 3s or later (2 windows + the client's timeout)"},
		{"no fault", "faults:\n  - {name: slow, kind: latency, target: shop->payments, at: 5s, duration: 5s, latency: 100ms}\n", "", "steady_state: needs a fault"},
		{"zero abort_after", "abort_after: 2s", "abort_after: 0s", "steady.yaml:16:68: slo[1].abort_after: must be > 0 (how long the SLO stays breached before the run stops), got 0s"},
		{"abort_after on a metric of the whole run", "metric: p99, phase: during", "metric: time_to_recover, phase: after", "slo[1].abort_after: metric time_to_recover cannot be judged while the run goes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := steadySrc
			if tc.from != "" {
				src = strings.Replace(src, tc.from, tc.to, 1)
			}
			s, err := Parse("steady.yaml", []byte(src), testCatalog)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !s.SteadyState || s.SLOs[1].AbortAfter.String() != "2s" {
					t.Errorf("steady_state %v, abort_after %v", s.SteadyState, s.SLOs[1].AbortAfter)
				}
				return
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %v, want *Errors", err)
			}
			var got []string
			for _, p := range errs.Problems {
				if strings.Contains(p.String(), tc.want) {
					return
				}
				got = append(got, p.String())
			}
			t.Errorf("no problem %q among\n  %s", tc.want, strings.Join(got, "\n  "))
		})
	}
}
