package service

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestLimiterQueuesThenRejects fills the workers and the queue with held
// requests and checks what the next ones get. It runs in a synctest bubble:
// synctest.Wait returns once every request is served, queued or rejected,
// and the queue timeout passes on the bubble's clock.
func TestLimiterQueuesThenRejects(t *testing.T) {
	tests := []struct {
		name         string
		cap          Capacity
		held         int // requests kept busy
		wantRejected int // of one more burst of 3
	}{
		{"room for all", Capacity{Workers: 4, Queue: 4}, 2, 0},
		{"workers full, queue takes them", Capacity{Workers: 2, Queue: 3}, 2, 0},
		{"workers and queue full", Capacity{Workers: 2, Queue: 1}, 3, 3},
		{"no queue", Capacity{Workers: 1, Queue: 0}, 1, 3},
		{"queue timeout", Capacity{Workers: 1, Queue: 5, QueueTimeout: 20 * time.Millisecond}, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				reg := prometheus.NewRegistry()
				l := NewLimiter(tt.cap, "test", reg)
				release := make(chan struct{})
				h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))

				var wg sync.WaitGroup
				serve := func(codes chan<- int) {
					defer wg.Done()
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
					codes <- rec.Code
				}
				heldCodes := make(chan int, tt.held)
				for range tt.held {
					wg.Add(1)
					go serve(heldCodes)
				}
				synctest.Wait() // each held request has a worker or its place in the queue
				if got := len(l.slots) + int(l.waiting.Load()); got != tt.held {
					t.Fatalf("%d requests in the workers and queue, want the %d held", got, tt.held)
				}

				burst := make(chan int, 3)
				for range 3 {
					wg.Add(1)
					go serve(burst)
				}
				// Rejections are immediate, or after the queue timeout:
				// let it pass, then let everyone finish.
				time.Sleep(100 * time.Millisecond)
				close(release)
				wg.Wait()
				close(burst)
				rejected := 0
				for c := range burst {
					if c == http.StatusServiceUnavailable {
						rejected++
					}
				}
				if rejected != tt.wantRejected {
					t.Errorf("rejected %d of the burst, want %d", rejected, tt.wantRejected)
				}
				if got := testutil.ToFloat64(l.rejected); int(got) != tt.wantRejected {
					t.Errorf("faultline_capacity_rejected_total = %v, want %d", got, tt.wantRejected)
				}
			})
		})
	}
}

func TestCapacityValidate(t *testing.T) {
	tests := []struct {
		cap  Capacity
		want string
	}{
		{Capacity{Workers: 1}, ""},
		{Capacity{Workers: 0}, "workers: must be > 0, got 0"},
		{Capacity{Workers: 1, Queue: -1}, "queue: must be >= 0, got -1"},
		{Capacity{Workers: 1, QueueTimeout: -time.Second}, "queue_timeout: must be >= 0, got -1s"},
	}
	for _, tt := range tests {
		got := ""
		if err := tt.cap.Validate(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v.Validate() = %q, want %q", tt.cap, got, tt.want)
		}
	}
}

// TestWrapCountsAndExemptsHealth checks the request counter and that
// health and metrics never see injected faults.
func TestWrapCountsAndExemptsHealth(t *testing.T) {
	reg := prometheus.NewRegistry()
	data, control := Wrap("svc", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}), reg, 1)
	srv := httptest.NewServer(data)
	defer srv.Close()
	ctl := httptest.NewServer(control)
	defer ctl.Close()

	req, _ := http.NewRequest(http.MethodPut, ctl.URL+FaultsPath+"/all", strings.NewReader(`{"kind":"error","rate":1,"status":500}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("put fault: %v %v", err, resp)
	}
	for path, want := range map[string]int{"/x": 500, HealthPath: 200, ctl.URL + MetricsPath: 200} {
		if !strings.HasPrefix(path, "http") {
			path = srv.URL + path
		}
		resp, err := http.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "faultline_http_requests_total"); err != nil || n != 1 {
		t.Errorf("faultline_http_requests_total series = %d (%v), want 1 (code 500 only)", n, err)
	}
}
