package bff

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

func TestValidate(t *testing.T) {
	p := New()
	tests := []testkit.ConfigCase[Config]{
		{Name: "defaults"},
		{Name: "baseline", Mutate: func(c *Config) { c.BFFs.Enabled = false }},
		{Name: "web timeout", Mutate: func(c *Config) { c.BFFs.Web.Timeout = 0 }, Want: []string{"bffs.web.timeout: must be > 0"}},
		{Name: "mobile timeout", Mutate: func(c *Config) { c.BFFs.Mobile.Timeout = -time.Second }, Want: []string{"bffs.mobile.timeout: must be > 0"}},
		{Name: "mobile workers", Mutate: func(c *Config) { c.BFFs.Mobile.Capacity.Workers = 0 }, Want: []string{"bffs.mobile.capacity.workers: must be > 0"}},
		{Name: "web queue, baseline too", Mutate: func(c *Config) { c.BFFs.Enabled = false; c.BFFs.Web.Capacity.Queue = -1 }, Want: []string{"bffs.web.capacity.queue"}},
		{Name: "ingress", Mutate: func(c *Config) { c.Ingress.QueueTimeout = -1 }, Want: []string{"ingress.queue_timeout"}},
		{Name: "catalog", Mutate: func(c *Config) { c.Catalog.Latency.Dist = "pareto" }, Want: []string{"catalog.latency.dist"}},
		{Name: "recommendations", Mutate: func(c *Config) { c.Recommendations.ResponseBytes = -1 }, Want: []string{"recommendations.response_bytes"}},
	}
	testkit.Validate(t, p.DefaultConfig, p.BaselineConfig, p.Validate, tests)
	if _, _, err := p.Handler(context.Background(), "nobody", p.DefaultConfig(), patterns.Env{}); err == nil {
		t.Error("Handler built an unknown service")
	}
}

// TestBaselineHasTheBFFsResources: the one API gets the two BFFs' workers
// and queues together and the longer of their waits, and nothing else
// changes.
func TestBaselineHasTheBFFsResources(t *testing.T) {
	p := New()
	def, base := p.DefaultConfig().(*Config), p.BaselineConfig().(*Config)
	if !def.BFFs.Enabled || base.BFFs.Enabled {
		t.Fatalf("BFFs enabled: default %v, baseline %v; want true, false", def.BFFs.Enabled, base.BFFs.Enabled)
	}
	w, m := def.BFFs.Web, def.BFFs.Mobile
	want := BFFConfig{
		Timeout: w.Timeout, // the web's, the longer
		Capacity: service.Capacity{
			Workers: w.Capacity.Workers + m.Capacity.Workers, Queue: w.Capacity.Queue + m.Capacity.Queue,
			QueueTimeout: w.Capacity.QueueTimeout,
		},
	}
	if got := base.APIConfig(); got != want || w.Timeout < m.Timeout {
		t.Errorf("API = %+v, want %+v (the BFFs' %+v and %+v together)", got, want, w, m)
	}
	base.BFFs.Enabled = true
	if base.BFFs != def.BFFs || base.Catalog != def.Catalog || base.Recommendations != def.Recommendations {
		t.Error("the baseline differs from the defaults in more than the switch")
	}
}

func TestConfigYAMLKeys(t *testing.T) {
	c := New().DefaultConfig().(*Config)
	src := "bffs: {enabled: false, mobile: {timeout: 90ms, capacity: {workers: 3, queue: 1, queue_timeout: 5ms}}}\n" +
		"recommendations: {response_bytes: 10}\n"
	if err := yaml.UnmarshalWithOptions([]byte(src), c, yaml.Strict()); err != nil {
		t.Fatal(err)
	}
	want := BFFConfig{Timeout: 90 * time.Millisecond, Capacity: service.Capacity{Workers: 3, Queue: 1, QueueTimeout: 5 * time.Millisecond}}
	if c.BFFs.Enabled || c.BFFs.Mobile != want || c.Recommendations.ResponseBytes != 10 || c.BFFs.Web.Capacity.Workers != 12 {
		t.Errorf("decoded %+v", c)
	}
}

func TestTopologyEdges(t *testing.T) {
	top := New().Topology()
	for _, tt := range []struct {
		from string
		want []string
	}{
		{Ingress, []string{API, WebBFF, MobileBFF}},
		{API, []string{Catalog, Reviews, Inventory, Recommendations}},
		{WebBFF, []string{Catalog, Reviews, Inventory, Recommendations}},
		{MobileBFF, []string{Catalog, Reviews, Inventory}}, // no recommendations
	} {
		if got := top.Callees(tt.from); !slices.Equal(got, tt.want) {
			t.Errorf("%s calls %v, want %v", tt.from, got, tt.want)
		}
	}
}

