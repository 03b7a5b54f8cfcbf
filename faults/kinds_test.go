package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	"github.com/goccy/go-yaml"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/faults/httpfault"
)

// callLog records what faults did to a fake topology, in order.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, s)
}

// take returns the calls so far and forgets them.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	return out
}

// fakeToxiproxy is the part of Toxiproxy's HTTP API faults use. It logs
// changes as "add PROXY BODY", "remove PROXY TOXIC", "update PROXY enabled=B".
type fakeToxiproxy struct {
	log    *callLog
	mu     sync.Mutex
	toxics map[string]bool // "proxy/toxic"
}

func (f *fakeToxiproxy) handler() http.Handler {
	apiError := func(w http.ResponseWriter, msg string, status int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": msg, "status": status})
	}
	proxy := func(w http.ResponseWriter, name string) {
		json.NewEncoder(w).Encode(map[string]any{"name": name, "listen": "127.0.0.1:1", "upstream": "127.0.0.1:2", "enabled": true, "toxics": []any{}})
	}
	known := func(w http.ResponseWriter, r *http.Request) bool {
		if r.PathValue("proxy") != "client->api" {
			apiError(w, "proxy not found", http.StatusNotFound)
			return false
		}
		return true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /proxies/{proxy}", func(w http.ResponseWriter, r *http.Request) {
		if known(w, r) {
			proxy(w, r.PathValue("proxy"))
		}
	})
	mux.HandleFunc("POST /proxies/{proxy}", func(w http.ResponseWriter, r *http.Request) {
		if !known(w, r) {
			return
		}
		var p struct{ Enabled bool }
		json.NewDecoder(r.Body).Decode(&p)
		f.log.add(r.PathValue("proxy") + " enabled=" + map[bool]string{true: "true", false: "false"}[p.Enabled])
		proxy(w, r.PathValue("proxy"))
	})
	mux.HandleFunc("POST /proxies/{proxy}/toxics", func(w http.ResponseWriter, r *http.Request) {
		if !known(w, r) {
			return
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		key := r.PathValue("proxy") + "/" + body["name"].(string)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.toxics[key] {
			apiError(w, "toxic already exists", http.StatusConflict)
			return
		}
		f.toxics[key] = true
		b, _ := json.Marshal(body)
		f.log.add("add " + r.PathValue("proxy") + " " + string(b))
		w.Write(b)
	})
	mux.HandleFunc("DELETE /proxies/{proxy}/toxics/{toxic}", func(w http.ResponseWriter, r *http.Request) {
		if !known(w, r) {
			return
		}
		key := r.PathValue("proxy") + "/" + r.PathValue("toxic")
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.toxics[key] {
			apiError(w, "toxic not found", http.StatusNotFound)
			return
		}
		delete(f.toxics, key)
		f.log.add("remove " + r.PathValue("proxy") + " " + r.PathValue("toxic"))
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// fakeTarget is a topology of one edge "client->api" behind a fake
// Toxiproxy, and one service "api" with a real httpfault.Injector whose
// admin calls it logs as "PUT PATH BODY" and "DELETE PATH".
type fakeTarget struct {
	log      *callLog
	proxies  *toxiproxy.Client
	faultURL string
	injector *httpfault.Injector
	killErr  error
	startErr error
}

func newFakeTarget(t *testing.T) *fakeTarget {
	t.Helper()
	ft := &fakeTarget{log: &callLog{}}
	tp := httptest.NewServer((&fakeToxiproxy{log: ft.log, toxics: map[string]bool{}}).handler())
	t.Cleanup(tp.Close)
	ft.proxies = toxiproxy.NewClient(tp.URL)

	ft.injector = httpfault.New(http.NotFoundHandler(), 1)
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ft.log.add(strings.TrimSpace(r.Method + " " + r.URL.Path + " " + string(b)))
		r.Body = io.NopCloser(bytes.NewReader(b))
		ft.injector.ServeHTTP(w, r)
	}))
	t.Cleanup(svc.Close)
	ft.faultURL = svc.URL
	return ft
}

func (ft *fakeTarget) Proxy(edge string) (*toxiproxy.Proxy, error) { return ft.proxies.Proxy(edge) }

