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
