package sampler

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faultline/faultline/reports/model"
)

// network serves a sampler's requests in memory, to handlers by URL host,
// so that its tests run in a synctest bubble (real sockets would keep the
// bubble's clock from advancing). A host it does not know refuses the
// connection, as a closed port does.
type network struct {
	mu    sync.Mutex
	hosts map[string]http.Handler
}

func (n *network) add(host string, h http.Handler) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.hosts == nil {
		n.hosts = map[string]http.Handler{}
	}
	n.hosts[host] = h
	return "http://" + host
}

func (n *network) kill(host string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.hosts, host)
}

func (n *network) RoundTrip(req *http.Request) (*http.Response, error) {
	n.mu.Lock()
	h := n.hosts[req.URL.Host]
	n.mu.Unlock()
	if h == nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	in := req.Clone(req.Context())
	in.Body = http.NoBody
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err // the caller gave up before the answer
	}
	return rec.Result(), nil
}

// newSampler is New, its requests served by n.
func newSampler(t *testing.T, n *network, targets map[string]string, every time.Duration, start time.Time, filter func(string) bool) *Sampler {
	t.Helper()
	s, err := New(targets, every, start, filter)
	if err != nil {
		t.Fatal(err)
	}
	s.client.Transport = n
	return s
}

// service is a test service exposing a counter (by code), a gauge, a
// histogram and Go runtime metrics; every scrape bumps the counter and
// moves the gauge.
type service struct {
	url     string
	scrapes atomic.Int64
	agents  atomic.Value // last User-Agent
}

func newService(t *testing.T, n *network, name string) *service {
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
	s.url = n.add(name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// The tests run in synctest bubbles: scrape intervals, deadlines and the
// test's own timeline pass on the bubble's clock, exactly.

func TestSampler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n network
		svc := newService(t, &n, "api")
		start := time.Now()
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		s := newSampler(t, &n, map[string]string{"api": svc.url + "/metrics"}, 20*time.Millisecond, start, faultlineOnly)
		if err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
		series := s.Series()
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
	})
}

// TestRun checks the one-call Run over a real socket: its filter ends the
// run at the first scrape, so no clock is involved.
func TestRun(t *testing.T) {
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "# TYPE faultline_up gauge\nfaultline_up 1\n# TYPE other gauge\nother 2\n")
	}))
	defer svc.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stopAtOnce := func(name string) bool {
		cancel()
		return faultlineOnly(name)
	}
	series, err := Run(ctx, map[string]string{"api": svc.URL}, time.Hour, time.Time{}, stopAtOnce)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || series[0].Name != "faultline_up" || len(series[0].Points) != 1 || series[0].Points[0].V != 1 {
		t.Errorf("Run = %+v, want one point of faultline_up", series)
	}
	if _, err := Run(ctx, map[string]string{"x": "not a url"}, 0, time.Time{}, nil); err == nil {
		t.Error("Run with a bad URL: no error")
	}
}

func TestSamplerKilledService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n network
		a, b := newService(t, &n, "a"), newService(t, &n, "b")
		s := newSampler(t, &n, map[string]string{"a": a.url, "b": b.url}, 20*time.Millisecond, time.Time{}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		time.Sleep(150 * time.Millisecond)
		n.kill("b") // killed mid-run
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
	})
}

func TestSamplerHungService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n network
		hung := n.add("hung", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		began := time.Now()
		s := newSampler(t, &n, map[string]string{"hung": hung}, 10*time.Millisecond, time.Time{}, nil)
		if err := s.Run(ctx); err != nil || len(s.Series()) != 0 {
			t.Errorf("Run = %v, series %v", err, s.Series())
		}
		if took := time.Since(began); took > 500*time.Millisecond {
			t.Errorf("Run took %v after cancel with a hung service", took)
		}
	})
}

func TestSamplerBadAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n network
		bad := n.add("bad", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/garbage" {
				_, _ = w.Write([]byte("this is { not metrics\n"))
				return
			}
			http.NotFound(w, r)
		}))
		s := newSampler(t, &n, map[string]string{"404": bad + "/nope", "garbage": bad + "/garbage"}, 10*time.Millisecond, time.Time{}, nil)
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
	})
}

func TestNewInvalidURL(t *testing.T) {
	if _, err := New(map[string]string{"x": "not a url"}, 0, time.Time{}, nil); err == nil {
		t.Error("no error for a bad URL")
	}
}
