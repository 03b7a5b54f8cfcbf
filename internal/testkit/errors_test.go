package testkit

import (
	"errors"
	"fmt"
	"testing"
)

// recorder records every failure instead of ending the test.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func TestErrorContains(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
		fail []string
	}{
		{"nil as wanted", nil, nil, nil},
		{"an error where none is wanted", errors.New("x: bad"), nil, []string{"Validate() = x: bad, want nil"}},
		{"nil where one is wanted", nil, []string{"x"}, []string{`Validate() = nil, want ["x"]`}},
		{"every string held", errors.New("a: one\nb: two"), []string{"a: one", "b: two"}, nil},
		{"a string missing", errors.New("a: one"), []string{"a: one", "b: two"},
			[]string{`Validate() = "a: one", want it to contain "b: two"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			ErrorContains(r, "Validate()", tt.err, tt.want)
			if fmt.Sprint(r.failures) != fmt.Sprint(tt.fail) {
				t.Errorf("failures = %q, want %q", r.failures, tt.fail)
			}
		})
	}
}
