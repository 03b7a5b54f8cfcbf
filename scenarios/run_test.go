package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/testbeds"
)

// fakeTestbed deploys one in-process HTTP server as the whole topology.
type fakeTestbed struct {
	deployErr error
	closeErr  error
	metrics   string // the metrics URL; the server's /metrics when ""
	closed    atomic.Bool
}

func (*fakeTestbed) Name() string { return "fake" }

func (tb *fakeTestbed) Deploy(ctx context.Context, v testbeds.Variant) (testbeds.Deployment, error) {
	if tb.deployErr != nil {
		return nil, tb.deployErr
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			fmt.Fprintln(w, "faultline_up 1")
		}
	}))
	return &fakeDeployment{tb: tb, srv: srv}, nil
}

type fakeDeployment struct {
	tb  *fakeTestbed
	srv *httptest.Server
}

func (d *fakeDeployment) Entry() string { return d.srv.URL }

func (d *fakeDeployment) MetricsURLs() map[string]string {
	if d.tb.metrics != "" {
		return map[string]string{"shop": d.tb.metrics}
	}
	return map[string]string{"shop": d.srv.URL + "/metrics"}
}

func (d *fakeDeployment) Close(context.Context) error {
	d.srv.Close()
	d.tb.closed.Store(true)
	return d.tb.closeErr
}

func (*fakeDeployment) Proxy(string) (*toxiproxy.Proxy, error) { return nil, errors.New("no proxies") }
func (*fakeDeployment) FaultURL(string) (string, error)        { return "", errors.New("no fault API") }
func (*fakeDeployment) Kill(context.Context, string) error     { return errors.New("cannot kill") }
func (*fakeDeployment) Restart(context.Context, string) error  { return errors.New("cannot restart") }

// countingFault counts its applies and reverts; its reverts fail with
// revertErr.
type countingFault struct {
	faults.Common
	revertErr         error
	applied, reverted atomic.Int32
}

func (*countingFault) On() faults.On   { return faults.OnService }
func (*countingFault) Validate() error { return nil }

func (f *countingFault) Apply(context.Context, faults.Target) error {
	f.applied.Add(1)
	return nil
}

func (f *countingFault) Revert(context.Context, faults.Target) error {
	f.reverted.Add(1)
	return f.revertErr
}

// TestRunVariant runs one variant on an in-process testbed and checks what
// each step leaves in the report: deploy and teardown timings, windows,
// samples and the fault's record, and how failures mark the variant.
func TestRunVariant(t *testing.T) {
	tests := []struct {
		name        string
		tb          *fakeTestbed // a working one when nil
		revertErr   error
		cancel      bool // cancel the run once the fault is applied
		wantErr     string
		wantPartial bool
		wantError   string // in the report's variant
	}{
		{name: "runs"},
		{name: "deploy fails", tb: &fakeTestbed{deployErr: errors.New("no room")},
			wantErr: "deploy: no room", wantPartial: true, wantError: "no room"},
		{name: "teardown fails", tb: &fakeTestbed{closeErr: errors.New("stuck")}, wantError: "teardown: stuck"},
		{name: "a revert fails: recorded, the run goes on", revertErr: errors.New("still slow"), wantError: "still slow"},
		{name: "sampling fails", tb: &fakeTestbed{metrics: "::not a URL"},
			wantErr: "sampler", wantPartial: true, wantError: "sampler"},
		{name: "cancelled", cancel: true, wantErr: context.Canceled.Error(), wantPartial: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &countingFault{
				Common:    faults.Common{Name: "slow", Kind: "counting", Target: "payments", Duration: 100 * time.Millisecond},
				revertErr: tt.revertErr,
			}
			s := &Scenario{
				Name:   "run",
				Window: 100 * time.Millisecond,
				Load: Load{
					Rate: Rate{Freq: 20, Per: time.Second}, Duration: 400 * time.Millisecond,
					Timeout: time.Second, Workers: 4, Connections: 4,
					Targets: []Target{{Name: "GET /", Method: http.MethodGet, Path: "/", Weight: 1}},
				},
				Faults: []faults.Fault{f},
				Impl:   fakePattern{},
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				go func() {
					for f.applied.Load() == 0 && ctx.Err() == nil {
						time.Sleep(time.Millisecond)
					}
					cancel()
				}()
			}
			tb := tt.tb
			if tb == nil {
				tb = &fakeTestbed{}
			}
			run := &model.Run{}
			o := Options{Testbed: tb, Dir: t.TempDir(), SampleEvery: 50 * time.Millisecond}
			rv, err := runVariant(ctx, s, Variant{Name: "v"}, 1, o, run, 1)

			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("runVariant: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("runVariant = %v, want an error with %q", err, tt.wantErr)
			}
			if rv == nil || rv.Name != "v" || len(rv.Faults) != 1 || rv.Faults[0].Name != "slow" {
				t.Fatalf("report variant = %+v, want v with its fault", rv)
			}
			if rv.Partial != tt.wantPartial {
				t.Errorf("partial = %v, want %v", rv.Partial, tt.wantPartial)
			}
			if (tt.wantError == "") != (rv.Error == "") || !strings.Contains(rv.Error, tt.wantError) {
				t.Errorf("report error = %q, want %q in it", rv.Error, tt.wantError)
			}
			var timings []string
			for _, x := range run.Timings {
				timings = append(timings, x.Name)
			}
			if tb.deployErr != nil {
				if len(timings) != 0 || tb.closed.Load() {
					t.Errorf("a failed deploy: timings %v, torn down %v; want none", timings, tb.closed.Load())
				}
				return
			}
			if got := strings.Join(timings, ", "); got != "topology ready, teardown" || !tb.closed.Load() {
				t.Errorf("timings %q, torn down %v; want topology ready, teardown", got, tb.closed.Load())
			}
			wantReverts := f.applied.Load()
			if tt.revertErr != nil {
				wantReverts *= faults.RevertAttempts // a failed revert is tried again
			}
			if a, r := f.applied.Load(), f.reverted.Load(); a > 1 || r != wantReverts {
				t.Errorf("fault applied %d times, reverted %d times; want each applied fault reverted once (%d attempts when it fails)", a, r, faults.RevertAttempts)
			}
			if ev := rv.Faults[0]; f.applied.Load() == 1 && tt.revertErr == nil && ev.Reverted < ev.Applied {
				t.Errorf("fault recorded applied at %s, reverted at %s", ev.Applied, ev.Reverted)
			}
			if tt.revertErr != nil && rv.Faults[0].Error == "" {
				t.Errorf("the failed revert is not on the fault's record")
			}
			if tt.wantErr == "" && (len(rv.Windows) == 0 || len(rv.Series) == 0) {
				t.Errorf("%d windows, %d series; want some of each", len(rv.Windows), len(rv.Series))
			}
		})
	}
}
