package ambassador

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/policy/retry"
)

func TestValidate(t *testing.T) {
	p := New()
	mut := func(f func(*Config)) *Config { c := p.DefaultConfig().(*Config); f(c); return c }
	tests := []struct {
		name string
		cfg  any
		want []string // substrings of the error; none: valid
	}{
		{"defaults", p.DefaultConfig(), nil},
		{"baseline", p.BaselineConfig(), nil},
		{"wrong type", &struct{}{}, []string{"want *ambassador.Config"}},
		{"mode", mut(func(c *Config) { c.Ambassador.Mode = "hedge" }),
			[]string{`ambassador.mode: must be "passthrough", "retry" or "resilient", got "hedge"`}},
		{"app timeout", mut(func(c *Config) { c.App.Timeout = 0 }), []string{"app.timeout: must be > 0"}},
		{"app capacity", mut(func(c *Config) { c.App.Capacity.Workers = 0 }), []string{"app.capacity.workers: must be > 0"}},
		{"remote", mut(func(c *Config) { c.Remote.Latency.Dist = "gamma" }), []string{"remote.latency.dist"}},
		{"attempt timeout", mut(func(c *Config) { c.Ambassador.Timeout = -time.Second }), []string{"ambassador.timeout: must be >= 0"}},
		{"retry fields named", mut(func(c *Config) { c.Ambassador.Retry.MaxAttempts, c.Ambassador.Retry.Jitter = 0, "x" }),
			[]string{"ambassador.retry.max_attempts", "ambassador.retry.jitter"}},
		{"budget named", mut(func(c *Config) { c.Ambassador.Retry.Budget.Ratio = -1 }), []string{"ambassador.retry.budget.ratio"}},
		{"breaker named", mut(func(c *Config) { c.Ambassador.Breaker.OpenWait, c.Ambassador.Breaker.Size = 0, 0 }),
			[]string{"ambassador.breaker.open_wait", "ambassador.breaker.size"}},
		// Each mode checks only what it uses.
		{"passthrough ignores policies", mut(func(c *Config) {
			c.Ambassador.Mode, c.Ambassador.Timeout, c.Ambassador.Retry.MaxAttempts, c.Ambassador.Breaker.OpenWait = Passthrough, 0, 0, 0
		}), nil},
		{"retry ignores budget and breaker", mut(func(c *Config) {
			c.Ambassador.Mode, c.Ambassador.Retry.Budget.Ratio, c.Ambassador.Breaker.OpenWait = Retry, -1, 0
		}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.ErrorContains(t, "Validate()", p.Validate(tt.cfg), tt.want)
		})
	}
}

func TestTopology(t *testing.T) {
	topo := New().Topology()
	for _, e := range []string{"client->app", "app->ambassador", "ambassador->remote"} {
		pe, _ := patterns.ParseEdge(e)
		if !topo.HasEdge(pe) {
			t.Errorf("no edge %s", e)
		}
	}
	if topo.Entry != App || topo.Downstream != Remote || topo.StateService != Ambassador {
		t.Errorf("entry %q, downstream %q, state on %q", topo.Entry, topo.Downstream, topo.StateService)
	}
	if _, _, err := New().Handler(context.Background(), "nobody", New().DefaultConfig(), patterns.Env{}); err == nil {
		t.Error("Handler built a service that is not in the topology")
	}
}

// fakeRemote answers by a script: the nth request gets answer(n).
type fakeRemote struct {
	calls  atomic.Int64
	answer func(n int64) (status int, delay time.Duration)
}

func (f *fakeRemote) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.calls.Add(1)
	status, delay := f.answer(n)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "remote answer")
}

func always(status int) func(int64) (int, time.Duration) {
	return func(int64) (int, time.Duration) { return status, 0 }
}

// testConfig is the default configuration with a fast, deterministic
// policy: no backoff, a breaker that never trips, a budget that never
// refuses, 30ms attempts.
func testConfig(mode string) *Config {
	c := New().DefaultConfig().(*Config)
	c.Ambassador.Mode = mode
	c.Ambassador.Timeout = 30 * time.Millisecond
	c.Ambassador.Retry.BaseDelay, c.Ambassador.Retry.MaxDelay = 0, 0
	c.Ambassador.Retry.Budget.Ratio = 10
	c.Ambassador.Breaker.Size, c.Ambassador.Breaker.MinCalls = 1000, 1000
	return c
}

// serve starts the named service of c with its upstream pointing at up.
func serve(t *testing.T, name string, c *Config, up string) (*httptest.Server, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	h, stop, err := New().Handler(context.Background(), name, c, patterns.Env{
		Upstream: func(string) string { return up },
		Seed:     1,
		Registry: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); stop() })
	return srv, reg
}

