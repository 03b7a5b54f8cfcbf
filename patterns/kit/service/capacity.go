package service

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/field"
)

// Capacity bounds how much work a service takes at once: Workers requests
// are served concurrently, up to Queue more wait (at most QueueTimeout), and
// the rest are rejected at once with 503, as a real server's worker pool and
// accept queue do.
type Capacity struct {
	Workers      int           `yaml:"workers" json:"workers"`
	Queue        int           `yaml:"queue" json:"queue"`
	QueueTimeout time.Duration `yaml:"queue_timeout" json:"queue_timeout"`
}

// Validate checks the bounds and returns a field error (internal/field)
// naming the first offending field by its YAML key.
func (c Capacity) Validate() error {
	switch {
	case c.Workers <= 0:
		return field.Errorf("workers", "must be > 0, got %d", c.Workers)
	case c.Queue < 0:
		return field.Errorf("queue", "must be >= 0, got %d", c.Queue)
	case c.QueueTimeout < 0:
		return field.Errorf("queue_timeout", "must be >= 0, got %s", c.QueueTimeout)
	}
	return nil
}

// Limiter enforces a Capacity in front of a handler.
type Limiter struct {
	cap      Capacity
	slots    chan struct{}
	waiting  atomic.Int64
	rejected prometheus.Counter
}

// NewLimiter returns a limiter for c, exporting its occupancy to reg under
// faultline_capacity_* with the given pool label.
func NewLimiter(c Capacity, pool string, reg prometheus.Registerer) *Limiter {
	l := &Limiter{cap: c, slots: make(chan struct{}, c.Workers)}
	labels := prometheus.Labels{"pool": pool}
	l.rejected = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "faultline_capacity_rejected_total", Help: "Requests rejected because workers and queue were full.",
		ConstLabels: labels,
	})
	reg.MustRegister(l.rejected,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "faultline_capacity_in_use", Help: "Workers busy.", ConstLabels: labels,
		}, func() float64 { return float64(len(l.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "faultline_capacity_waiting", Help: "Requests queued for a worker.", ConstLabels: labels,
		}, func() float64 { return float64(l.waiting.Load()) }),
	)
	return l
}

// Acquire takes a worker, waiting in the queue if there is room. It returns
// false when the request must be rejected (queue full, queue timeout, or the
// request gone).
func (l *Limiter) Acquire(r *http.Request) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	if l.waiting.Add(1) > int64(l.cap.Queue) {
		l.waiting.Add(-1)
		l.rejected.Inc()
		return false
	}
	defer l.waiting.Add(-1)
	var timeout <-chan time.Time
	if l.cap.QueueTimeout > 0 {
		t := time.NewTimer(l.cap.QueueTimeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return true
	case <-timeout:
	case <-r.Context().Done():
	}
	l.rejected.Inc()
	return false
}

// Release returns a worker taken by Acquire.
func (l *Limiter) Release() { <-l.slots }

// Wrap serves next within the limiter's capacity and answers 503 to what it
// rejects.
func (l *Limiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.Acquire(r) {
			http.Error(w, "over capacity", http.StatusServiceUnavailable)
			return
		}
		defer l.Release()
		next.ServeHTTP(w, r)
	})
}
