package traffic

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
)

const (
	urlA = "http://127.0.0.1:1/a"
	urlB = "http://127.0.0.1:1/b"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// testPlan has two routes, "a" and "b" (listed b first: windows are
// ordered by name), 1s windows, a 1s timeout and a 3s plan.
func testPlan() Plan {
	return Plan{
		Stages:  []Stage{{Duration: 3 * time.Second, Rate: 10}},
		Targets: []Target{{Name: "b", URL: urlB}, {Name: "a", URL: urlA}},
		Timeout: time.Second,
		Window:  time.Second,
	}
}

// result is a synthetic result sent at offset at.
type result struct {
	url      string
	at       time.Duration
	latency  time.Duration
	code     uint16
	err      string
	degraded string // value of the degraded header, if any
}

func (r result) vegeta() *vegeta.Result {
	v := &vegeta.Result{
		Method:    http.MethodGet,
		URL:       r.url,
		Timestamp: t0.Add(r.at),
		Latency:   r.latency,
		Code:      r.code,
		Error:     r.err,
		Headers:   http.Header{"Content-Type": {"text/plain"}},
	}
	if v.Latency == 0 {
		v.Latency = 10 * time.Millisecond
	}
	if r.degraded != "" {
		v.Headers.Set(DegradedHeader, r.degraded)
	}
	return v
}

// window is the comparable part of a model.Window.
type window struct {
	Route                    string
	Start                    time.Duration
	Count, Success, Degraded int64
	Errors                   map[string]int64
}

func windowOf(w model.Window) window {
	return window{w.Route, w.Start, w.Count, w.Success, w.Degraded, w.Errors}
}

// zeros returns empty windows for routes a and b from window from to to.
func zeros(from, to int) []window {
	var ws []window
	for k := from; k < to; k++ {
		ws = append(ws, window{Route: "a", Start: time.Duration(k) * time.Second},
			window{Route: "b", Start: time.Duration(k) * time.Second})
	}
	return ws
}

func concat(wss ...[]window) []window { return slices.Concat(wss...) }

func TestAggregator(t *testing.T) {
	ok := func(url string, at time.Duration) result { return result{url: url, at: at, code: 200} }
	tests := []struct {
		name    string
		results []result
		flush   time.Duration
		want    []window
		late    int64
	}{
		{
			name:  "no results: every route gets every window",
			flush: 3 * time.Second,
			want:  zeros(0, 3),
		},
		{
			name: "result classes",
			results: []result{
				ok(urlA, 100*time.Millisecond),
				{url: urlA, at: 200 * time.Millisecond, code: 200, degraded: "1"},
				{url: urlA, at: 210 * time.Millisecond, code: 204, degraded: "0"},
				{url: urlA, at: 300 * time.Millisecond, code: 503, err: "503 Service Unavailable"},
				{url: urlA, at: 310 * time.Millisecond, code: 503, err: "503 Service Unavailable"},
				{url: urlA, at: 320 * time.Millisecond, code: 500, err: "500 Internal Server Error"},
				{url: urlA, at: 330 * time.Millisecond, code: 302},
				{url: urlA, at: 400 * time.Millisecond, latency: time.Second,
					err: `Get "http://127.0.0.1:1/a": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`},
				{url: urlA, at: 500 * time.Millisecond, err: "dial tcp 127.0.0.1:1: connect: connection refused"},
				{url: urlA, at: 510 * time.Millisecond, err: `Get "http://127.0.0.1:1/a": EOF`},
				{url: urlA, at: 520 * time.Millisecond, err: "read: connection reset by peer"},
				{url: urlA, at: 600 * time.Millisecond, err: "something else"},
				{url: urlB, at: 1500 * time.Millisecond, code: 200, degraded: "1"},
			},
			flush: 3 * time.Second,
			want: concat(
				[]window{
					{Route: "a", Count: 12, Success: 3, Degraded: 1, Errors: map[string]int64{
						"503": 2, "500": 1, "302": 1, "timeout": 1, "connection": 3, "other": 1}},
					{Route: "b"},
					{Route: "a", Start: time.Second},
					{Route: "b", Start: time.Second, Count: 1, Success: 1, Degraded: 1},
				},
				zeros(2, 3)),
		},
		{
			name: "out of order within the lateness",
			results: []result{
				ok(urlA, 1200*time.Millisecond),
				ok(urlB, 2100*time.Millisecond),
				{url: urlA, at: 900 * time.Millisecond, latency: 900 * time.Millisecond, code: 200}, // slow, sent earlier
				ok(urlA, 100*time.Millisecond),
			},
			flush: 3 * time.Second,
			want: []window{
				{Route: "a", Count: 2, Success: 2},
				{Route: "b"},
				{Route: "a", Start: time.Second, Count: 1, Success: 1},
				{Route: "b", Start: time.Second},
				{Route: "a", Start: 2 * time.Second},
				{Route: "b", Start: 2 * time.Second, Count: 1, Success: 1},
			},
		},
		{
			name: "later than the lateness is counted late",
			results: []result{
				ok(urlA, 100*time.Millisecond),
				ok(urlA, 2600*time.Millisecond), // closes window 0 (1s end + 1s timeout + 0.5s grace)
				ok(urlA, 900*time.Millisecond),  // too late for window 0
			},
			flush: 3 * time.Second,
			want: concat(
				[]window{{Route: "a", Count: 1, Success: 1}, {Route: "b"}},
				zeros(1, 2),
				[]window{{Route: "a", Start: 2 * time.Second, Count: 1, Success: 1}, {Route: "b", Start: 2 * time.Second}}),
			late: 1,
		},
		{
			name: "sent after the end counts in the last window",
			results: []result{
				ok(urlB, 3*time.Second+time.Millisecond),
			},
			flush: 3 * time.Second,
			want: concat(zeros(0, 2), []window{
				{Route: "a", Start: 2 * time.Second},
				{Route: "b", Start: 2 * time.Second, Count: 1, Success: 1},
			}),
		},
		{
			name: "before the start counts in the first window",
			results: []result{
				ok(urlA, -time.Millisecond),
			},
			flush: time.Second,
			want:  []window{{Route: "a", Count: 1, Success: 1}, {Route: "b"}},
		},
		{
			name: "cancelled: windows up to the cancellation",
			results: []result{
				ok(urlA, 100*time.Millisecond),
				ok(urlA, 1400*time.Millisecond),
			},
			flush: 1500 * time.Millisecond,
			want: []window{
				{Route: "a", Count: 1, Success: 1}, {Route: "b"},
				{Route: "a", Start: time.Second, Count: 1, Success: 1}, {Route: "b", Start: time.Second},
			},
		},
		{
			name: "unknown route is counted late",
			results: []result{
				ok("http://127.0.0.1:1/other", 100*time.Millisecond),
			},
			flush: time.Second,
			want:  zeros(0, 1),
			late:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []model.Window
			a, err := NewAggregator(testPlan(), t0, func(w model.Window) { got = append(got, w) })
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tt.results {
				a.Add(r.vegeta())
			}
			a.Flush(tt.flush)
			a.Add(ok(urlA, 100*time.Millisecond).vegeta()) // after Flush: late
			if !slices.EqualFunc(got, tt.want, func(g model.Window, w window) bool {
				gw := windowOf(g)
				return gw.Route == w.Route && gw.Start == w.Start && gw.Count == w.Count &&
					gw.Success == w.Success && gw.Degraded == w.Degraded && maps.Equal(gw.Errors, w.Errors)
			}) {
				t.Errorf("windows:\ngot  %v\nwant %v", mapSlice(got, windowOf), tt.want)
			}
			for _, w := range got {
				if w.Latency.Count() != w.Count || (w.Count == 0) != (w.Latency == nil) {
					t.Errorf("window %s@%v: count %d, histogram holds %d", w.Route, w.Start, w.Count, w.Latency.Count())
				}
			}
			// Every result is counted: in a window, or late.
			if p := a.Progress(); p.Late != tt.late+1 || p.Requests != int64(len(tt.results))+1 {
				t.Errorf("progress = %+v, want %d results, %d late", p, len(tt.results)+1, tt.late+1)
			}
			var placed int64
			for _, w := range got {
				placed += w.Count
			}
			if late := a.Late(); placed+late.Count != int64(len(tt.results))+1 || late.Success != late.Count {
				t.Errorf("%d results in windows + late %+v, want %d in all", placed, late, len(tt.results)+1)
			}
		})
	}
}