func TestAmbassadorModes(t *testing.T) {
	failTwice := func(n int64) (int, time.Duration) {
		if n <= 2 {
			return http.StatusServiceUnavailable, 0
		}
		return http.StatusOK, 0
	}
	slow := func(int64) (int, time.Duration) { return http.StatusOK, 200 * time.Millisecond }
	tests := []struct {
		name       string
		cfg        *Config
		remote     func(int64) (int, time.Duration)
		calls      int // requests to the ambassador, one after another
		wantStatus int // of the last call
		wantRemote int64
		wantRetry  float64
	}{
		{"passthrough forwards once", testConfig(Passthrough), always(503), 1, 503, 1, 0},
		{"passthrough success", testConfig(Passthrough), always(200), 1, 200, 1, 0},
		{"passthrough has no attempt timeout", testConfig(Passthrough), slow, 1, 200, 1, 0},
		{"retry uses every attempt", testConfig(Retry), always(503), 1, 503, 4, 3},
		{"retry until success", testConfig(Retry), failTwice, 1, 200, 3, 2},
		{"4xx is not retried", testConfig(Retry), always(404), 1, 404, 1, 0},
		{"attempts time out", testConfig(Retry), slow, 1, 504, 4, 3},
		{"resilient retries too", testConfig(Resilient), failTwice, 1, 200, 3, 2},
		{"retry mode has no budget", func() *Config {
			c := testConfig(Retry)
			c.Ambassador.Retry.Budget = retry.BudgetConfig{Enabled: true, Window: 10 * time.Second} // ignored
			return c
		}(), always(503), 10, 503, 40, 30},
		{"resilient budget caps retries", func() *Config {
			c := testConfig(Resilient)
			c.Ambassador.Retry.Budget = retry.BudgetConfig{Enabled: true, MinPerSecond: 0.2, Window: 10 * time.Second}
			return c
		}(), always(503), 10, 503, 10 + 2, 2}, // the reserve: 0.2/s over 10s
		{"open breaker fails fast", func() *Config {
			c := testConfig(Resilient)
			c.Ambassador.Breaker.Size, c.Ambassador.Breaker.MinCalls = 4, 4
			return c
		}(), always(503), 3, 503, 4, 3}, // the first call trips it; the rest are refused
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote := &fakeRemote{answer: tt.remote}
			rsrv := httptest.NewServer(remote)
			defer rsrv.Close()
			amb, reg := serve(t, Ambassador, tt.cfg, rsrv.URL)
			var status int
			for range tt.calls {
				resp, err := http.Post(amb.URL+"/lookup", "text/plain", nil)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			if got := remote.calls.Load(); got != tt.wantRemote {
				t.Errorf("remote got %d requests, want %d", got, tt.wantRemote)
			}
			if got := counter(t, reg, "faultline_ambassador_retries_total"); got != tt.wantRetry {
				t.Errorf("retries counted %v, want %v", got, tt.wantRetry)
			}
		})
	}
}

// counter sums a counter family's series in reg.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// TestAttemptOutcomes checks the attempts counter's labels and the breaker
// state gauge.
func TestAttemptOutcomes(t *testing.T) {
	c := testConfig(Resilient)
	c.Ambassador.Breaker.Size, c.Ambassador.Breaker.MinCalls = 4, 4
	remote := &fakeRemote{answer: func(n int64) (int, time.Duration) {
		if n == 1 {
			return 200, 100 * time.Millisecond // times out
		}
		return 503, 0
	}}
	rsrv := httptest.NewServer(remote)
	defer rsrv.Close()
	amb, reg := serve(t, Ambassador, c, rsrv.URL)
	for range 2 {
		resp, err := http.Post(amb.URL+"/lookup", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := `
# HELP faultline_ambassador_attempts_total Attempts to call the remote, by outcome: success, timeout, connection, server_error, client_error, rejected (breaker open), cancelled (the app gave up).
# TYPE faultline_ambassador_attempts_total counter
faultline_ambassador_attempts_total{outcome="cancelled"} 0
faultline_ambassador_attempts_total{outcome="client_error"} 0
faultline_ambassador_attempts_total{outcome="connection"} 0
faultline_ambassador_attempts_total{outcome="rejected"} 1
faultline_ambassador_attempts_total{outcome="server_error"} 3
faultline_ambassador_attempts_total{outcome="success"} 0
faultline_ambassador_attempts_total{outcome="timeout"} 1
# HELP faultline_breaker_state Breaker state: 0 closed, 1 open, 2 half-open.
# TYPE faultline_breaker_state gauge
faultline_breaker_state 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"faultline_ambassador_attempts_total", "faultline_breaker_state"); err != nil {
		t.Error(err)
	}
}

// TestAppChain runs app → ambassador → remote and checks the app's answers:
// the remote's body, its error status, and 504 when the app's own timeout
// expires first.
func TestAppChain(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		appTimeout time.Duration
		remote     func(int64) (int, time.Duration)
		wantStatus int
	}{
		{"success", Retry, time.Second, always(200), 200},
		{"error passed on", Retry, time.Second, always(503), 503},
		{"app timeout", Passthrough, 50 * time.Millisecond, func(int64) (int, time.Duration) { return 200, time.Second }, 504},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig(tt.mode)
			c.App.Timeout = tt.appTimeout
			rsrv := httptest.NewServer(&fakeRemote{answer: tt.remote})
			defer rsrv.Close()
			amb, _ := serve(t, Ambassador, c, rsrv.URL)
			app, _ := serve(t, App, c, amb.URL)
			resp, err := http.Get(app.URL + "/lookup")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d (%q), want %d", resp.StatusCode, body, tt.wantStatus)
			}
			if tt.wantStatus == 200 && string(body) != "remote answer" {
				t.Errorf("body %q, want the remote's", body)
			}
		})
	}
}

// TestConcurrentCalls exercises the ambassador's shared state under -race.
func TestConcurrentCalls(t *testing.T) {
	rsrv := httptest.NewServer(&fakeRemote{answer: func(n int64) (int, time.Duration) {
		if n%3 == 0 {
			return 503, 0
		}
		return 200, 0
	}})
	defer rsrv.Close()
	amb, _ := serve(t, Ambassador, testConfig(Resilient), rsrv.URL)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				resp, err := http.Post(amb.URL+"/x", "text/plain", nil)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}
