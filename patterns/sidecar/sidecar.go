// Package sidecar is the Sidecar pattern as a topology: client → app, with a
// telemetry sidecar (service "telemetry") that ships the app's telemetry
// records to a collector: app → telemetry → collector.
//
// With the pattern (mode "async"), the app hands each request's record to a
// bounded in-process buffer without blocking and a background shipper sends
// batches to the sidecar; the sidecar buffers them (bounded too) and ships
// batches to the collector with a timeout. Each hop drops what it cannot
// hold or deliver, and counts it: telemetry is best-effort, the app's
// answers are not held hostage to it. What a killed hop held in its buffer
// is lost uncounted, as a crashed process's memory is; a retried batch that
// the receiver did get (its answer was lost) is delivered twice.
//
// The baseline (mode "sync") is the app shipping its telemetry itself,
// synchronously, in its request path: it sends each record and waits for
// the collector's answer before answering its client. Since a pattern's
// topology is static (both variants share it, and faults name its edges),
// the baseline keeps the "telemetry" service as a synchronous pass-through
// that forwards each record to the collector and answers with its outcome:
// the app waits on the collector exactly as if it called it directly, and
// collector faults on telemetry → collector reach it the same way.
//
// It must not import scenarios, reports, testbeds or cmd.
package sidecar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Service names.
const (
	App       = "app"
	Telemetry = "telemetry" // the sidecar
	Collector = "collector"
)

// Modes.
const (
	Async = "async" // the pattern: buffered hand-off to the sidecar
	Sync  = "sync"  // the baseline: telemetry shipped in the request path
)

// maxBatchBytes bounds a telemetry request body.
const maxBatchBytes = 8 << 20

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `sidecar: {buffer: {size: 100}}`.
type Config struct {
	// Mode is "async" (the pattern) or "sync" (the baseline).
	Mode      string          `yaml:"mode" json:"mode"`
	App       AppConfig       `yaml:"app" json:"app"`
	Sidecar   SidecarConfig   `yaml:"sidecar" json:"sidecar"`
	Collector CollectorConfig `yaml:"collector" json:"collector"`
}

// AppConfig is the application: its own work, its capacity, and how it
// hands telemetry to the sidecar.
type AppConfig struct {
	// Latency is the app's own service time per request.
	Latency  dependency.Latency `yaml:"latency" json:"latency"`
	Capacity service.Capacity   `yaml:"capacity" json:"capacity"`
	// Timeout bounds each telemetry call to the sidecar: one record in sync
	// mode, one batch in async mode.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Buffer is the app's in-process telemetry buffer (async mode only).
	Buffer BufferConfig `yaml:"buffer" json:"buffer"`
}

// SidecarConfig is the telemetry sidecar.
type SidecarConfig struct {
	// Timeout bounds each call to the collector.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Buffer is the sidecar's telemetry buffer (async mode only).
	Buffer BufferConfig `yaml:"buffer" json:"buffer"`
}

// CollectorConfig is the telemetry collector: its service time per batch
// and its capacity.
type CollectorConfig struct {
	Latency  dependency.Latency `yaml:"latency" json:"latency"`
	Capacity service.Capacity   `yaml:"capacity" json:"capacity"`
}

// BufferConfig bounds a telemetry buffer and says how it is shipped.
type BufferConfig struct {
	// Size is how many records the buffer holds; more are dropped.
	Size int `yaml:"size" json:"size"`
	// Batch is the most records one shipment carries.
	Batch int `yaml:"batch" json:"batch"`
	// Flush is how long a shipment waits to fill once its first record is
	// there.
	Flush time.Duration `yaml:"flush" json:"flush"`
	// Attempts is how many times a shipment is tried before its records
	// are dropped.
	Attempts int `yaml:"attempts" json:"attempts"`
	// Backoff is the pause after a failed attempt.
	Backoff time.Duration `yaml:"backoff" json:"backoff"`
}

// Validate checks the bounds and returns a field error (internal/field)
// naming the first offending field by its YAML key.
func (b BufferConfig) Validate() error {
	switch {
	case b.Size <= 0:
		return field.Errorf("size", "must be > 0, got %d", b.Size)
	case b.Batch <= 0:
		return field.Errorf("batch", "must be > 0, got %d", b.Batch)
	case b.Flush <= 0:
		return field.Errorf("flush", "must be > 0, got %s", b.Flush)
	case b.Attempts <= 0:
		return field.Errorf("attempts", "must be > 0, got %d", b.Attempts)
	case b.Backoff < 0:
		return field.Errorf("backoff", "must be >= 0, got %s", b.Backoff)
	}
	return nil
}