// fakes serves every downstream in-process: 1000-byte answers, except
// that a downstream named in hang blocks until its caller leaves and one
// named in fail answers 500. It counts the calls each gets.
type fakes struct {
	servers map[string]*httptest.Server
	calls   map[string]*atomic.Int64
}

func newFakes(t *testing.T, hang, fail string) *fakes {
	f := &fakes{servers: map[string]*httptest.Server{}, calls: map[string]*atomic.Int64{}}
	for _, dep := range []string{Catalog, Reviews, Inventory, Recommendations} {
		n := &atomic.Int64{}
		f.calls[dep] = n
		f.servers[dep] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			switch dep {
			case hang:
				<-r.Context().Done()
			case fail:
				http.Error(w, "down", http.StatusInternalServerError)
			default:
				_, _ = w.Write([]byte(strings.Repeat("x", 1000)))
			}
		}))
		t.Cleanup(f.servers[dep].Close)
	}
	return f
}

func (f *fakes) env(reg prometheus.Registerer) patterns.Env {
	return patterns.Env{Upstream: func(callee string) string { return f.servers[callee].URL }, Registry: reg}
}

// TestAnswers asks each serving service (a BFF, or the one API for each
// kind) for a product while one downstream misbehaves, and checks the
// answer's status, shape and size, and the calls that reached the
// downstreams and the counters.
func TestAnswers(t *testing.T) {
	tests := []struct {
		name       string
		service    string
		enabled    bool
		kind       string
		hang, fail string
		status     int
		degraded   bool
		keys       []string
		size       [2]int // the answer's bytes: at least, at most
		calls      []string
	}{
		{"web BFF", WebBFF, true, Web, "", "", 200, false,
			[]string{"product", "reviews", "stock", "recommendations"}, [2]int{4000, 4100}, []string{Catalog, Reviews, Inventory, Recommendations}},
		{"web BFF, recommendations slow", WebBFF, true, Web, Recommendations, "", 200, true,
			[]string{"product", "reviews", "stock"}, [2]int{3000, 3100}, []string{Catalog, Reviews, Inventory, Recommendations}},
		{"web BFF, catalog failing", WebBFF, true, Web, "", Catalog, 502, false, nil, [2]int{}, []string{Catalog, Reviews, Inventory, Recommendations}},
		{"mobile BFF", MobileBFF, true, Mobile, "", "", 200, false,
			[]string{"product", "rating", "in_stock"}, [2]int{224, 300}, []string{Catalog, Reviews, Inventory}},
		{"mobile BFF, recommendations slow", MobileBFF, true, Mobile, Recommendations, "", 200, false,
			[]string{"product", "rating", "in_stock"}, [2]int{224, 300}, []string{Catalog, Reviews, Inventory}},
		{"mobile BFF, reviews failing", MobileBFF, true, Mobile, "", Reviews, 200, true,
			[]string{"product", "in_stock"}, [2]int{176, 240}, []string{Catalog, Reviews, Inventory}},
		{"mobile BFF, inventory slow", MobileBFF, true, Mobile, Inventory, "", 504, false, nil, [2]int{}, []string{Catalog, Reviews, Inventory}},
		{"one API, mobile", API, false, Mobile, "", "", 200, false,
			[]string{"product", "reviews", "stock", "recommendations"}, [2]int{4000, 4100}, []string{Catalog, Reviews, Inventory, Recommendations}},
		{"one API, mobile, recommendations slow", API, false, Mobile, Recommendations, "", 200, true,
			[]string{"product", "reviews", "stock"}, [2]int{3000, 3100}, []string{Catalog, Reviews, Inventory, Recommendations}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // a hanging downstream holds its case for the timeout
			f := newFakes(t, tt.hang, tt.fail)
			c := New().DefaultConfig().(*Config)
			c.BFFs.Enabled = tt.enabled
			// Wide, so that healthy calls make it on a loaded machine under
			// the race detector (50ms did not).
			c.BFFs.Web.Timeout, c.BFFs.Mobile.Timeout = time.Second, time.Second
			reg := prometheus.NewRegistry()
			h, stop, err := New().Handler(t.Context(), tt.service, c, f.env(reg))
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/"+tt.kind+productPath, nil))
			degraded := rec.Header().Get(patterns.DegradedHeader) == "1"
			if rec.Code != tt.status || degraded != tt.degraded {
				t.Fatalf("status %d, degraded %v; want %d, %v (%s)", rec.Code, degraded, tt.status, tt.degraded, rec.Body)
			}
			if tt.status == 200 {
				checkShape(t, rec.Body.Bytes(), tt.keys, tt.size)
			}
			for dep, n := range f.calls {
				want := int64(0)
				if slices.Contains(tt.calls, dep) {
					want = 1
				}
				if n.Load() != want {
					t.Errorf("%s got %d calls, want %d", dep, n.Load(), want)
				}
				if got := counter(t, reg, CallsMetric, tt.kind, dep); got != float64(want) {
					t.Errorf("%s{client=%q,downstream=%q} = %v, want %d", CallsMetric, tt.kind, dep, got, want)
				}
			}
			if got := counter(t, reg, RequestsMetric, tt.kind, ""); got != 1 {
				t.Errorf("%s{client=%q} = %v, want 1", RequestsMetric, tt.kind, got)
			}
		})
	}
}

