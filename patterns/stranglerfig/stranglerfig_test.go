package stranglerfig

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/faults/actions/control"
	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

func TestValidate(t *testing.T) {
	p := New()
	tests := []testkit.ConfigCase[Config]{
		{Name: "defaults"},
		{Name: "baseline", Base: true},
		{Name: "no user header", Mutate: func(c *Config) { c.Facade.UserHeader = "" }, Want: []string{"facade.user_header: required"}},
		{Name: "no timeout", Mutate: func(c *Config) { c.Facade.Timeout = 0 }, Want: []string{"facade.timeout: must be > 0"}},
		{Name: "no shadow slots", Mutate: func(c *Config) { c.Facade.Shadow.Concurrency = 0 }, Want: []string{"facade.shadow.concurrency"}},
		{Name: "no shadow slots, shadow off", Base: true, Mutate: func(c *Config) { c.Facade.Shadow.Concurrency = 0 }},
		{Name: "bad rollback", Mutate: func(c *Config) {
			c.Facade.Rollback.Windows, c.Facade.Rollback.MaxErrorRate, c.Facade.Rollback.MaxDiffRate = 0, 1.5, -1
			c.Facade.Rollback.Window, c.Facade.Rollback.MinCalls = 0, 0
		}, Want: []string{"facade.rollback.windows", "facade.rollback.max_error_rate", "facade.rollback.max_diff_rate",
			"facade.rollback.window", "facade.rollback.min_calls"}},
		{Name: "bad rollback, rollback off", Base: true, Mutate: func(c *Config) { c.Facade.Rollback.Windows = 0 }},
		{Name: "bad capacity", Mutate: func(c *Config) { c.Facade.Capacity.Workers = 0 }, Want: []string{"facade.capacity.workers"}},
		{Name: "bad modern", Mutate: func(c *Config) { c.Modern.Latency.Dist = "pareto" }, Want: []string{"modern.latency.dist"}},
	}
	testkit.Validate(t, p.DefaultConfig, p.BaselineConfig, p.Validate, tests)
}

// TestBucketIsStickyAndProportional: a user keeps its bucket, so a user
// moved at 10% is still moved at 40%, and the share moved is near the
// percent.
func TestBucketIsStickyAndProportional(t *testing.T) {
	r := &route{name: Catalog}
	const users = 10000
	moved := map[string]bool{}
	for _, percent := range []int{10, 40, 100} {
		r.percent = percent
		n := 0
		for i := range users {
			u := fmt.Sprintf("u-%d", i)
			if r.toModern(u) {
				n++
				moved[u] = true
			} else if moved[u] {
				t.Fatalf("user %s moved back at %d%%", u, percent)
			}
		}
		if share := 100 * float64(n) / users; share < float64(percent)-2 || share > float64(percent)+2 {
			t.Errorf("at %d%%, %.1f%% of the users went to modern", percent, share)
		}
	}
	if r.toModern("") {
		t.Error("a request without a user key went to modern")
	}
}

func TestDifferCancelsNoise(t *testing.T) {
	ans := func(price int, trace string) reply {
		return reply{status: 200, body: fmt.Appendf(nil, `{"item":"1","price":%d,"meta":{"trace":%q}}`, price, trace)}
	}
	tests := []struct {
		name                          string
		primary, secondary, candidate reply
		want                          verdict
	}{
		{"equal", ans(10, "a"), ans(10, "a"), ans(10, "a"), same},
		{"noise only", ans(10, "a"), ans(10, "b"), ans(10, "c"), noise},
		{"real diff beside noise", ans(10, "a"), ans(10, "b"), ans(11, "c"), diff},
		{"real diff, no noise seen here", ans(10, "a"), ans(10, "a"), ans(12, "a"), diff},
		{"status differs", ans(10, "a"), ans(10, "a"), reply{status: 404, body: []byte(`{}`)}, diff},
		{"not JSON", reply{status: 200, body: []byte("x")}, reply{status: 200, body: []byte("x")}, reply{status: 200, body: []byte("y")}, diff},
	}
	d := newDiffer()
	for _, tt := range tests {
		if got := d.compare(tt.primary, tt.secondary, tt.candidate); got != tt.want {
			t.Errorf("%s: verdict %d, want %d", tt.name, got, tt.want)
		}
	}
	// Once a field showed noise, it stays noisy: a later pair of equal
	// legacy answers does not make a trace difference real.
	if got := d.compare(ans(10, "a"), ans(10, "a"), ans(10, "z")); got != noise {
		t.Errorf("learned noise: verdict %d, want noise", got)
	}
}