// New returns the sidecar pattern. Its defaults:
//
//   - mode async.
//   - app: ~2ms log-normal service time; 32 workers, a queue of 64 waiting
//     at most 1s; 1s timeout per call to the sidecar; a buffer of 1000
//     records (10s at 100 requests/s) shipped in batches of at most 100,
//     flushed 100ms after their first record, one attempt (the sidecar is
//     local: when it is gone, waiting does not help), 250ms back-off.
//   - sidecar: 2s timeout per call to the collector; a buffer of 5000
//     records shipped in batches of at most 500, flushed after 250ms, three
//     attempts 500ms apart.
//   - collector: ~5ms log-normal service time per batch, 32 workers, a
//     queue of 64 waiting at most 1s.
//
// Its baseline is mode sync: the same app shipping each record
// synchronously in its request path.
//
// The shippers of the async mode run until a service's stop function is
// called (the testbed's kill or teardown), whatever becomes of the context
// the service was built with.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "sidecar",
		Description: "client → app, whose telemetry sidecar ships its records to a collector; the app hands them over through a bounded buffer, so a slow or dead collector or sidecar costs telemetry, not latency",
		Topology: patterns.Topology{
			Services: []string{Collector, Telemetry, App},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: App},
				{From: App, To: Telemetry},
				{From: Telemetry, To: Collector},
			},
			Entry:      App,
			Downstream: Collector,
			Gauges:     []string{DepthMetric},
			Counters:   []string{EnqueuedMetric, ShippedMetric, DroppedMetric, ReceivedMetric},
		},
		Defaults: defaults,
		Baseline: func(c *Config) { c.Mode = Sync },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Collector: newCollector,
			Telemetry: newSidecar,
			App:       newApp,
		},
	})
}

// defaults returns the defaults New documents.
func defaults() *Config {
	collector := dependency.DefaultConfig()
	return &Config{
		Mode: Async,
		App: AppConfig{
			Latency:  dependency.Latency{Dist: dependency.LogNormal, Mean: 2 * time.Millisecond, Spread: time.Millisecond},
			Capacity: service.Capacity{Workers: 32, Queue: 64, QueueTimeout: time.Second},
			Timeout:  time.Second,
			Buffer:   BufferConfig{Size: 1000, Batch: 100, Flush: 100 * time.Millisecond, Attempts: 1, Backoff: 250 * time.Millisecond},
		},
		Sidecar: SidecarConfig{
			Timeout: 2 * time.Second,
			Buffer:  BufferConfig{Size: 5000, Batch: 500, Flush: 250 * time.Millisecond, Attempts: 3, Backoff: 500 * time.Millisecond},
		},
		Collector: CollectorConfig{Latency: collector.Latency, Capacity: collector.Capacity},
	}
}

// validate checks a configuration, the buffers of both modes included.
func validate(c *Config) error {
	var errs []error
	if c.Mode != Async && c.Mode != Sync {
		errs = append(errs, field.Errorf("mode", "must be %q or %q, got %q", Async, Sync, c.Mode))
	}
	errs = append(errs, field.In("app", dependency.Config{Latency: c.App.Latency, Capacity: c.App.Capacity}.Validate()))
	if c.App.Timeout <= 0 {
		errs = append(errs, field.Errorf("app.timeout", "must be > 0, got %s", c.App.Timeout))
	}
	if c.Sidecar.Timeout <= 0 {
		errs = append(errs, field.Errorf("sidecar.timeout", "must be > 0, got %s", c.Sidecar.Timeout))
	}
	errs = append(errs,
		field.In("app.buffer", c.App.Buffer.Validate()),
		field.In("sidecar.buffer", c.Sidecar.Buffer.Validate()),
		field.In("collector", dependency.Config{Latency: c.Collector.Latency, Capacity: c.Collector.Capacity}.Validate()))
	return errors.Join(errs...)
}

// hop is what the app and the sidecar both are: a stage of the telemetry
// path with its counters and a poster to the next stage, fed in async mode
// by a shipper.
type hop struct {
	c       *counters
	next    *poster
	timeout time.Duration // per call to the next stage
	buffer  *shipper      // nil: sync
}

// newHop returns the hop where, posting to url within timeout through a
// client sized for twice the app's workers (what a hop may have in flight);
// in async mode its shipper, buffered as buf, runs until stop.
func newHop(c *Config, where, url string, timeout time.Duration, buf BufferConfig, reg prometheus.Registerer) *hop {
	h := &hop{
		c:       newCounters(where, reg),
		next:    newPoster(url, 2*c.App.Capacity.Workers),
		timeout: timeout,
	}
	if c.Mode == Async {
		h.buffer = startShipper(buf, timeout, h.next.post, h.c, where, reg)
	}
	return h
}

