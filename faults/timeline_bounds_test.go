package faults_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/faultline/faultline/faults"
)

// heldFault's Apply blocks until its context ends, as a PUT to a paused
// service does; its Revert fails failReverts times first.
type heldFault struct {
	faults.Common
	hold        bool
	failReverts int
	reverts     int
	start       time.Time
	log         *callLog
}

func (f *heldFault) On() faults.On   { return faults.OnService }
func (f *heldFault) Validate() error { return nil }

func (f *heldFault) Apply(ctx context.Context, _ faults.Target) error {
	f.log.add("apply " + f.Name + " @" + time.Since(f.start).String())
	if f.hold {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *heldFault) Revert(ctx context.Context, _ faults.Target) error {
	f.reverts++
	if f.reverts <= f.failReverts {
		return errors.New("connection refused")
	}
	f.log.add("revert " + f.Name + " @" + time.Since(f.start).String())
	return nil
}

// TestTimelineStuckApply is the case: a pause of payments for 2s,
// and an http_error on payments 0.5s later whose PUT the paused service
// holds. The pause must be reverted at 2s (it was at 18.65s), the held
// apply must end at its timeout, and the record must say so.
func TestTimelineStuckApply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start, log := time.Now(), &callLog{}
		pause := &heldFault{Common: faults.Common{Name: "pause", Duration: 2 * time.Second}, start: start, log: log}
		httpErr := &heldFault{Common: faults.Common{Name: "http", At: 500 * time.Millisecond, Duration: 10 * time.Second}, hold: true, start: start, log: log}
		tl := faults.NewTimeline([]faults.Fault{pause, httpErr})
		err := tl.Run(t.Context(), nil, start, nil)
		if err == nil || !strings.Contains(err.Error(), `fault "http": apply: timed out after 5s`) {
			t.Errorf("Run = %v, want the held apply's timeout", err)
		}
		want := []string{"apply pause @0s", "apply http @500ms", "revert pause @2s", "revert http @10.5s"}
		if calls := log.take(); !slices.Equal(calls, want) {
			t.Errorf("steps\n%q\nwant\n%q", calls, want)
		}
		recs := tl.Records()
		if r := recs[0]; r.Reverted != 2*time.Second || r.Err != nil {
			t.Errorf("pause: %+v, want reverted at 2s", r)
		}
		if r := recs[1]; r.Err == nil || r.State != faults.StateReverted {
			t.Errorf("http: %+v, want its apply error recorded and a revert", r)
		}
	})
}

// TestTimelineRevertRetried pins that a failed revert is tried again, and
// that the record says what happened.
func TestTimelineRevertRetried(t *testing.T) {
	tests := []struct {
		name     string
		fails    int
		wantErr  string
		wantNote string
	}{
		{"succeeds on the third attempt", 2, "", "revert succeeded on attempt 3 after: attempt 1: connection refused"},
		{"fails every attempt", faults.RevertAttempts, `fault "f": revert failed 3 times`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start, log := time.Now(), &callLog{}
				f := &heldFault{Common: faults.Common{Name: "f", Duration: time.Second}, failReverts: tt.fails, start: start, log: log}
				tl := faults.NewTimeline([]faults.Fault{f})
				err := tl.Run(t.Context(), nil, start, nil)
				r := tl.Records()[0]
				if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Errorf("Run = %v, want %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(r.Note, tt.wantNote) || tt.wantNote == "" && r.Note != "" {
					t.Errorf("note %q, want %q", r.Note, tt.wantNote)
				}
				if f.reverts != min(tt.fails+1, faults.RevertAttempts) {
					t.Errorf("%d revert attempts", f.reverts)
				}
			})
		})
	}
}
