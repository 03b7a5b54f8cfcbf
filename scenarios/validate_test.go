package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
)

// rejectingPattern is the fake pattern with a Validate that returns err.
type rejectingPattern struct {
	fakePattern
	err error
}

func (p rejectingPattern) Validate(any) error { return p.err }

// TestFieldErrorPlacement pins where a configuration's Validate errors are
// reported: at the field the file sets, else at the only field below the
// variant's config that ends in the error's path, else at the config as
// "path: message"; a plain error, which has no path, at the config as it
// reads.
func TestFieldErrorPlacement(t *testing.T) {
	const src = `name: placement
pattern: fake-breaker
variants:
  - name: v
    config:
      timeout: 1s
      breaker:
        open_for: 2s
load:
  rate: 10/s
  duration: 30s
  targets:
    - path: /checkout
`
	const at = "placement.yaml:"
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"set field", field.Errorf("timeout", "too short"),
			[]string{at + "6:16: variants[0].config.timeout: too short"}},
		{"nested", field.In("breaker", field.Errorf("open_for", "too long")),
			[]string{at + "8:19: variants[0].config.breaker.open_for: too long"}},
		{"inline struct: the only field of that name below", field.Errorf("open_for", "too long"),
			[]string{at + "8:19: variants[0].config.breaker.open_for: too long"}},
		{"field the file leaves out", field.Errorf("breaker.min_requests", "too few"),
			[]string{at + "5:5: variants[0].config: breaker.min_requests: too few"}},
		{"plain error", errors.New("breaker.open_for: too long"),
			[]string{at + "5:5: variants[0].config: breaker.open_for: too long"}},
		{"joined", errors.Join(field.Errorf("timeout", "too short"), field.In("breaker", field.Errorf("open_for", "too long"))),
			[]string{at + "6:16: variants[0].config.timeout: too short", at + "8:19: variants[0].config.breaker.open_for: too long"}},
		{"wrapped field error", fmt.Errorf("context: %w", field.Errorf("timeout", "too short")),
			[]string{at + "6:16: variants[0].config.timeout: too short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := patterns.Catalog{rejectingPattern{err: tt.err}}
			_, err := Parse("placement.yaml", []byte(src), cat)
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %v, want *Errors", err)
			}
			if got, want := errs.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