func TestAggregatorLatencies(t *testing.T) {
	var got []model.Window
	a, err := NewAggregator(testPlan(), t0, func(w model.Window) { got = append(got, w) })
	if err != nil {
		t.Fatal(err)
	}
	if s := a.Progress().Success; !math.IsNaN(s) {
		t.Errorf("progress success before any window = %v, want NaN (none yet)", s)
	}
	for i := 1; i <= 100; i++ {
		code := uint16(200)
		if i%4 == 0 {
			code = 503
		}
		a.Add(result{url: urlA, at: time.Duration(i) * time.Millisecond, latency: time.Duration(i) * time.Millisecond, code: code}.vegeta())
	}
	a.Flush(time.Second)
	if len(got) != 2 {
		t.Fatalf("got %d windows, want 2", len(got))
	}
	w := got[0]
	near := func(name string, got, want time.Duration) {
		if d := got - want; d < -want/50 || d > want/50 {
			t.Errorf("%s = %v, want %v ± 2%%", name, got, want)
		}
	}
	near("p50", w.P50, 50*time.Millisecond)
	near("p90", w.P90, 90*time.Millisecond)
	near("p99", w.P99, 99*time.Millisecond)
	near("max", w.Max, 100*time.Millisecond)
	near("progress p99", a.Progress().P99, 99*time.Millisecond)
	if r := a.Progress().Rate; r != 100 {
		t.Errorf("progress rate = %v, want 100/s", r)
	}
	// The last window (empty) leaves the last non-empty one's success.
	if p := a.Progress(); p.Success != 0.75 || p.TotalSuccess != 0.75 {
		t.Errorf("progress success = %v (total %v), want 0.75", p.Success, p.TotalSuccess)
	}
	if g := got[1]; g.P99 != 0 || g.Max != 0 || g.Latency != nil {
		t.Errorf("empty window has latencies: %+v", g)
	}
}