func (ft *fakeTarget) FaultURL(service string) (string, error) {
	if service != "api" {
		return "", errors.New("no service " + service)
	}
	return ft.faultURL, nil
}

func (ft *fakeTarget) Kill(ctx context.Context, service string) error {
	ft.log.add("kill " + service)
	return ft.killErr
}

func (ft *fakeTarget) Restart(ctx context.Context, service string) error {
	ft.log.add("restart " + service)
	return ft.startErr
}

func (ft *fakeTarget) Pause(ctx context.Context, service string) error {
	ft.log.add("pause " + service)
	return nil
}

func (ft *fakeTarget) Unpause(ctx context.Context, service string) error {
	ft.log.add("unpause " + service)
	return nil
}

func (ft *fakeTarget) Partition(ctx context.Context, service string) error {
	ft.log.add("partition " + service)
	return nil
}

func (ft *fakeTarget) Heal(ctx context.Context, service string) error {
	ft.log.add("heal " + service)
	return nil
}

// decode decodes one fault from YAML the way a scenario loader would:
// kind first, then the whole mapping, strictly, onto that kind's defaults.
func decode(t *testing.T, src string) faults.Fault {
	t.Helper()
	var k struct {
		Kind string `yaml:"kind"`
	}
	if err := yaml.Unmarshal([]byte(src), &k); err != nil {
		t.Fatal(err)
	}
	f, err := faults.New(k.Kind)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.NewDecoder(strings.NewReader(src), yaml.DisallowUnknownField()).Decode(f); err != nil {
		t.Fatalf("decode %q: %v", src, err)
	}
	return f
}

