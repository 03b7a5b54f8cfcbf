package scenarios

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/reports/model"
)

func TestParseCompareTolerances(t *testing.T) {
	src, err := os.ReadFile("testdata/valid/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, section string
		want          map[string]model.Tolerance
		problems      []string
	}{
		{"none", "", nil, nil},
		{"overrides", "compare:\n  tolerance:\n    p99: {abs: 80ms, rel: 50%}\n    success: {abs: 1%}\n",
			map[string]model.Tolerance{
				"p99":     {Abs: 0.08, Rel: 0.5},
				"success": {Abs: 0.01, Rel: model.DefaultTolerances["success"].Rel},
			}, nil},
		{"bad", "compare:\n  tolerance:\n    p95: {abs: 1ms}\n    p99: {abs: soon}\n    rate: {rel: 2}\n",
			nil, []string{
				`compare.tolerance.p95: unknown metric "p95"`,
				`compare.tolerance.p99.abs: invalid duration "soon"`,
				`compare.tolerance.rate.rel: invalid ratio "2"`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("shop.yaml", append(src, "\n"+tt.section...), testCatalog)
			for _, p := range tt.problems {
				if err == nil || !strings.Contains(err.Error(), p) {
					t.Errorf("problems %v lack %q", err, p)
				}
			}
			if tt.problems != nil {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := s.tolerances()
			if len(got) != len(tt.want) {
				t.Fatalf("tolerances %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if g := got[k]; !near(g.Abs, w.Abs) || !near(g.Rel, w.Rel) {
					t.Errorf("%s: %+v, want %+v", k, g, w)
				}
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
