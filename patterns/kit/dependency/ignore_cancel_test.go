package dependency

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns/kit/service"
)

// TestIgnoreCancel checks that a caller who has gone still costs the
// service its queue wait and full service time with IgnoreCancel, and
// nothing without it. It runs in a synctest bubble, so service times pass
// on the bubble's clock and the second request surely queues behind the
// first.
func TestIgnoreCancel(t *testing.T) {
	const serviceTime = 40 * time.Millisecond
	tests := []struct {
		ignore     bool
		wantServed bool
		minTime    time.Duration // for the second, queued, request
		maxTime    time.Duration
	}{
		{ignore: false, wantServed: false, minTime: 0, maxTime: 0},                           // rejected at once
		{ignore: true, wantServed: true, minTime: 2 * serviceTime, maxTime: 2 * serviceTime}, // its wait, then its service
	}
	for _, tt := range tests {
		t.Run(map[bool]string{false: "stops", true: "ignores"}[tt.ignore], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := Config{
					Latency:       Latency{Dist: Constant, Mean: serviceTime},
					Capacity:      service.Capacity{Workers: 1, Queue: 1, QueueTimeout: time.Second},
					ResponseBytes: 8,
					IgnoreCancel:  tt.ignore,
				}
				h := Handler("dep", c, 1, prometheus.NewRegistry())
				gone, cancel := context.WithCancel(context.Background())
				cancel()

				// The first request takes the only worker (its caller stays);
				// the second, whose caller has gone, must queue behind it.
				var wg sync.WaitGroup
				wg.Go(func() {
					h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
				})
				synctest.Wait() // the first request holds the worker
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil).WithContext(gone))
				took := time.Since(start)
				wg.Wait()

				if got := rec.Code == http.StatusOK && rec.Body.Len() == 8; got != tt.wantServed {
					t.Errorf("served the request: %v, want %v (code %d, %d bytes)", got, tt.wantServed, rec.Code, rec.Body.Len())
				}
				if took < tt.minTime || took > tt.maxTime {
					t.Errorf("the gone caller's request took %v, want within [%v, %v]", took, tt.minTime, tt.maxTime)
				}
			})
		})
	}
}