func TestKinds(t *testing.T) {
	const edge = "name: f\nat: 1s\nduration: 2s\ntarget: client->api\n"
	const svc = "name: f\nat: 1s\nduration: 2s\ntarget: api\n"
	tests := []struct {
		yaml   string
		on     faults.On
		apply  []string
		revert []string
	}{
		{
			yaml:   "kind: latency\n" + edge + "latency: 200ms\njitter: 50ms\ndirection: upstream\ntoxicity: 0.5\n",
			apply:  []string{`add client->api {"attributes":{"jitter":50,"latency":200},"name":"f","stream":"upstream","toxicity":0.5,"type":"latency"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: bandwidth\n" + edge + "rate: 64\n",
			apply:  []string{`add client->api {"attributes":{"rate":64},"name":"f","stream":"downstream","toxicity":1,"type":"bandwidth"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: slow_close\n" + edge + "delay: 1.5s\n",
			apply:  []string{`add client->api {"attributes":{"delay":1500},"name":"f","stream":"downstream","toxicity":1,"type":"slow_close"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: timeout\n" + edge + "timeout: 0s\n",
			apply:  []string{`add client->api {"attributes":{"timeout":0},"name":"f","stream":"downstream","toxicity":1,"type":"timeout"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: reset_peer\n" + edge + "timeout: 100ms\n",
			apply:  []string{`add client->api {"attributes":{"timeout":100},"name":"f","stream":"downstream","toxicity":1,"type":"reset_peer"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: slicer\n" + edge + "average_size: 64\nsize_variation: 16\ndelay: 2ms\n",
			apply:  []string{`add client->api {"attributes":{"average_size":64,"delay":2000,"size_variation":16},"name":"f","stream":"downstream","toxicity":1,"type":"slicer"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: limit_data\n" + edge + "bytes: 1024\n",
			apply:  []string{`add client->api {"attributes":{"bytes":1024},"name":"f","stream":"downstream","toxicity":1,"type":"limit_data"}`},
			revert: []string{"remove client->api f"},
		},
		{
			yaml:   "kind: down\n" + edge,
			apply:  []string{"client->api enabled=false"},
			revert: []string{"client->api enabled=true"},
		},
		{
			yaml:   "kind: http_error\n" + svc + "status: 503\nrate: 0.25\n",
			on:     faults.OnService,
			apply:  []string{`PUT /_faultline/faults/f {"kind":"error","rate":0.25,"status":503}`},
			revert: []string{"DELETE /_faultline/faults/f"},
		},
		{
			yaml:   "kind: http_delay\n" + svc + "delay: 100ms\njitter: 10ms\n",
			on:     faults.OnService,
			apply:  []string{`PUT /_faultline/faults/f {"kind":"delay","rate":1,"delay":100000000,"jitter":10000000}`},
			revert: []string{"DELETE /_faultline/faults/f"},
		},
		{
			yaml:   "kind: http_abort\n" + svc,
			on:     faults.OnService,
			apply:  []string{`PUT /_faultline/faults/f {"kind":"abort","rate":1}`},
			revert: []string{"DELETE /_faultline/faults/f"},
		},
		{
			yaml:   "kind: http_corrupt\n" + svc + "field: price\nrate: 0.05\n",
			on:     faults.OnService,
			apply:  []string{`PUT /_faultline/faults/f {"kind":"corrupt","rate":0.05,"field":"price"}`},
			revert: []string{"DELETE /_faultline/faults/f"},
		},
		{
			yaml:   "kind: kill\n" + svc,
			on:     faults.OnService,
			apply:  []string{"kill api"},
			revert: []string{"restart api"},
		},
		{
			yaml:  "kind: restart\nname: f\nat: 1s\ntarget: api\n",
			on:    faults.OnService,
			apply: []string{"kill api", "restart api"},
		},
		{
			yaml:   "kind: pause\n" + svc,
			on:     faults.OnService,
			apply:  []string{"pause api"},
			revert: []string{"unpause api"},
		},
		{
			yaml:   "kind: partition\n" + svc,
			on:     faults.OnService,
			apply:  []string{"partition api"},
			revert: []string{"heal api"},
		},
	}
	var covered []string
	for _, tt := range tests {
		kind := strings.TrimPrefix(strings.SplitN(tt.yaml, "\n", 2)[0], "kind: ")
		covered = append(covered, kind)
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			ft := newFakeTarget(t)
			f := decode(t, tt.yaml)
			if err := f.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if f.On() != tt.on {
				t.Errorf("On() = %v, want %v", f.On(), tt.on)
			}
			if b := f.Base(); b.Kind != kind || b.Name != "f" {
				t.Errorf("Base() = %+v", b)
			}
			if err := f.Apply(ctx, ft); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := ft.log.take(); !slices.Equal(got, tt.apply) {
				t.Errorf("Apply did\n%q\nwant\n%q", got, tt.apply)
			}
			if tt.on == faults.OnService && !slices.Contains([]string{"kill", "restart", "pause", "partition"}, kind) {
				if rules := ft.injector.Rules(); len(rules) != 1 {
					t.Errorf("active HTTP rules after Apply: %v", rules)
				}
			}
			if err := f.Revert(ctx, ft); err != nil {
				t.Fatalf("Revert: %v", err)
			}
			if got := ft.log.take(); !slices.Equal(got, tt.revert) {
				t.Errorf("Revert did\n%q\nwant\n%q", got, tt.revert)
			}
			if rules := ft.injector.Rules(); len(rules) != 0 {
				t.Errorf("active HTTP rules after Revert: %v", rules)
			}
			// Reverting again, the fault being gone already, is no error.
			if kind != "kill" {
				if err := f.Revert(ctx, ft); err != nil {
					t.Errorf("second Revert: %v", err)
				}
			}
		})
	}
	slices.Sort(covered)
	if !slices.Equal(covered, faults.Kinds()) {
		t.Errorf("tested kinds %v, want every kind %v", covered, faults.Kinds())
	}
}

// TestToxicLeftOver checks that applying a toxic whose name is already on
// the proxy (left over from an interrupted run) replaces it.
func TestToxicLeftOver(t *testing.T) {
	ft := newFakeTarget(t)
	f := decode(t, "kind: latency\nname: f\nduration: 1s\ntarget: client->api\nlatency: 10ms\n")
	for range 2 {
		if err := f.Apply(t.Context(), ft); err != nil {
			t.Fatal(err)
		}
	}
	add := `add client->api {"attributes":{"jitter":0,"latency":10},"name":"f","stream":"downstream","toxicity":1,"type":"latency"}`
	want := []string{add, "remove client->api f", add}
	if got := ft.log.take(); !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		yaml string
		want string
	}{
		{"kind: latency\nname: f\nduration: 1s\ntarget: client->db\nlatency: 10ms\n", `add latency toxic "f" on "client->db"`},
		{"kind: down\nname: f\nduration: 1s\ntarget: client->db\n", `disable proxy "client->db"`},
		{"kind: http_error\nname: f\nduration: 1s\ntarget: db\n", `put HTTP error rule "f" on "db": no service db`},
	}
	for _, tt := range tests {
		ft := newFakeTarget(t)
		err := decode(t, tt.yaml).Apply(t.Context(), ft)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Apply = %v, want an error containing %q", tt.yaml, err, tt.want)
		}
	}
	// A proxy the Toxiproxy API does not know: the API's 404 is kept.
	ft := newFakeTarget(t)
	err := decode(t, "kind: latency\nname: f\nduration: 1s\ntarget: client->db\nlatency: 10ms\n").Apply(t.Context(), ft)
	var ae *toxiproxy.ApiError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Errorf("Apply on an unknown proxy = %v, want a wrapped *toxiproxy.ApiError 404", err)
	}
	// A cancelled context stops Apply before it calls Toxiproxy.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = decode(t, "kind: latency\nname: f\nduration: 1s\ntarget: client->api\nlatency: 10ms\n").Apply(ctx, ft)
	if !errors.Is(err, context.Canceled) || len(ft.log.take()) != 0 {
		t.Errorf("Apply with a cancelled context = %v", err)
	}
}

func TestKillRestartFailures(t *testing.T) {
	boom := errors.New("boom")
	ctx := t.Context()

	// Restart: a failed start leaves the service down; Revert starts it.
	ft := newFakeTarget(t)
	ft.startErr = boom
	r := decode(t, "kind: restart\nname: r\ntarget: api\n")
	if err := r.Apply(ctx, ft); !errors.Is(err, boom) {
		t.Fatalf("Apply = %v, want boom", err)
	}
	ft.startErr = nil
	if err := r.Revert(ctx, ft); err != nil {
		t.Fatal(err)
	}
	if err := r.Revert(ctx, ft); err != nil { // started already: nothing to do
		t.Fatal(err)
	}
	if got, want := ft.log.take(), []string{"kill api", "restart api", "restart api"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}

	// Restart: a failed kill may have killed the service half-way; Revert
	// starts it to be sure it is up.
	ft.killErr = boom
	if err := r.Apply(ctx, ft); !errors.Is(err, boom) || !strings.Contains(err.Error(), `restart "api": kill`) {
		t.Fatalf("Apply = %v, want boom", err)
	}
	if err := r.Revert(ctx, ft); err != nil {
		t.Fatal(err)
	}
	if got, want := ft.log.take(), []string{"kill api", "restart api"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}

	// Kill: errors are wrapped.
	k := decode(t, "kind: kill\nname: k\nduration: 1s\ntarget: api\n")
	if err := k.Apply(ctx, ft); !errors.Is(err, boom) {
		t.Errorf("Apply = %v, want boom", err)
	}
	ft.startErr = boom
	if err := k.Revert(ctx, ft); !errors.Is(err, boom) {
		t.Errorf("Revert = %v, want boom", err)
	}
}

func TestValidate(t *testing.T) {
	const edge = "name: f\nduration: 1s\ntarget: a->b\n"
	const svc = "name: f\nduration: 1s\ntarget: api\n"
	tests := []struct {
		yaml string
		want string // prefix of the error; "" means valid
	}{
		{"kind: latency\n" + edge + "latency: 1ms\n", ""},
		{"kind: latency\n" + edge, "latency: must be > 0"},
		{"kind: latency\n" + edge + "latency: 1500us\n", "latency: must be a whole number of milliseconds"},
		{"kind: latency\n" + edge + "latency: 1s\njitter: -1ms\n", "jitter: must be >= 0"},
		{"kind: latency\n" + edge + "latency: 1s\ndirection: sideways\n", "direction:"},
		{"kind: latency\n" + edge + "latency: 1s\ntoxicity: 1.5\n", "toxicity:"},
		{"kind: latency\n" + edge + "latency: 1s\ntoxicity: -0.1\n", "toxicity:"},
		{"kind: bandwidth\n" + edge, "rate: must be > 0"},
		{"kind: slow_close\n" + edge, "delay: must be > 0"},
		{"kind: timeout\n" + edge, ""},
		{"kind: timeout\n" + edge + "timeout: -1s\n", "timeout: must be >= 0"},
		{"kind: reset_peer\n" + edge, ""},
		{"kind: reset_peer\n" + edge + "timeout: 1.5ms\n", "timeout: must be a whole number"},
		{"kind: slicer\n" + edge, "average_size: must be > 0"},
		{"kind: slicer\n" + edge + "average_size: 8\nsize_variation: 8\n", "size_variation:"},
		{"kind: slicer\n" + edge + "average_size: 8\ndelay: -1us\n", "delay: must be >= 0"},
		{"kind: slicer\n" + edge + "average_size: 8\ndelay: 1ns\n", "delay: must be a whole number of microseconds"},
		{"kind: limit_data\n" + edge, ""},
		{"kind: limit_data\n" + edge + "bytes: -1\n", "bytes: must be >= 0"},
		{"kind: down\n" + edge, ""},
		{"kind: down\n" + svc, `target: "api" must be an edge`},
		{"kind: down\nname: f\nduration: 1s\ntarget: a->\n", "target:"},
		{"kind: http_error\n" + svc, ""},
		{"kind: http_error\n" + edge, `target: "a->b" must be a service`},
		{"kind: http_error\n" + svc + "status: 42\n", "status:"},
		{"kind: http_error\n" + svc + "rate: 2\n", "rate:"},
		{"kind: http_delay\n" + svc, "delay: must be > 0"},
		{"kind: http_delay\n" + svc + "delay: 1s\njitter: -1s\n", "jitter:"},
		{"kind: http_abort\n" + svc + "rate: -0.5\n", "rate:"},
		{"kind: http_corrupt\n" + svc, "field: required"},
		{"kind: http_corrupt\n" + svc + "field: price\nrate: 1.5\n", "rate:"},
		{"kind: http_corrupt\n" + edge + "field: price\n", `target: "a->b" must be a service`},
		{"kind: kill\n" + svc, ""},
		{"kind: kill\nname: f\ntarget: api\n", "duration: must be > 0"},
		{"kind: restart\nname: f\ntarget: api\n", ""},
		{"kind: restart\n" + svc, "duration: must be 0 or omitted"},
		{"kind: pause\n" + svc, ""},
		{"kind: pause\nname: f\ntarget: api\n", "duration: must be > 0"},
		{"kind: pause\n" + edge, `target: "a->b" must be a service`},
		{"kind: partition\n" + svc, ""},
		{"kind: partition\nname: f\ntarget: api\n", "duration: must be > 0"},
		{"kind: partition\n" + edge, `target: "a->b" must be a service`},
		{"kind: down\nduration: 1s\ntarget: a->b\n", "name: required"},
		{"kind: down\nname: a b\nduration: 1s\ntarget: a->b\n", "name:"},
		{"kind: down\nname: f\nat: -1s\nduration: 1s\ntarget: a->b\n", "at: must be >= 0"},
		{"kind: down\nname: f\nduration: 1s\n", "target: required"},
	}
	for _, tt := range tests {
		err := decode(t, tt.yaml).Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tt.yaml, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want one starting %q", tt.yaml, err, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	if _, err := faults.New("earthquake"); err == nil || !strings.Contains(err.Error(), "latency") {
		t.Errorf("New(unknown) = %v, want an error listing the kinds", err)
	}
	kinds := faults.Kinds()
	if !slices.IsSorted(kinds) || len(kinds) != 16 {
		t.Errorf("Kinds() = %v", kinds)
	}
	f, err := faults.New("latency")
	if err != nil {
		t.Fatal(err)
	}
	l := f.(*faults.Latency)
	if l.Direction != "downstream" || l.Toxicity != 1 || l.Kind != "latency" {
		t.Errorf("latency defaults: %+v", l)
	}
}
