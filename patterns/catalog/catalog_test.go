package catalog

import (
	"context"
	"reflect"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
)

// TestEveryPatternBuilds checks what every pattern must do whatever it is:
// a unique name, defaults and a baseline that validate and differ, and
// every service built (and stopped) from both.
func TestEveryPatternBuilds(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		t.Run(p.Name(), func(t *testing.T) {
			if seen[p.Name()] {
				t.Fatalf("two patterns are called %q", p.Name())
			}
			seen[p.Name()] = true
			if got, err := All().Lookup(p.Name()); err != nil || got.Name() != p.Name() {
				t.Errorf("Lookup(%q) = %v, %v", p.Name(), got, err)
			}
			if p.Description() == "" {
				t.Error("no description")
			}
			configs := map[string]any{"defaults": p.DefaultConfig(), "baseline": p.BaselineConfig()}
			if reflect.DeepEqual(configs["defaults"], configs["baseline"]) {
				t.Error("the baseline is the defaults: it must switch the pattern off")
			}
			for name, cfg := range configs {
				if err := p.Validate(cfg); err != nil {
					t.Errorf("%s: Validate = %v", name, err)
					continue
				}
				for _, s := range p.Topology().Services {
					h, stop, err := p.Handler(context.Background(), s, cfg, patterns.Env{
						Upstream: func(string) string { return "http://127.0.0.1:1" },
						Seed:     1,
						Registry: prometheus.NewRegistry(),
						DataDir:  t.TempDir(),
					})
					if err != nil || h == nil || stop == nil {
						t.Errorf("%s: Handler(%s) = %v, stop nil: %v", name, s, err, stop == nil)
						continue
					}
					stop()
				}
			}
		})
	}
}