func TestMonitorTripsAfterKBadWindows(t *testing.T) {
	cfg := RollbackConfig{Enabled: true, Window: time.Second, Windows: 3, MaxErrorRate: 0.05, MaxDiffRate: 0.02, MinCalls: 10}
	tests := []struct {
		name    string
		windows []tally // one per window, in order
		trips   int     // the window (0-based) whose first answer trips it, judging the one before; 0: never
	}{
		{"healthy", []tally{{calls: 20}, {calls: 20}, {calls: 20}, {calls: 20}}, 0},
		{"three bad in a row", []tally{{calls: 20}, {calls: 20, errors: 5}, {calls: 20, errors: 5}, {calls: 20, errors: 5}, {calls: 20}}, 4},
		{"a good window resets", []tally{{calls: 20, errors: 5}, {calls: 20, errors: 5}, {calls: 20}, {calls: 20, errors: 5}, {calls: 20, errors: 5}, {calls: 20}}, 0},
		{"quiet windows do not count", []tally{{calls: 20, errors: 5}, {calls: 3, errors: 3}, {calls: 20, errors: 5}, {calls: 20, errors: 5}}, 4},
		{"diffs", []tally{{compared: 50, diff: 2}, {compared: 50, diff: 2}, {compared: 50, diff: 2}}, 3},
		{"diffs at the threshold", []tally{{compared: 50, diff: 1}, {compared: 50, diff: 1}, {compared: 50, diff: 1}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clock.NewManual(time.Unix(0, 0))
			var tripped atomic.Int32
			m := newMonitor(cfg, c, func() { tripped.Add(1) })
			trippedAt := 0
			for i, w := range append(tt.windows, tally{calls: 1}) { // a last answer judges the last window
				for j := range max(w.calls, w.compared) {
					if j < w.calls {
						m.call(j < w.errors)
					}
					if j < w.compared {
						m.compared(j < w.diff)
					}
				}
				if trippedAt == 0 && tripped.Load() > 0 {
					trippedAt = i
				}
				c.Advance(time.Second)
			}
			if trippedAt != tt.trips || tripped.Load() > 1 {
				t.Errorf("tripped %d time(s), after window %d; want once after window %d (0: never)", tripped.Load(), trippedAt, tt.trips)
			}
		})
	}
}

// fakeBackend answers JSON like legacy and modern; failing makes it answer
// 500, hold makes it wait until released.
type fakeBackend struct {
	srv     *httptest.Server
	calls   atomic.Int64
	failing atomic.Bool
	hold    chan struct{}
}