// checkShape checks that body is a JSON object with exactly keys, in order,
// and a size within size.
func checkShape(t *testing.T, body []byte, keys []string, size [2]int) {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	var got []string
	for _, k := range keys {
		if _, ok := m[k]; ok {
			got = append(got, k)
		}
	}
	if len(m) != len(keys) || !slices.Equal(got, keys) {
		t.Errorf("answer has keys %v, want %v", m, keys)
	}
	if n := len(body); n < size[0] || n > size[1] {
		t.Errorf("answer of %d bytes, want %d to %d", n, size[0], size[1])
	}
}

// counter reads the series of a counter vector with the given client
// (and downstream, when not "") from reg; 0 when there is none.
func counter(t *testing.T, reg *prometheus.Registry, name, client, dep string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["client"] == client && (dep == "" || labels["downstream"] == dep) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestIngressRoutes: with BFFs each kind goes to its own, without both go
// to the one API; the answer's status, body and degraded mark are relayed.
func TestIngressRoutes(t *testing.T) {
	backends := map[string]string{}
	for _, name := range []string{API, WebBFF, MobileBFF} {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(patterns.DegradedHeader, "1")
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(name + " " + r.URL.Path))
		}))
		t.Cleanup(s.Close)
		backends[name] = s.URL
	}
	tests := []struct {
		enabled bool
		path    string
		want    string
	}{
		{true, "/web/product", WebBFF + " /web/product"},
		{true, "/mobile/product", MobileBFF + " /mobile/product"},
		{false, "/web/product", API + " /web/product"},
		{false, "/mobile/product", API + " /mobile/product"},
	}
	for _, tt := range tests {
		c := New().DefaultConfig().(*Config)
		c.BFFs.Enabled = tt.enabled
		env := patterns.Env{Upstream: func(callee string) string { return backends[callee] }, Registry: prometheus.NewRegistry()}
		h, stop, err := New().Handler(t.Context(), Ingress, c, env)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		stop()
		if rec.Code != http.StatusAccepted || rec.Body.String() != tt.want || rec.Header().Get(patterns.DegradedHeader) != "1" {
			t.Errorf("BFFs %v, GET %s: %d %q (degraded %q); want 202 %q, degraded", tt.enabled, tt.path, rec.Code, rec.Body, rec.Header().Get(patterns.DegradedHeader), tt.want)
		}
	}
}

// TestGaugesOnlyWhereServed: a service the variant routes to exports its
// capacity and calls-per-request gauges; an idle one does not, so the plot
// shows only the pools at work.
func TestGaugesOnlyWhereServed(t *testing.T) {
	tests := []struct {
		service string
		enabled bool
		want    bool
	}{
		{WebBFF, true, true}, {MobileBFF, true, true}, {API, true, false},
		{WebBFF, false, false}, {MobileBFF, false, false}, {API, false, true},
	}
	f := newFakes(t, "", "")
	for _, tt := range tests {
		c := New().DefaultConfig().(*Config)
		c.BFFs.Enabled = tt.enabled
		reg := prometheus.NewRegistry()
		_, stop, err := New().Handler(t.Context(), tt.service, c, f.env(reg))
		if err != nil {
			t.Fatal(err)
		}
		stop()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, mf := range mfs {
			names = append(names, mf.GetName())
		}
		for _, g := range []string{InUseMetric, WorkersMetric, CallsPerRequestMetric} {
			if got := slices.Contains(names, g); got != tt.want {
				t.Errorf("%s (BFFs %v) exports %s: %v, want %v", tt.service, tt.enabled, g, got, tt.want)
			}
		}
	}
}