// TestAggregatorStreams checks that windows go out as soon as they can no
// longer change, and that only a few stay open however long the run.
func TestAggregatorStreams(t *testing.T) {
	p := testPlan()
	p.Stages = nil // unbounded
	var got []model.Window
	a, err := NewAggregator(p, t0, func(w model.Window) { got = append(got, w) })
	if err != nil {
		t.Fatal(err)
	}
	open := len(a.slots)
	steps := []struct {
		add     *result
		advance time.Duration
		emitted int // windows per route emitted so far
	}{
		{add: &result{url: urlA, at: 100 * time.Millisecond, code: 200}, emitted: 0},
		{add: &result{url: urlA, at: 2400 * time.Millisecond, code: 200}, emitted: 0},
		{add: &result{url: urlA, at: 2500 * time.Millisecond, code: 200}, emitted: 1}, // window 0 ends 1s + 1s + 0.5s
		{advance: 4400 * time.Millisecond, emitted: 2},
		{advance: 4500 * time.Millisecond, emitted: 3},
		{advance: time.Hour, emitted: 3600 - 2},
	}
	for i, s := range steps {
		if s.add != nil {
			a.Add(s.add.vegeta())
		} else {
			a.Advance(t0.Add(s.advance))
		}
		if len(got) != 2*s.emitted {
			t.Fatalf("step %d: %d windows emitted, want %d", i, len(got), 2*s.emitted)
		}
	}
	for i, w := range got {
		if want := time.Duration(i/2) * time.Second; w.Start != want {
			t.Fatalf("window %d starts at %v, want %v", i, w.Start, want)
		}
	}
	if len(a.slots) != open {
		t.Errorf("open windows grew from %d to %d", open, len(a.slots))
	}
}

