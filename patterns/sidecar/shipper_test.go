package sidecar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/faultline/faultline/internal/testkit"
)

// fakeReceiver records the batches a shipper sends; gate, when not nil,
// holds every send until it is closed or the send's context ends.
type fakeReceiver struct {
	mu      sync.Mutex
	batches [][]byte
	calls   int
	err     error
	gate    chan struct{}
	entered chan struct{} // receives one value per call, when not nil
}

func (f *fakeReceiver) send(ctx context.Context, body []byte) error {
	f.mu.Lock()
	f.calls++
	gate, entered, err := f.gate, f.entered, f.err
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.batches = append(f.batches, bytes.Clone(body))
	f.mu.Unlock()
	return nil
}

func (f *fakeReceiver) snapshot() (calls int, batches [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, append([][]byte(nil), f.batches...)
}

func newTestShipper(t *testing.T, cfg BufferConfig, f *fakeReceiver) (*shipper, *counters) {
	t.Helper()
	reg := prometheus.NewRegistry()
	c := newCounters(whereApp, reg)
	s := startShipper(cfg, time.Second, f.send, c, whereApp, reg)
	t.Cleanup(s.Stop)
	return s, c
}

func TestShipperBatches(t *testing.T) {
	tests := []struct {
		name        string
		cfg         BufferConfig
		records     int
		wantBatches int // at least
		maxBatch    int
	}{
		{"full batches", BufferConfig{Size: 1000, Batch: 100, Flush: 100 * time.Millisecond, Attempts: 1}, 250, 3, 100},
		{"one record per batch", BufferConfig{Size: 10, Batch: 1, Flush: time.Second, Attempts: 1}, 5, 5, 1},
		{"a partial batch is flushed", BufferConfig{Size: 100, Batch: 100, Flush: 20 * time.Millisecond, Attempts: 1}, 7, 1, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeReceiver{}
			s, c := newTestShipper(t, tt.cfg, f)
			for i := range tt.records {
				if !s.Add(fmt.Appendf(nil, "r%d", i)) {
					t.Fatalf("record %d dropped with room in the buffer", i)
				}
			}
			testkit.Until(t, 5*time.Second, "every record shipped", func() bool { return testutil.ToFloat64(c.shipped) == float64(tt.records) })
			_, batches := f.snapshot()
			if len(batches) < tt.wantBatches {
				t.Errorf("%d batches, want at least %d", len(batches), tt.wantBatches)
			}
			var got []byte
			for _, b := range batches {
				if n := bytes.Count(b, []byte{'\n'}); n > tt.maxBatch {
					t.Errorf("a batch of %d records, want at most %d", n, tt.maxBatch)
				}
				got = append(got, b...)
			}
			var want []byte
			for i := range tt.records {
				want = fmt.Appendf(want, "r%d\n", i)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("shipped %q, want %q (in order)", got, want)
			}
		})
	}
}

func TestShipperDropsWhenFull(t *testing.T) {
	f := &fakeReceiver{gate: make(chan struct{}), entered: make(chan struct{}, 16)}
	s, c := newTestShipper(t, BufferConfig{Size: 5, Batch: 1, Flush: time.Second, Attempts: 1}, f)
	s.Add([]byte("first"))
	<-f.entered // the first record is in flight, the buffer empty
	added := 0
	for i := range 8 {
		if s.Add(fmt.Appendf(nil, "r%d", i)) {
			added++
		}
	}
	if added != 5 || testutil.ToFloat64(c.dropped) != 3 {
		t.Errorf("added %d, dropped %v; want 5 and 3", added, testutil.ToFloat64(c.dropped))
	}
	if got := testutil.ToFloat64(c.shipped); got != 0 {
		t.Errorf("shipped %v before the receiver answered", got)
	}
	close(f.gate)
	testkit.Until(t, 5*time.Second, "the buffered records shipped", func() bool { return testutil.ToFloat64(c.shipped) == 6 })
}

func TestShipperDropsFailedBatches(t *testing.T) {
	tests := []struct {
		attempts  int
		wantCalls int
	}{{1, 1}, {3, 3}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("attempts=%d", tt.attempts), func(t *testing.T) {
			f := &fakeReceiver{err: errors.New("collector down")}
			s, c := newTestShipper(t, BufferConfig{Size: 100, Batch: 100, Flush: 20 * time.Millisecond, Attempts: tt.attempts, Backoff: time.Millisecond}, f)
			for range 10 {
				s.Add([]byte("r"))
			}
			testkit.Until(t, 5*time.Second, "the batch dropped", func() bool { return testutil.ToFloat64(c.dropped) == 10 })
			if calls, _ := f.snapshot(); calls != tt.wantCalls {
				t.Errorf("%d attempts, want %d", calls, tt.wantCalls)
			}
			if got := testutil.ToFloat64(c.shipped); got != 0 {
				t.Errorf("shipped %v, want 0", got)
			}
			// The shipper goes on once the receiver is back.
			f.mu.Lock()
			f.err = nil
			f.mu.Unlock()
			s.Add([]byte("after"))
			testkit.Until(t, 5*time.Second, "shipping resumed", func() bool { return testutil.ToFloat64(c.shipped) == 1 })
		})
	}
}

func TestShipperStopAbandonsShipment(t *testing.T) {
	f := &fakeReceiver{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	reg := prometheus.NewRegistry()
	c := newCounters(whereSidecar, reg)
	s := startShipper(BufferConfig{Size: 10, Batch: 1, Flush: time.Second, Attempts: 1}, time.Hour, f.send, c, whereSidecar, reg)
	s.Add([]byte("r"))
	<-f.entered
	done := make(chan struct{})
	go func() {
		s.Stop()
		s.Stop() // twice is fine
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return while a shipment was in flight")
	}
	if testutil.ToFloat64(c.shipped)+testutil.ToFloat64(c.dropped) != 0 {
		t.Error("an abandoned shipment was counted")
	}
	if n, err := testutil.GatherAndCount(reg, DepthMetric); err != nil || n != 1 {
		t.Errorf("depth gauge: %d series, %v; want 1", n, err)
	}
}

func TestRecords(t *testing.T) {
	tests := []struct {
		body string
		want int
	}{
		{"", 0},
		{"a\n", 1},
		{"a\nb\n\n  \nc", 3},
	}
	for _, tt := range tests {
		if got := len(records([]byte(tt.body))); got != tt.want {
			t.Errorf("records(%q) = %d, want %d", tt.body, got, tt.want)
		}
	}
}
