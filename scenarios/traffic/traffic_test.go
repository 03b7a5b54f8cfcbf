package traffic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
)

// server is a test service on an in-memory network: an attack connected
// to it dials it over net.Pipe, so the tests run in a synctest bubble
// (real sockets would keep the bubble's clock from advancing) and every
// hit is paced on the bubble's clock, exactly. Any other host refuses the
// connection, as a closed port does.
type server struct {
	URL   string
	host  string // as dialled: "host:port"
	conns chan net.Conn
	done  chan struct{}
	close sync.Once
}

// connect makes a dial through server's network.
func (s *server) connect(a *Attack) { a.transport.DialContext = s.dial }

func (s *server) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	refused := &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if addr != s.host {
		return nil, refused
	}
	client, conn := net.Pipe()
	select {
	case s.conns <- conn:
		return client, nil
	case <-s.done:
		return nil, refused
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Accept, Close and Addr make server the listener its HTTP server serves.
func (s *server) Accept() (net.Conn, error) {
	select {
	case c := <-s.conns:
		return c, nil
	case <-s.done:
		return nil, net.ErrClosed
	}
}

func (s *server) Close() error {
	s.close.Do(func() { close(s.done) })
	return nil
}

func (s *server) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }

// serviceTime is what /ok and /fallback take to answer.
const serviceTime = time.Millisecond

func testServer(t *testing.T) *server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(serviceTime)
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/fallback", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(serviceTime)
		w.Header().Set(DegradedHeader, "1")
		_, _ = io.WriteString(w, "cached\n")
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	})
	return serve(t, mux)
}

// serve serves h on a server on the in-memory network until the test ends.
func serve(t *testing.T, h http.Handler) *server {
	t.Helper()
	s := &server{URL: "http://service.test", host: "service.test:80", conns: make(chan net.Conn), done: make(chan struct{})}
	hs := &http.Server{Handler: h}
	go func() { _ = hs.Serve(s) }()
	t.Cleanup(func() { _ = hs.Close() })
	return s
}

// collect runs a on its own goroutine and gathers its windows.
func collect(ctx context.Context, a *Attack, raw io.Writer) ([]model.Window, error) {
	ch := make(chan model.Window)
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx, raw, ch) }()
	var ws []model.Window
	for w := range ch {
		ws = append(ws, w)
	}
	return ws, <-errc
}

func decodeAll(t *testing.T, raw []byte) []vegeta.Result {
	t.Helper()
	dec := vegeta.NewDecoder(bytes.NewReader(raw))
	var rs []vegeta.Result
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return rs
		} else if err != nil {
			t.Fatalf("decoding raw result %d: %v", len(rs), err)
		}
		rs = append(rs, r)
	}
}

func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := testServer(t)
		a, err := NewAttack(Plan{
			Stages: []Stage{{Duration: 2 * time.Second, Rate: 200}},
			Targets: []Target{
				{Name: "ok", URL: srv.URL + "/ok", Weight: 3},
				{Name: "fallback", URL: srv.URL + "/fallback"},
			},
			Seed: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.connect(a)
		var raw bytes.Buffer
		began := time.Now()
		windows, err := collect(t.Context(), a, &raw)
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		if took < 2*time.Second || took > 3*time.Second {
			t.Errorf("run took %v, want about 2s", took)
		}

		results := decodeAll(t, raw.Bytes())
		t.Logf("%d hits in %v, %d windows", len(results), took, len(windows))
		if n := len(results); n < 390 || n > 400 {
			t.Errorf("%d hits, want ~400", n)
		}
		var count, success, degraded int64
		routes := map[string]int64{}
		for _, w := range windows {
			count += w.Count
			success += w.Success
			degraded += w.Degraded
			routes[w.Route] += w.Count
			if len(w.Errors) != 0 {
				t.Errorf("window %s@%v has errors %v", w.Route, w.Start, w.Errors)
			}
			if w.Count > 0 && (w.P99 <= 0 || w.P99 > time.Second || w.Latency.Count() != w.Count) {
				t.Errorf("window %s@%v: p99 %v, %d latencies for %d results", w.Route, w.Start, w.P99, w.Latency.Count(), w.Count)
			}
		}
		if len(windows) != 4 {
			t.Errorf("%d windows, want 2 routes × 2 windows", len(windows))
		}
		if count != int64(len(results)) || success != count {
			t.Errorf("windows count %d results (%d 2xx), raw file %d", count, success, len(results))
		}
		if degraded != routes["fallback"] || routes["fallback"] < 50 || routes["ok"] < 3*routes["fallback"]/2 {
			t.Errorf("routes %v, %d degraded", routes, degraded)
		}
		if p := a.Progress(); p.Requests != count || p.Success != 1 || p.Late != 0 || p.Elapsed < 2*time.Second {
			t.Errorf("progress = %+v", p)
		}
	})
}

