package sampler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faultline/faultline/reports/model"
)

// service is a test service exposing a counter (by code), a gauge, a
// histogram and Go runtime metrics; every scrape bumps the counter and
// moves the gauge.
type service struct {
	srv     *httptest.Server
	scrapes atomic.Int64
	agents  atomic.Value // last User-Agent
}

func newService(t *testing.T, name string) *service {
	t.Helper()
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faultline_http_requests_total", Help: "Requests.", ConstLabels: prometheus.Labels{"service": name},
	}, []string{"code"})
	state := prometheus.NewGauge(prometheus.GaugeOpts{Name: "faultline_breaker_state", Help: "State."})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "faultline_latency_seconds", Help: "Latency."})
	reg.MustRegister(requests, state, latency, collectors.NewGoCollector())

	s := &service{}
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.scrapes.Add(1)
		s.agents.Store(r.UserAgent())
		requests.WithLabelValues("200").Add(10)
		if n%2 == 0 {
			requests.WithLabelValues("503").Inc()
		}
		state.Set(float64(n % 3))
		latency.Observe(0.01)
		metrics.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func faultlineOnly(name string) bool { return strings.HasPrefix(name, "faultline_") }

// find returns the series of service called name with label code (if any).
func find(series []model.Series, service, name, code string) *model.Series {
	for i, s := range series {
		if s.Service == service && s.Name == name && s.Labels["code"] == code {
			return &series[i]
		}
	}
	return nil
}

func TestSampler(t *testing.T) {
	svc := newService(t, "api")
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	series, err := Run(ctx, map[string]string{"api": svc.srv.URL + "/metrics"}, 20*time.Millisecond, start, faultlineOnly)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Run returned %v after start", took)
	}
	if ua := svc.agents.Load(); ua != "faultline" {
		t.Errorf("User-Agent = %v", ua)
	}
	scrapes := int(svc.scrapes.Load())

	var names []string
	for _, s := range series {
		names = append(names, s.Name+s.Labels["code"])
		if !faultlineOnly(s.Name) {
			t.Errorf("series %s passed the filter", s.Name)
		}
	}
	if want := "faultline_breaker_state faultline_http_requests_total200 faultline_http_requests_total503"; strings.Join(names, " ") != want {
		t.Errorf("series = %v, want %s (histograms are not sampled)", names, want)
	}

	ok := find(series, "api", "faultline_http_requests_total", "200")
	if ok == nil || !ok.Counter || ok.Labels["service"] != "api" {
		t.Fatalf("counter series = %+v", ok)
	}
	// The last scrape may be served after the deadline cut the sampler
	// short: it is then not recorded.
	if n := len(ok.Points); n < scrapes-1 || n > scrapes || scrapes < 8 || scrapes > 16 {
		t.Errorf("%d points for %d scrapes in 300ms every 20ms", n, scrapes)
	}
	for i, p := range ok.Points {
		if p.V != float64(10*(i+1)) {
			t.Errorf("counter point %d = %v, want %d", i, p.V, 10*(i+1))
		}
		if p.T < 0 || p.T > 400*time.Millisecond || (i > 0 && p.T <= ok.Points[i-1].T) {
			t.Errorf("point %d at %v after %v", i, p.T, ok.Points[max(i-1, 0)].T)
		}
	}
	if fail := find(series, "api", "faultline_http_requests_total", "503"); fail == nil || len(fail.Points) != len(ok.Points)-1 {
		t.Errorf("503 series (appears at the 2nd scrape) = %+v", fail)
	}
	state := find(series, "api", "faultline_breaker_state", "")
	if state == nil || state.Counter || len(state.Points) != len(ok.Points) {
		t.Fatalf("gauge series = %+v", state)
	}
	for i, p := range state.Points {
		if p.V != float64((i+1)%3) {
			t.Errorf("gauge point %d = %v, want %d", i, p.V, (i+1)%3)
		}
	}
}

func TestSamplerKilledService(t *testing.T) {
	a, b := newService(t, "a"), newService(t, "b")
	s, err := New(map[string]string{"a": a.srv.URL, "b": b.srv.URL}, 20*time.Millisecond, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(150 * time.Millisecond)
	b.srv.Close() // killed mid-run
	time.Sleep(150 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil despite the killed service", err)
	}

	series := s.Series()
	pa := find(series, "a", "faultline_breaker_state", "")
	pb := find(series, "b", "faultline_breaker_state", "")
	if pa == nil || pb == nil {
		t.Fatalf("missing series: a %v, b %v", pa, pb)
	}
	if len(pb.Points) < 3 || len(pb.Points) > len(pa.Points)-4 {
		t.Errorf("points: a %d, killed b %d", len(pa.Points), len(pb.Points))
	}
	if find(series, "a", "go_goroutines", "") == nil {
		t.Error("no filter: runtime metrics missing")
	}
	f := s.Failures()
	if f["a"].Count != 0 || f["b"].Count < 3 || !strings.Contains(f["b"].Last, "connect") {
		t.Errorf("failures = %+v", f)
	}
}

func TestSamplerHungService(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hung.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	series, err := Run(ctx, map[string]string{"hung": hung.URL}, 10*time.Millisecond, time.Time{}, nil)
	if err != nil || len(series) != 0 {
		t.Errorf("Run = %v, %v", series, err)
	}
	if took := time.Since(began); took > 500*time.Millisecond {
		t.Errorf("Run took %v after cancel with a hung service", took)
	}
}

func TestSamplerBadAnswers(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/garbage" {
			_, _ = w.Write([]byte("this is { not metrics\n"))
			return
		}
		http.NotFound(w, r)
	}))
	defer bad.Close()
	s, err := New(map[string]string{"404": bad.URL + "/nope", "garbage": bad.URL + "/garbage"}, 10*time.Millisecond, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	f := s.Failures()
	if f["404"].Count == 0 || !strings.Contains(f["404"].Last, "404") || f["garbage"].Count == 0 {
		t.Errorf("failures = %+v", f)
	}
	if len(s.Series()) != 0 {
		t.Errorf("series from bad answers: %+v", s.Series())
	}
}

func TestNewInvalidURL(t *testing.T) {
	if _, err := New(map[string]string{"x": "not a url"}, 0, time.Time{}, nil); err == nil {
		t.Error("no error for a bad URL")
	}
}