// stop ends the shipper, if any, and closes the poster's idle connections.
func (h *hop) stop() {
	if h.buffer != nil {
		h.buffer.Stop()
	}
	h.next.close()
}

// app answers GET /work: it does its work, then produces one telemetry
// record and hands it to its buffer (async) or ships it to the sidecar and
// waits (sync).
type app struct {
	sampler *dependency.Sampler
	*hop
}

func newApp(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	a := &app{
		sampler: dependency.NewSampler(c.App.Latency, env.Seed),
		hop:     newHop(c, whereApp, env.Upstream(Telemetry)+"/ingest", c.App.Timeout, c.App.Buffer, env.Registry),
	}
	limiter := service.NewLimiter(c.App.Capacity, App, env.Registry)
	mux := http.NewServeMux()
	mux.Handle("/work", limiter.Wrap(a))
	return mux, a.stop, nil
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if clock.Sleep(r.Context(), a.sampler.Next()) != nil {
		return // the client gave up
	}
	rec := fmt.Appendf(nil, `{"ts":%q,"service":"app","route":%q,"status":200,"duration_us":%d}`,
		start.UTC().Format(time.RFC3339Nano), r.URL.Path, time.Since(start).Microseconds())
	a.c.enqueued.Inc()
	if a.buffer != nil {
		a.buffer.Add(rec) // never blocks; a full buffer drops and counts
	} else {
		a.ship(r.Context(), rec)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
}

// ship is the baseline: one record to the sidecar, waiting for the
// collector's answer through it. When the sidecar answered, it has counted
// the record's fate (shipped, or dropped with a 502), so the app counts it
// handed on; only a sidecar that could not be reached in time is the app's
// drop.
func (a *app) ship(ctx context.Context, rec []byte) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if err := a.next.post(ctx, append(rec, '\n')); err != nil && !answered(err) {
		a.c.dropped.Inc()
		return
	}
	a.c.shipped.Inc()
}

// telemetrySidecar answers POST /ingest with a batch of records: it buffers
// them and answers 202 at once (async), or forwards them to the collector
// and answers with the outcome (sync).
type telemetrySidecar struct {
	*hop // its buffer nil: the sync pass-through
}

func newSidecar(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	s := &telemetrySidecar{
		hop: newHop(c, whereSidecar, env.Upstream(Collector)+"/collect", c.Sidecar.Timeout, c.Sidecar.Buffer, env.Registry),
	}
	mux := http.NewServeMux()
	mux.Handle("/ingest", s)
	return mux, s.stop, nil
}

func (s *telemetrySidecar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST a batch of newline-delimited records", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBatchBytes))
	if err != nil {
		http.Error(w, "read batch: "+err.Error(), http.StatusBadRequest)
		return
	}
	recs := records(body)
	if s.buffer == nil {
		s.forward(w, r, body, len(recs))
		return
	}
	s.c.enqueued.Add(float64(len(recs)))
	for _, rec := range recs {
		s.buffer.Add(rec)
	}
	w.WriteHeader(http.StatusAccepted)
}

// forward is the baseline's pass-through: the batch goes to the collector
// now, and the caller waits for the outcome. When the caller gave up first,
// the record is its to count.
func (s *telemetrySidecar) forward(w http.ResponseWriter, r *http.Request, body []byte, n int) {
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	err := s.next.post(ctx, body)
	cancel()
	if r.Context().Err() != nil {
		return
	}
	s.c.enqueued.Add(float64(n))
	if err != nil {
		s.c.dropped.Add(float64(n))
		http.Error(w, "collector: "+err.Error(), http.StatusBadGateway)
		return
	}
	s.c.shipped.Add(float64(n))
	w.WriteHeader(http.StatusOK)
}

// newCollector answers POST /collect: it takes a worker (or queues, or
// answers 503), spends a service time, and counts the batch's records as
// received.
func newCollector(_ context.Context, cfg *Config, env patterns.Env) (http.Handler, func(), error) {
	c := cfg.Collector
	received := prometheus.NewCounter(prometheus.CounterOpts{
		Name: ReceivedMetric, Help: "Telemetry records the collector received (delivered).",
	})
	env.Registry.MustRegister(received)
	limiter := service.NewLimiter(c.Capacity, Collector, env.Registry)
	sampler := dependency.NewSampler(c.Latency, env.Seed)
	mux := http.NewServeMux()
	mux.Handle("/collect", limiter.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBatchBytes))
		if err != nil {
			http.Error(w, "read batch: "+err.Error(), http.StatusBadRequest)
			return
		}
		if clock.Sleep(r.Context(), sampler.Next()) != nil {
			return // the sidecar gave up: not delivered
		}
		received.Add(float64(len(records(body))))
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})))
	return mux, nil, nil
}