func TestRunErrorClasses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := testServer(t)
		refused := "http://closed.test/"

		a, err := NewAttack(Plan{
			Stages: []Stage{{Duration: time.Second, Rate: 60}},
			Targets: []Target{
				{Name: "fail", URL: srv.URL + "/fail"},
				{Name: "refused", URL: refused},
				{Name: "slow", URL: srv.URL + "/slow"},
			},
			Timeout: 100 * time.Millisecond,
			Window:  500 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.connect(a)
		windows, err := collect(t.Context(), a, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"fail": "503", "refused": ErrConnection, "slow": ErrTimeout}
		counts := map[string]int64{}
		for _, w := range windows {
			counts[w.Route] += w.Count
			if w.Success != 0 || w.Errors[want[w.Route]] != w.Count || len(w.Errors) > 1 {
				t.Errorf("window %s@%v: %d results, %d 2xx, errors %v", w.Route, w.Start, w.Count, w.Success, w.Errors)
			}
		}
		if len(windows) != 6 {
			t.Errorf("%d windows, want 3 routes × 2 windows", len(windows))
		}
		for route := range want {
			if counts[route] < 5 {
				t.Errorf("route %s: %d results", route, counts[route])
			}
		}
	})
}

func TestRunCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := testServer(t)
		a, err := NewAttack(Plan{
			Stages:  []Stage{{Duration: time.Minute, Rate: 100}},
			Targets: []Target{{URL: srv.URL + "/ok"}, {URL: srv.URL + "/slow", Weight: 1}},
			Timeout: 300 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.connect(a)
		ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
		defer cancel()
		var raw bytes.Buffer
		began := time.Now()
		windows, err := collect(ctx, a, &raw)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's", err)
		}
		if took := time.Since(began); took > 2500*time.Millisecond {
			t.Errorf("cancelled run took %v", took)
		}
		results := decodeAll(t, raw.Bytes())
		var count int64
		for _, w := range windows {
			count += w.Count
		}
		if count != int64(len(results)) || count < 100 {
			t.Errorf("windows count %d results, raw file %d", count, len(results))
		}
		if len(windows) != 4 { // 2 routes × [0s, 1s), [1s, 1.5s)
			t.Errorf("%d windows, want 4", len(windows))
		}
		if err := a.Run(t.Context(), nil, nil); err == nil {
			t.Error("second Run: no error")
		}

		// Every goroutine of the attack is gone: once the bubble's goroutines
		// are all blocked, none of vegeta's may be left.
		synctest.Wait()
		buf := make([]byte, 1<<20)
		if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "tsenart/vegeta") {
			t.Fatalf("vegeta goroutines left:\n%s", stacks)
		}
	})
}

// TestRunFinalPause checks that a plan ending with a pause lasts until its
// end and still gets its windows, and that the attack waits for Start.
func TestRunFinalPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := testServer(t)
		start := time.Now().Add(200 * time.Millisecond)
		a, err := NewAttack(Plan{
			Stages:  []Stage{{Duration: 500 * time.Millisecond, Rate: 40}, {Duration: 500 * time.Millisecond, Rate: 0}},
			Targets: []Target{{Name: "ok", URL: srv.URL + "/ok"}},
			Window:  250 * time.Millisecond,
			Start:   start,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.connect(a)
		var (
			mu       sync.Mutex
			progress []Progress
		)
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					mu.Lock()
					progress = append(progress, a.Progress())
					mu.Unlock()
				}
			}
		}()
		windows, err := collect(t.Context(), a, nil)
		close(stop)
		if err != nil {
			t.Fatal(err)
		}
		if since := time.Since(start); since < time.Second {
			t.Errorf("run ended %v after start, want the 1s plan", since)
		}
		counts := make([]int64, len(windows))
		for i, w := range windows {
			counts[i] = w.Count
			if want := time.Duration(i) * 250 * time.Millisecond; w.Start != want {
				t.Errorf("window %d starts at %v, want %v", i, w.Start, want)
			}
		}
		if len(counts) != 4 || counts[0] != 10 || counts[1] != 10 || counts[2] != 0 || counts[3] != 0 {
			t.Errorf("counts per window = %v, want [10 10 0 0]", counts)
		}
		mu.Lock()
		defer mu.Unlock()
		var sawTarget bool
		for _, p := range progress {
			if p.Target == 40 {
				sawTarget = true
			}
			if p.Planned != time.Second {
				t.Errorf("progress planned = %v", p.Planned)
			}
		}
		if !sawTarget {
			t.Errorf("progress never showed the 40/s target: %+v", progress)
		}
	})
}

func TestNewAttackInvalid(t *testing.T) {
	tests := []struct {
		name string
		plan Plan
	}{
		{"no stages", Plan{Targets: []Target{{URL: "http://127.0.0.1/"}}}},
		{"no targets", Plan{Stages: []Stage{{Duration: time.Second, Rate: 1}}}},
		{"negative rate", Plan{Stages: []Stage{{Duration: time.Second, Rate: -1}}, Targets: []Target{{URL: "http://127.0.0.1/"}}}},
		{"negative timeout", Plan{Stages: []Stage{{Duration: time.Second, Rate: 1}}, Targets: []Target{{URL: "http://127.0.0.1/"}}, Timeout: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewAttack(tt.plan); err == nil {
				t.Error("no error")
			}
			ch := make(chan model.Window)
			if err := Run(t.Context(), tt.plan, nil, ch); err == nil {
				t.Error("Run: no error")
			}
			if _, open := <-ch; open {
				t.Error("Run left windows open")
			}
		})
	}
}