func newFakeBackend(t *testing.T, name string) *fakeBackend {
	b := &fakeBackend{}
	var traces atomic.Int64
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.calls.Add(1)
		if b.hold != nil {
			<-b.hold
		}
		if b.failing.Load() {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		a := answerFor(r.URL.Path)
		a.TraceID = fmt.Sprint(name, "-", traces.Add(1))
		writeJSON(w, a)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// facadeUnder builds the facade of cfg over the fakes.
func facadeUnder(t *testing.T, cfg *Config, legacy, modern *fakeBackend) (http.Handler, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	env := patterns.Env{Registry: reg, Upstream: func(callee string) string {
		if callee == Legacy {
			return legacy.srv.URL
		}
		return modern.srv.URL
	}}
	h, stop, err := New().Handler(context.Background(), Facade, cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	// Shifts go to its control face, the users' requests to its data face.
	return service.OneFace(Facade, h, reg, 1), reg
}

func get(t *testing.T, h http.Handler, user string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/catalog/items/7", nil)
	req.Header.Set("X-User", user)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func shift(t *testing.T, h http.Handler, percent int) control.Route {
	t.Helper()
	req := httptest.NewRequest(http.MethodPut, "http://127.0.0.1"+control.RoutesPath+"/"+Catalog, bytes.NewReader(fmt.Appendf(nil, `{"percent":%d}`, percent)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got control.Route
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
		t.Fatalf("shift to %d%%: %d %s", percent, rec.Code, rec.Body)
	}
	return got
}

// TestFacadeRollsBackAndBigBangDoesNot: the same shift and the same
// failing modern; the pattern routes the users back to legacy after K
// bad windows and ignores the next shift, the baseline sends every user
// to modern at the first shift and keeps them there.
func TestFacadeRollsBackAndBigBangDoesNot(t *testing.T) {
	for _, baseline := range []bool{false, true} {
		t.Run(fmt.Sprintf("baseline=%v", baseline), func(t *testing.T) {
			legacy, modern := newFakeBackend(t, Legacy), newFakeBackend(t, Modern)
			cfg := New().DefaultConfig().(*Config)
			if baseline {
				cfg = New().BaselineConfig().(*Config)
			}
			// Every answer is a window of its own, judged by the next.
			cfg.Facade.Rollback.Window, cfg.Facade.Rollback.MinCalls = time.Nanosecond, 1
			h, reg := facadeUnder(t, cfg, legacy, modern)
			users := []string{}
			for i := range 100 {
				users = append(users, fmt.Sprint("u-", i))
			}
			if st := shift(t, h, 40); baseline != (st.Percent == 100) {
				t.Fatalf("after a 40%% shift the route is at %d%% (baseline %v)", st.Percent, baseline)
			}
			modern.failing.Store(true)
			failed := 0
			for range 3 {
				for _, u := range users {
					if get(t, h, u) != http.StatusOK {
						failed++
					}
				}
			}
			st := shift(t, h, 100)
			rollbacks := metric(t, reg, RollbacksMetric)
			if baseline {
				if failed != 300 || st.RolledBack || st.Percent != 100 || rollbacks != 0 {
					t.Errorf("big bang: %d of 300 failed, route %+v, %v rollbacks; want every request on failing modern", failed, st, rollbacks)
				}
				return
			}
			// K=3 failed windows trip it; shadow copies of the legacy
			// users' requests also count, so it may trip sooner.
			if !st.RolledBack || st.Percent != 0 || failed > 4 || rollbacks != 1 {
				t.Errorf("pattern: %d of 300 failed, route %+v, %v rollbacks; want one rollback after at most 4 failures", failed, st, rollbacks)
			}
			if ignored := metric(t, reg, IgnoredShiftsMetric); ignored != 1 {
				t.Errorf("%v shifts ignored after the rollback, want 1", ignored)
			}
		})
	}
}

// TestShadowDropsWhenFull: with modern stuck, the copies beyond the
// shadow's slots are dropped, and users' answers never wait for modern.
func TestShadowDropsWhenFull(t *testing.T) {
	legacy, modern := newFakeBackend(t, Legacy), newFakeBackend(t, Modern)
	modern.hold = make(chan struct{})
	cfg := New().DefaultConfig().(*Config)
	cfg.Facade.Shadow.Concurrency, cfg.Facade.Shadow.Timeout = 2, time.Minute
	h, reg := facadeUnder(t, cfg, legacy, modern)
	for i := range 10 {
		if code := get(t, h, fmt.Sprint("u-", i)); code != http.StatusOK {
			t.Fatalf("user request: %d", code)
		}
	}
	sent, dropped := metric(t, reg, ShadowSentMetric), metric(t, reg, ShadowDroppedMetric)
	close(modern.hold)
	if sent != 2 || dropped != 8 {
		t.Errorf("shadow sent %v, dropped %v; want 2 and 8", sent, dropped)
	}
	testkit.Until(t, 5*time.Second, "both copies compared", func() bool { return metric(t, reg, ComparedMetric) == 2 })
	if d, n := metric(t, reg, DiffsMetric), metric(t, reg, NoiseMetric); d != 0 || n != 2 {
		t.Errorf("diffs %v, noise %v; want 0 and 2 (the trace ids differ by nature)", d, n)
	}
}

// TestShadowSeesACorruptedField: a modern answer with a wrong price is a
// real diff; the trace id differs on every answer and is noise.
func TestShadowSeesACorruptedField(t *testing.T) {
	legacy := newFakeBackend(t, Legacy)
	modern := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answerFor(r.URL.Path)
		a.Price++
		a.TraceID = "m"
		writeJSON(w, a)
	}))
	t.Cleanup(modern.Close)
	cfg := New().DefaultConfig().(*Config)
	h, reg := facadeUnder(t, cfg, legacy, &fakeBackend{srv: modern})
	for i := range 5 {
		get(t, h, fmt.Sprint("u-", i))
	}
	testkit.Until(t, 5*time.Second, "five copies compared", func() bool { return metric(t, reg, ComparedMetric) == 5 })
	if d := metric(t, reg, DiffsMetric); d != 5 {
		t.Errorf("diffs %v of 5, want 5", d)
	}
}

// metric sums every series of the named metric in reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}
