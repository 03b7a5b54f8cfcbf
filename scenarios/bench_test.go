package scenarios_test

import (
	"context"
	"testing"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds/local"
)

// harness is a healthy circuit-breaker topology under 2,000 requests per
// second: two Toxiproxy hops, windowed aggregation and metrics sampling on.
const harness = `
name: harness
pattern: circuit-breaker
variants:
  - name: breaker
load:
  rate: 2000/s
  duration: 5s
  timeout: 500ms
  targets:
    - {name: checkout, method: POST, path: /checkout}
`

// BenchmarkHarness2000rps measures the share of the requested rate the
// harness actually delivers (goal: >= 0.99). Run it with -benchtime=1x:
// each iteration is a 5-second run.
func BenchmarkHarness2000rps(b *testing.B) {
	s, err := scenarios.Parse("harness.yaml", []byte(harness), catalog.All())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		run, err := scenarios.Run(context.Background(), s, scenarios.Options{Testbed: local.New(), Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		v := run.Variants[0]
		var sent, ok int64
		for _, w := range v.Windows {
			sent += w.Count
			ok += w.Success
		}
		requested := 2000 * s.Total().Seconds()
		b.ReportMetric(float64(sent)/requested, "delivered/requested")
		b.ReportMetric(float64(ok)/float64(max(sent, 1)), "success")
		b.ReportMetric(float64(sent)/s.Total().Seconds(), "req/s")
		b.ReportMetric(v.Headline.Overall.P99.Seconds()*1000, "p99-ms")
	}
}
