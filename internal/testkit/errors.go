package testkit

import (
	"strings"
	"testing"
)

// ErrorContains fails t unless err, returned by call ("Validate()"), holds
// every string of want; with no want, unless err is nil.
func ErrorContains(t testing.TB, call string, err error, want []string) {
	t.Helper()
	switch {
	case len(want) == 0:
		if err != nil {
			t.Fatalf("%s = %v, want nil", call, err)
		}
		return
	case err == nil:
		t.Fatalf("%s = nil, want %q", call, want)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s = %q, want it to contain %q", call, err, w)
		}
	}
}

// ConfigCase is one configuration a Validate is tried on: the defaults
// (or the baseline, with Base) changed by Mutate; Want lists what the error
// must hold, none when the configuration is valid.
type ConfigCase[C any] struct {
	Name   string
	Base   bool
	Mutate func(c *C)
	Want   []string
}

// Validate runs each case as a subtest on a fresh configuration from def
// (or base), checking what validate answers with ErrorContains. A
// pattern's test passes its DefaultConfig, BaselineConfig and Validate.
func Validate[C any](t *testing.T, def, base func() any, validate func(any) error, cases []ConfigCase[C]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			c := def().(*C)
			if tt.Base {
				c = base().(*C)
			}
			if tt.Mutate != nil {
				tt.Mutate(c)
			}
			ErrorContains(t, "Validate()", validate(c), tt.Want)
		})
	}
}
