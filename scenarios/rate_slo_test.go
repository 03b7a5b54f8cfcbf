package scenarios

import (
	"testing"

	"github.com/faultline/faultline/patterns"
)

// TestRateSLOComparesWithPlan checks that an SLO on rate without bounds
// asks for 99% of the plan, that a percentage is a share of the plan, and
// that a number stays a rate per second.
func TestRateSLOComparesWithPlan(t *testing.T) {
	const src = `name: rate
pattern: fake-breaker
variants:
  - name: v
load:
  rate: 100/s
  duration: 10s
  targets:
    - path: /checkout
slo:
  - {name: default, metric: rate}
  - {name: share, metric: rate, min: 95%}
  - {name: absolute, metric: rate, min: 90, max: 110%}
`
	s, err := Parse("rate.yaml", []byte(src), patterns.Catalog{fakePattern{}})
	if err != nil {
		t.Fatal(err)
	}
	type bound struct {
		value  float64
		ofPlan bool
	}
	want := map[string][2]*bound{
		"default":  {{0.99, true}, nil},
		"share":    {{0.95, true}, nil},
		"absolute": {{90, false}, {1.10, true}},
	}
	for _, slo := range s.SLOs {
		w := want[slo.Name]
		for i, th := range []*Threshold{slo.Min, slo.Max} {
			switch {
			case (th == nil) != (w[i] == nil):
				t.Errorf("%s bound %d = %+v, want %+v", slo.Name, i, th, w[i])
			case th != nil && (th.Value != w[i].value || th.OfPlan != w[i].ofPlan):
				t.Errorf("%s bound %d = %+v, want %+v", slo.Name, i, *th, *w[i])
			}
		}
	}
}
