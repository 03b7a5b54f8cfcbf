// Package service is the scaffolding every faultline service shares: a
// Prometheus /metrics endpoint, a /healthz endpoint, request metrics, the
// HTTP fault injector (faults/httpfault) in front of the application, with
// metrics and the fault API on a control face apart from the data (Wrap); a bounded-capacity limiter so overload queues and then rejects,
// as real servers do (Capacity, Limiter); and the one HTTP client services
// call each other with (NewClient), whose error answers are StatusErrors.
// It is a building block (patterns/kit): it knows no pattern.
//
// It must not import patterns, scenarios, reports, testbeds or cmd.
package service

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faultline/faultline/faults/actions/control"
	"github.com/faultline/faultline/faults/httpfault"
	"github.com/faultline/faultline/internal/guard"
)

// Paths served by every service besides the application's own.
const (
	MetricsPath = "/metrics"
	HealthPath  = "/healthz"
	FaultsPath  = httpfault.Prefix
)

// Controlled is an application handler with controls that timeline
// actions steer (faults/actions/control): Wrap serves its Control handler
// under control.Prefix on the control face, beside the fault admin API and,
// like it, outside the fault injector and the request metrics.
type Controlled interface {
	Control() http.Handler
}

// WithControl returns app as a Controlled handler whose controls are ctl
// (it sees the whole path, control.Prefix included).
func WithControl(app, ctl http.Handler) http.Handler {
	return controlled{Handler: app, ctl: ctl}
}

// OneFace serves both faces of Wrap(name, app, reg, seed) at one address,
// the control paths (control.Prefix, the fault admin API) to the control
// face: for tests that call a service's API and its controls alike.
func OneFace(name string, app http.Handler, reg *prometheus.Registry, seed int64) http.Handler {
	data, admin := Wrap(name, app, reg, seed)
	mux := http.NewServeMux()
	mux.Handle(control.Prefix+"/", admin)
	mux.Handle(FaultsPath, admin)
	mux.Handle(FaultsPath+"/", admin)
	mux.Handle("/", data)
	return mux
}

type controlled struct {
	http.Handler
	ctl http.Handler
}

func (c controlled) Control() http.Handler { return c.ctl }

// Wrap returns the two faces of the service called name. data is what
// callers and Toxiproxy edges reach: /healthz, and app behind request
// metrics and the fault injector; it answers 404 on the control paths.
// control is for faultline alone, served on a listener of its own that no
// edge carries (as Envoy keeps its admin port apart): /metrics from reg,
// /healthz, the fault admin API and app's controls when it is Controlled, to loopback Hosts without a foreign
// Origin only (internal/guard). Health and metrics are never subject to
// injected faults.
func Wrap(name string, app http.Handler, reg *prometheus.Registry, seed int64) (data, admin http.Handler) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name:        "faultline_http_requests_total",
		Help:        "Requests the service received, by response code (\"aborted\" when the connection was dropped).",
		ConstLabels: prometheus.Labels{"service": name},
	}, []string{"code"})
	duration := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:        "faultline_http_request_duration_seconds",
		Help:        "Time to answer a request.",
		ConstLabels: prometheus.Labels{"service": name},
		Buckets:     []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})
	inFlight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "faultline_http_in_flight",
		Help:        "Requests being served now.",
		ConstLabels: prometheus.Labels{"service": name},
	})
	reg.MustRegister(requests, duration, inFlight)

	injected := httpfault.New(app, seed)
	instrumented := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		inFlight.Inc()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			inFlight.Dec()
			code := "aborted"
			if rec.status != 0 && !rec.hijacked {
				code = strconv.Itoa(rec.status)
			}
			requests.WithLabelValues(code).Inc()
			duration.Observe(time.Since(start).Seconds())
		}()
		injected.ServeHTTP(rec, r)
		if rec.status == 0 && !rec.hijacked {
			rec.status = http.StatusOK
		}
	})

	dataMux := http.NewServeMux()
	dataMux.HandleFunc(HealthPath, health)
	dataMux.Handle(FaultsPath, http.NotFoundHandler())
	dataMux.Handle(FaultsPath+"/", http.NotFoundHandler())
	dataMux.Handle(MetricsPath, http.NotFoundHandler())
	dataMux.Handle(control.Prefix+"/", http.NotFoundHandler())
	dataMux.Handle("/", instrumented)

	ctlMux := http.NewServeMux()
	ctlMux.Handle(MetricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ctlMux.HandleFunc(HealthPath, health)
	ctlMux.Handle(FaultsPath, injected) // the injector serves its admin API there
	ctlMux.Handle(FaultsPath+"/", injected)
	if c, ok := app.(Controlled); ok {
		ctlMux.Handle(control.Prefix+"/", c.Control())
	}
	return dataMux, guard.Local(ctlMux)
}

func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok\n"))
}

// recorder remembers the status code and keeps hijacking possible, which
// the fault injector needs to drop connections.
type recorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("service: response writer cannot be hijacked")
	}
	r.hijacked = true
	return h.Hijack()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
