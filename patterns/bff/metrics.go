package bff

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names. The API, web-bff and mobile-bff export the request and
// call counters labelled by client kind (client="web" or "mobile"), so the
// baseline's one API is measured per kind as the BFFs are.
const (
	// RequestsMetric counts the client requests a service answered (those
	// its capacity admitted), by client.
	RequestsMetric = "faultline_bff_requests_total"
	// CallsMetric counts downstream calls, by client and downstream.
	CallsMetric = "faultline_bff_downstream_calls_total"
	// CallsPerRequestMetric is CallsMetric ÷ RequestsMetric so far, by
	// client: the fan-out each kind's request costs.
	CallsPerRequestMetric = "faultline_bff_calls_per_request"
	// InUseMetric is the workers busy serving client requests, and
	// WorkersMetric the workers there are, by pool (web, mobile, api).
	InUseMetric   = "faultline_bff_in_use"
	WorkersMetric = "faultline_bff_workers"
	// RejectedMetric is every service.Limiter's count of requests refused
	// for want of capacity (labelled by pool = service name).
	RejectedMetric = "faultline_capacity_rejected_total"
)

// kindMetrics counts one client kind's requests and downstream calls.
type kindMetrics struct {
	requests prometheus.Counter
	calls    map[string]prometheus.Counter // by downstream
}

// counters holds a service's request and call counters, by client kind.
type counters struct {
	requests *prometheus.CounterVec
	calls    *prometheus.CounterVec
}

// newCounters registers the counters on reg; kind adds each client kind's
// series.
func newCounters(reg prometheus.Registerer) *counters {
	c := &counters{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: RequestsMetric, Help: "Client requests served, by client kind.",
		}, []string{"client"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: CallsMetric, Help: "Downstream calls, by client kind and downstream.",
		}, []string{"client", "downstream"}),
	}
	reg.MustRegister(c.requests, c.calls)
	return c
}

// kind returns the metrics of one client kind whose answers call parts,
// every series created at 0, and registers its calls-per-request gauge.
func (c *counters) kind(reg prometheus.Registerer, client string, parts []part) *kindMetrics {
	var requests, calls atomic.Int64
	k := &kindMetrics{
		requests: countingCounter{c.requests.WithLabelValues(client), &requests},
		calls:    map[string]prometheus.Counter{},
	}
	for _, p := range parts {
		k.calls[p.dep] = countingCounter{c.calls.WithLabelValues(client, p.dep), &calls}
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        CallsPerRequestMetric,
		Help:        "Downstream calls per client request served so far.",
		ConstLabels: prometheus.Labels{"client": client},
	}, func() float64 {
		n := requests.Load()
		if n == 0 {
			return 0
		}
		return float64(calls.Load()) / float64(n)
	}))
	return k
}

// countingCounter is a Prometheus counter that also adds to a total the
// calls-per-request gauge reads.
type countingCounter struct {
	prometheus.Counter
	n *atomic.Int64
}

func (c countingCounter) Inc() {
	c.n.Add(1)
	c.Counter.Inc()
}

// pool exports one service's capacity: workers busy and workers there are.
type pool struct {
	busy atomic.Int64
}

func newPool(reg prometheus.Registerer, label string, workers int) *pool {
	p := &pool{}
	labels := prometheus.Labels{"pool": label}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: InUseMetric, Help: "Workers busy serving client requests.", ConstLabels: labels,
		}, func() float64 { return float64(p.busy.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: WorkersMetric, Help: "Workers the service has for client requests.", ConstLabels: labels,
		}, func() float64 { return float64(workers) }),
	)
	return p
}
