package sidecar

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
)

func TestValidate(t *testing.T) {
	p := New()
	tests := []struct {
		name    string
		mutate  func(c *Config)
		wantErr string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"sync", func(c *Config) { c.Mode = Sync }, ""},
		{"mode", func(c *Config) { c.Mode = "fire-and-forget" }, `mode: must be "async" or "sync"`},
		{"app timeout", func(c *Config) { c.App.Timeout = 0 }, "app.timeout: must be > 0"},
		{"app latency", func(c *Config) { c.App.Latency.Dist = "pareto" }, "app.latency.dist"},
		{"app capacity", func(c *Config) { c.App.Capacity.Workers = 0 }, "app.capacity.workers"},
		{"app buffer size", func(c *Config) { c.App.Buffer.Size = 0 }, "app.buffer.size: must be > 0"},
		{"sidecar timeout", func(c *Config) { c.Sidecar.Timeout = -time.Second }, "sidecar.timeout: must be > 0"},
		{"sidecar batch", func(c *Config) { c.Sidecar.Buffer.Batch = 0 }, "sidecar.buffer.batch: must be > 0"},
		{"sidecar flush", func(c *Config) { c.Sidecar.Buffer.Flush = 0 }, "sidecar.buffer.flush: must be > 0"},
		{"sidecar attempts", func(c *Config) { c.Sidecar.Buffer.Attempts = 0 }, "sidecar.buffer.attempts: must be > 0"},
		{"sidecar backoff", func(c *Config) { c.Sidecar.Buffer.Backoff = -1 }, "sidecar.buffer.backoff: must be >= 0"},
		{"collector", func(c *Config) { c.Collector.Capacity.Queue = -1 }, "collector.capacity.queue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := p.DefaultConfig().(*Config)
			tt.mutate(c)
			err := p.Validate(c)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	if err := p.Validate(struct{}{}); err == nil {
		t.Error("a foreign configuration type was accepted")
	}
	if c := p.BaselineConfig().(*Config); c.Mode != Sync {
		t.Errorf("baseline mode %q, want %q", c.Mode, Sync)
	}
	if _, _, err := p.Handler(context.Background(), "nobody", p.DefaultConfig(), patterns.Env{}); err == nil {
		t.Error("Handler built an unknown service")
	}
}

func TestTopology(t *testing.T) {
	topo := New().Topology()
	for _, e := range []string{"client->app", "app->telemetry", "telemetry->collector"} {
		edge, _ := patterns.ParseEdge(e)
		if !topo.HasEdge(edge) {
			t.Errorf("no edge %s", e)
		}
	}
	for _, s := range topo.Callees(patterns.Client) {
		if s != App {
			t.Errorf("the client calls %s, want only %s", s, App)
		}
	}
	if topo.Entry != App || topo.Downstream != Collector {
		t.Errorf("entry %s, downstream %s", topo.Entry, topo.Downstream)
	}
}

// stack is the topology on httptest servers, wired directly (no proxies).
type stack struct {
	app, sidecar, collector *httptest.Server
	regs                    map[string]*prometheus.Registry
	stops                   []func()
}

// startStack serves the three services for c. A nil collector latency
// keeps the default.
func startStack(t *testing.T, c *Config) *stack {
	t.Helper()
	p := New()
	s := &stack{regs: map[string]*prometheus.Registry{}}
	urls := map[string]string{}
	for _, name := range p.Topology().Services { // callees first
		reg := prometheus.NewRegistry()
		env := patterns.Env{
			Upstream: func(callee string) string { return urls[callee] },
			Seed:     1,
			Registry: reg,
		}
		h, stop, err := p.Handler(context.Background(), name, c, env)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		urls[name] = srv.URL
		s.regs[name] = reg
		s.stops = append(s.stops, stop)
		switch name {
		case App:
			s.app = srv
		case Telemetry:
			s.sidecar = srv
		case Collector:
			s.collector = srv
		}
	}
	t.Cleanup(func() {
		for _, srv := range []*httptest.Server{s.app, s.sidecar, s.collector} {
			srv.Close()
		}
		for _, stop := range s.stops {
			stop()
		}
	})
	return s
}

// value reads one sample of service's metric with the given where label
// ("" for none); 0 when it is absent.
func (s *stack) value(t *testing.T, service, metric, where string) float64 {
	t.Helper()
	mfs, err := s.regs[service].Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != metric {
			continue
		}
		for _, m := range mf.GetMetric() {
			w := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "where" {
					w = l.GetValue()
				}
			}
			if w == where {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// work calls the app once and returns how long it took.
func (s *stack) work(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(s.app.URL + "/work")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("app answered %s", resp.Status)
	}
	return time.Since(start)
}

func fastConfig(mode string, collectorLatency time.Duration) *Config {
	c := New().DefaultConfig().(*Config)
	c.Mode = mode
	c.App.Latency = dependency.Latency{Dist: dependency.Constant}
	c.App.Buffer.Flush = 10 * time.Millisecond
	c.Sidecar.Buffer.Flush = 10 * time.Millisecond
	c.Sidecar.Buffer.Backoff = 10 * time.Millisecond
	c.Collector.Latency = dependency.Latency{Dist: dependency.Constant, Mean: collectorLatency}
	return c
}

// TestDelivery sends requests through both modes and checks that every
// record reaches the collector and every hop counted it.
func TestDelivery(t *testing.T) {
	for _, mode := range []string{Async, Sync} {
		t.Run(mode, func(t *testing.T) {
			s := startStack(t, fastConfig(mode, 0))
			const n = 40
			for range n {
				s.work(t)
			}
			testkit.Until(t, 5*time.Second, "every record delivered", func() bool {
				return s.value(t, Collector, ReceivedMetric, "") == n
			})
			for _, m := range []struct{ service, metric, where string }{
				{App, EnqueuedMetric, whereApp},
				{App, ShippedMetric, whereApp},
				{Telemetry, EnqueuedMetric, whereSidecar},
				{Telemetry, ShippedMetric, whereSidecar},
			} {
				if got := s.value(t, m.service, m.metric, m.where); got != n {
					t.Errorf("%s %s{where=%s} = %v, want %d", m.service, m.metric, m.where, got, n)
				}
			}
			for _, where := range []string{whereApp, whereSidecar} {
				svc := map[string]string{whereApp: App, whereSidecar: Telemetry}[where]
				if got := s.value(t, svc, DroppedMetric, where); got != 0 {
					t.Errorf("dropped{where=%s} = %v, want 0", where, got)
				}
			}
		})
	}
}

// TestSlowCollector is the pattern's point in small: a slow collector is in
// the baseline app's request path, not in the pattern's.
func TestSlowCollector(t *testing.T) {
	const slow = 300 * time.Millisecond
	tests := []struct {
		mode     string
		min, max time.Duration
	}{
		{Sync, slow, 10 * time.Second},
		{Async, 0, slow / 2},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			s := startStack(t, fastConfig(tt.mode, slow))
			s.work(t) // warm connections
			var worst time.Duration
			for range 3 {
				worst = max(worst, s.work(t))
			}
			if worst < tt.min || worst > tt.max {
				t.Errorf("slowest answer %s, want within [%s, %s]", worst, tt.min, tt.max)
			}
			testkit.Until(t, 5*time.Second, "the records delivered", func() bool {
				return s.value(t, Collector, ReceivedMetric, "") == 4
			})
		})
	}
}

