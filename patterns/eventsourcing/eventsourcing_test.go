package eventsourcing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/eventsourcing"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

func TestValidate(t *testing.T) {
	p := eventsourcing.New()
	tests := []struct {
		name string
		edit func(c *eventsourcing.Config)
		want string
	}{
		{"snapshot interval 0", func(c *eventsourcing.Config) { c.Accounts.SnapshotEvery = 0 }, "accounts.snapshot_every: must be > 0"},
		{"unknown mode", func(c *eventsourcing.Config) { c.Mode = "nosql" }, `mode: must be eventsourced or crud, got "nosql"`},
		{"negative retries", func(c *eventsourcing.Config) { c.Accounts.Retries = -1 }, "accounts.retries: must be >= 0"},
		{"no timeout", func(c *eventsourcing.Config) { c.Accounts.Timeout = 0 }, "accounts.timeout: must be > 0"},
		{"memory crud", func(c *eventsourcing.Config) { c.Mode = eventsourcing.CRUD; c.Store.Memory = true }, "store.memory: only the event store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := p.DefaultConfig().(*eventsourcing.Config)
			tt.edit(c)
			if err := p.Validate(c); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
	off := p.DefaultConfig().(*eventsourcing.Config)
	off.Accounts.Snapshots, off.Accounts.SnapshotEvery = false, 0
	if err := p.Validate(off); err != nil {
		t.Errorf("snapshots off with interval 0: %v", err)
	}
}

func TestParseOp(t *testing.T) {
	for _, tc := range []struct {
		method, url string
		want        patterns.Op
		ok          bool
	}{
		{"POST", "http://h/accounts/acct-1/deposit?op=x1&amount=10", patterns.Op{ID: "x1", Stream: "acct-1", Delta: 10}, true},
		{"POST", "http://h/accounts/acct-2/withdraw?op=x2&amount=25", patterns.Op{ID: "x2", Stream: "acct-2", Delta: -25}, true},
		{"GET", "http://h/accounts/acct-1", patterns.Op{}, false},
		{"POST", "http://h/accounts/acct-1/deposit?amount=10", patterns.Op{}, false},
		{"POST", "http://h/accounts/acct-1/close?op=x&amount=1", patterns.Op{}, false},
	} {
		got, ok := eventsourcing.ParseOp(tc.method, tc.url)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseOp(%s %s) = %+v, %v; want %+v, %v", tc.method, tc.url, got, ok, tc.want, tc.ok)
		}
	}
}

// topology serves the store and accounts of cfg in-process and returns
// the accounts' address; wrap, when set, wraps the store's handler.
func topology(t *testing.T, cfg *eventsourcing.Config, wrap func(http.Handler) http.Handler) string {
	return topologyN(t, cfg, wrap, 1)[0]
}

// topologyN serves one store and n accounts instances sharing it.
func topologyN(t *testing.T, cfg *eventsourcing.Config, wrap func(http.Handler) http.Handler, n int) []string {
	t.Helper()
	p := eventsourcing.New()
	dir := t.TempDir()
	build := func(name string, upstream string) string {
		env := patterns.Env{Upstream: func(string) string { return upstream }, Registry: prometheus.NewRegistry(), DataDir: dir}
		h, stop, err := p.Handler(context.Background(), name, cfg, env)
		if err != nil {
			t.Fatal(err)
		}
		if name == eventsourcing.Store && wrap != nil {
			h = wrap(h)
		}
		h = service.OneFace(name, h, prometheus.NewRegistry(), 1) // the audit is a control
		srv := httptest.NewServer(h)
		t.Cleanup(func() { srv.Close(); stop() })
		return srv.URL
	}
	store := build(eventsourcing.Store, "")
	var out []string
	for range n {
		out = append(out, build(eventsourcing.Accounts, store))
	}
	return out
}

func post(t *testing.T, base, path string) int {
	t.Helper()
	resp, err := http.Post(base+path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		b, _ := io.ReadAll(resp.Body)
		t.Logf("%s: %d %s", path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

func audit(t *testing.T, base string) patterns.Audit {
	t.Helper()
	resp, err := http.Get(base + patterns.AuditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a patterns.Audit
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestConcurrentDepositsAreAllKeptInOrder runs two accounts instances on
// one store: their appends race, conflict and retry.
func TestConcurrentDepositsAreAllKeptInOrder(t *testing.T) {
	cfg := eventsourcing.New().DefaultConfig().(*eventsourcing.Config)
	cfg.Accounts.SnapshotEvery = 5
	cfg.Accounts.Retries = 50
	bases := topologyN(t, cfg, nil, 2)
	base := bases[0]
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if code := post(t, bases[i%2], fmt.Sprintf("/accounts/hot/deposit?op=d%d&amount=10", i)); code != http.StatusOK {
				t.Errorf("deposit %d: %d", i, code)
			}
		})
	}
	wg.Wait()
	// A retry of an applied deposit, on either instance, is answered and
	// not applied again.
	for _, b := range bases {
		if code := post(t, b, "/accounts/hot/deposit?op=d0&amount=10"); code != http.StatusOK {
			t.Errorf("retried deposit: %d", code)
		}
	}
	if code := post(t, base, "/accounts/hot/withdraw?op=w1&amount=1000"); code != http.StatusUnprocessableEntity {
		t.Errorf("overdraft: %d, want 422", code)
	}
	a := audit(t, base)
	if len(a.Events) != n || a.State["hot"] != 10*n {
		t.Fatalf("stored %d events, balance %d; want %d and %d", len(a.Events), a.State["hot"], n, 10*n)
	}
	for i, ev := range a.Events {
		if ev.Version != uint64(i+1) {
			t.Fatalf("event %d has version %d", i, ev.Version)
		}
	}
}

func TestPointInTimeRead(t *testing.T) {
	base := topology(t, eventsourcing.New().DefaultConfig().(*eventsourcing.Config), nil)
	for i := range 3 {
		post(t, base, fmt.Sprintf("/accounts/a/deposit?op=p%d&amount=%d", i, 10*(i+1)))
	}
	a := audit(t, base)
	var second uint64
	resp, err := http.Get(base + "/accounts/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_ = a
	// Positions are the store's: the second event's is 2 (nothing else was written).
	second = 2
	resp, err = http.Get(fmt.Sprintf("%s/accounts/a?at=%d", base, second))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Balance int64 }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got.Balance != 30 {
		t.Fatalf("balance as of position %d = %d, %v; want 30", second, got.Balance, err)
	}
}

// TestCorruptSnapshotFallsBackToReplay: a snapshot that cannot be read
// costs a full replay, not a wrong balance.
func TestCorruptSnapshotFallsBackToReplay(t *testing.T) {
	cfg := eventsourcing.New().DefaultConfig().(*eventsourcing.Config)
	cfg.Accounts.SnapshotEvery = 2
	corrupt := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/snapshot") {
				r.Body = http.NoBody
				body, _ := json.Marshal(eventstore.Snapshot{Seq: 1, Version: 1, Data: []byte("{not json")})
				r.Body = readCloser{strings.NewReader(string(body))}
			}
			h.ServeHTTP(w, r)
		})
	}
	base := topology(t, cfg, corrupt)
	for i := range 5 {
		if code := post(t, base, fmt.Sprintf("/accounts/a/deposit?op=c%d&amount=10", i)); code != http.StatusOK {
			t.Fatalf("deposit %d: %d", i, code)
		}
	}
	if a := audit(t, base); a.State["a"] != 50 {
		t.Fatalf("balance = %d, want 50", a.State["a"])
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// TestCRUDLosesAConcurrentUpdate holds the store's reads until two
// deposits have both read the balance: the second write wins.
func TestCRUDLosesAConcurrentUpdate(t *testing.T) {
	cfg := eventsourcing.New().BaselineConfig().(*eventsourcing.Config)
	var arrived sync.WaitGroup
	arrived.Add(2)
	var once sync.Once
	barrier := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/balances/") {
				once.Do(func() {}) // first use
				arrived.Done()
				arrived.Wait()
			}
			h.ServeHTTP(w, r)
		})
	}
	base := topology(t, cfg, barrier)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			if code := post(t, base, fmt.Sprintf("/accounts/a/deposit?op=l%d&amount=10", i)); code != http.StatusOK {
				t.Errorf("deposit %d: %d", i, code)
			}
		})
	}
	wg.Wait()
	a := audit(t, base)
	if len(a.Events) != 2 || a.State["a"] != 10 {
		t.Fatalf("ledger %d rows, balance %d; want 2 rows and the lost update's balance 10", len(a.Events), a.State["a"])
	}
}