func TestAggregatorAddDoesNotAllocate(t *testing.T) {
	a, err := NewAggregator(testPlan(), t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := []*vegeta.Result{
		result{url: urlA, at: 100 * time.Millisecond, code: 200, degraded: "1"}.vegeta(),
		result{url: urlA, at: 100 * time.Millisecond, code: 503}.vegeta(),
		result{url: urlB, at: 100 * time.Millisecond, err: "connection refused"}.vegeta(),
	}
	for _, r := range rs {
		a.Add(r) // first results of the window allocate its histograms and codes
	}
	if allocs := testing.AllocsPerRun(1000, func() {
		for _, r := range rs {
			a.Add(r)
		}
	}); allocs != 0 {
		t.Errorf("Add allocates %v times", allocs)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct{ err, want string }{
		{`Get "http://127.0.0.1:8080/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, ErrTimeout},
		{`Get "http://127.0.0.1:8080/": net/http: request canceled (Client.Timeout exceeded while reading body)`, ErrTimeout},
		{"dial tcp 127.0.0.1:8080: i/o timeout", ErrTimeout},
		{"context deadline exceeded", ErrTimeout},
		{"dial tcp 127.0.0.1:8080: connect: connection refused", ErrConnection},
		{"read tcp 127.0.0.1:5000->127.0.0.1:8080: read: connection reset by peer", ErrConnection},
		{`Post "http://127.0.0.1:8080/": EOF`, ErrConnection},
		{"unexpected EOF", ErrConnection},
		{"write: broken pipe", ErrConnection},
		{"http: server closed idle connection", ErrConnection},
		{"x509: certificate signed by unknown authority", ErrOther},
		{"", ErrOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// BenchmarkAggregate measures the cost of folding one result in, against
// vegeta's own Metrics, which a user would otherwise reach for (it keeps
// one summary for the whole attack, not per route and window).
func BenchmarkAggregate(b *testing.B) {
	// 2000 results per second over 3 routes, windows closing as they go.
	const rate = 2000
	urls := []string{urlA, urlB, "http://127.0.0.1:1/c"}
	rs := make([]*vegeta.Result, 4096)
	for i := range rs {
		r := result{url: urls[i%3], latency: time.Duration(1+i%50) * time.Millisecond, code: 200}
		switch i % 10 {
		case 7:
			r.code = 503
		case 8:
			r.code, r.err = 0, "dial tcp: connection refused"
		case 9:
			r.degraded = "1"
		}
		rs[i] = r.vegeta()
	}
	next := func(i int) *vegeta.Result {
		r := rs[i%len(rs)]
		r.Timestamp = t0.Add(time.Duration(i) * time.Second / rate)
		return r
	}

	b.Run("faultline", func(b *testing.B) {
		p := testPlan()
		p.Stages = nil
		p.Targets = append(p.Targets, Target{Name: "c", URL: urls[2]})
		var windows int
		a, err := NewAggregator(p, t0, func(model.Window) { windows++ })
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			a.Add(next(i))
		}
	})
	b.Run("vegeta-metrics", func(b *testing.B) {
		var m vegeta.Metrics
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m.Add(next(i))
		}
		m.Close()
	})
}

func mapSlice[T, U any](ts []T, f func(T) U) []U {
	us := make([]U, len(ts))
	for i, t := range ts {
		us[i] = f(t)
	}
	return us
}