// TestSidecarGone: with the sidecar dead the pattern's app answers at once
// and counts its drops; the baseline's app answers too (the sidecar is
// refused fast) and counts them the same way.
func TestSidecarGone(t *testing.T) {
	for _, mode := range []string{Async, Sync} {
		t.Run(mode, func(t *testing.T) {
			s := startStack(t, fastConfig(mode, 0))
			s.sidecar.Close()
			for range 5 {
				if d := s.work(t); d > time.Second {
					t.Errorf("answer took %s with the sidecar gone", d)
				}
			}
			testkit.Until(t, 5*time.Second, "the records dropped at the app", func() bool {
				return s.value(t, App, DroppedMetric, whereApp) == 5
			})
			if got := s.value(t, App, ShippedMetric, whereApp); got != 0 {
				t.Errorf("shipped{where=app} = %v, want 0", got)
			}
		})
	}
}

// TestCollectorGone: the sidecar drops and counts what it cannot deliver.
// In sync mode it answers 502 and the app does not count the record again.
func TestCollectorGone(t *testing.T) {
	for _, mode := range []string{Async, Sync} {
		t.Run(mode, func(t *testing.T) {
			c := fastConfig(mode, 0)
			c.Sidecar.Buffer.Attempts = 2
			s := startStack(t, c)
			s.collector.Close()
			for range 5 {
				s.work(t)
			}
			testkit.Until(t, 5*time.Second, "the records dropped at the sidecar", func() bool {
				return s.value(t, Telemetry, DroppedMetric, whereSidecar) == 5
			})
			if got := s.value(t, App, DroppedMetric, whereApp); got != 0 {
				t.Errorf("dropped{where=app} = %v, want 0 (the sidecar counted them)", got)
			}
			if got := s.value(t, App, ShippedMetric, whereApp); got != 5 {
				t.Errorf("shipped{where=app} = %v, want 5", got)
			}
		})
	}
}

func TestSidecarRejectsBadRequests(t *testing.T) {
	s := startStack(t, fastConfig(Async, 0))
	resp, err := http.Get(s.sidecar.URL + "/ingest")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /ingest: %s, want 405", resp.Status)
	}
	resp, err = http.Post(s.sidecar.URL+"/ingest", "application/x-ndjson", strings.NewReader("a\nb\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("POST /ingest: %s, want 202", resp.Status)
	}
	if got := s.value(t, Telemetry, EnqueuedMetric, whereSidecar); got != 2 {
		t.Errorf("enqueued{where=sidecar} = %v, want 2", got)
	}
}
