package faults_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestTimelineBeforeFirst checks the steady-state gate: it is asked once,
// when the first fault is due; refused, no fault is applied.
func TestTimelineBeforeFirst(t *testing.T) {
	tests := []struct {
		name  string
		gate  error
		steps []string
	}{
		{"steady", nil, []string{"gate @1s", "apply a @1s", "apply b @2s", "revert a @3s", "revert b @4s"}},
		{"not steady", errors.New("system not steady"), []string{"gate @1s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tl, _, log, start := timeline("a 1s 2s", "b 2s 2s")
				tl.BeforeFirst = func(context.Context) error {
					log.add("gate @" + time.Since(start).String())
					return tc.gate
				}
				err := tl.Run(t.Context(), nil, start, nil)
				if calls := log.take(); !slices.Equal(calls, tc.steps) {
					t.Errorf("steps %q, want %q", calls, tc.steps)
				}
				if tc.gate == nil && err != nil || tc.gate != nil && (err == nil || !strings.Contains(err.Error(), "system not steady")) {
					t.Errorf("Run = %v, want the gate's error (%v)", err, tc.gate)
				}
			})
		})
	}
}
