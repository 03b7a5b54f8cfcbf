package httpfault

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// app answers 200 "ok" and counts the requests it served.
type app struct{ served atomic.Int64 }

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.served.Add(1)
	io.WriteString(w, "ok")
}

// serve runs one request through in without the network.
func serve(in *Injector) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/work", nil))
	return rec
}

func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		rules   map[string]Rule
		n       int
		minErr  float64 // share of 5xx answers
		maxErr  float64
		status  int // expected status of the error answers
		minTime time.Duration
		maxTime time.Duration // per request
	}{
		{name: "no rule", n: 50, maxErr: 0},
		{name: "error rate 1", rules: map[string]Rule{"e": {Kind: KindError, Rate: 1, Status: 503}}, n: 50, minErr: 1, maxErr: 1, status: 503},
		{name: "error rate 0", rules: map[string]Rule{"e": {Kind: KindError, Rate: 0, Status: 503}}, n: 50, maxErr: 0},
		{name: "error rate 0.3", rules: map[string]Rule{"e": {Kind: KindError, Rate: 0.3, Status: 500}}, n: 2000, minErr: 0.25, maxErr: 0.35, status: 500},
		{name: "two error rules", rules: map[string]Rule{
			"a": {Kind: KindError, Rate: 0.5, Status: 502},
			"b": {Kind: KindError, Rate: 0.5, Status: 502},
		}, n: 2000, minErr: 0.70, maxErr: 0.80, status: 502}, // 1 - 0.5*0.5
		{name: "delay", rules: map[string]Rule{"d": {Kind: KindDelay, Rate: 1, Delay: 20 * time.Millisecond}}, n: 3, minTime: 20 * time.Millisecond, maxTime: time.Second},
		{name: "delay with jitter", rules: map[string]Rule{"d": {Kind: KindDelay, Rate: 1, Delay: 20 * time.Millisecond, Jitter: 10 * time.Millisecond}}, n: 5, minTime: 10 * time.Millisecond, maxTime: time.Second},
		{name: "delay rate 0", rules: map[string]Rule{"d": {Kind: KindDelay, Rate: 0, Delay: time.Hour}}, n: 5, maxTime: time.Second},
		{name: "delays add up and compose with an error", rules: map[string]Rule{
			"d1": {Kind: KindDelay, Rate: 1, Delay: 10 * time.Millisecond},
			"d2": {Kind: KindDelay, Rate: 1, Delay: 15 * time.Millisecond},
			"e":  {Kind: KindError, Rate: 1, Status: 504},
		}, n: 2, minErr: 1, maxErr: 1, status: 504, minTime: 25 * time.Millisecond, maxTime: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{}
			in := New(a, 1)
			for name, r := range tt.rules {
				if err := in.Set(name, r); err != nil {
					t.Fatal(err)
				}
			}
			errs := 0
			for range tt.n {
				start := time.Now()
				rec := serve(in)
				took := time.Since(start)
				if took < tt.minTime || (tt.maxTime > 0 && took > tt.maxTime) {
					t.Errorf("request took %v, want within [%v, %v]", took, tt.minTime, tt.maxTime)
				}
				switch rec.Code {
				case http.StatusOK:
					if rec.Body.String() != "ok" {
						t.Errorf("200 body %q, want ok", rec.Body)
					}
				case tt.status:
					errs++
					if got := strings.TrimSpace(rec.Body.String()); got != Body {
						t.Errorf("error body %q, want %q", got, Body)
					}
				default:
					t.Fatalf("status %d, want 200 or %d", rec.Code, tt.status)
				}
			}
			share := float64(errs) / float64(tt.n)
			if share < tt.minErr || share > tt.maxErr {
				t.Errorf("error share %.3f, want within [%.2f, %.2f]", share, tt.minErr, tt.maxErr)
			}
			if got, want := a.served.Load(), int64(tt.n-errs); got != want {
				t.Errorf("app served %d requests, want %d", got, want)
			}
		})
	}
}

func TestDelayStopsWhenRequestIsDone(t *testing.T) {
	a := &app{}
	in := New(a, 1)
	if err := in.Set("d", Rule{Kind: KindDelay, Rate: 1, Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	in.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	if took := time.Since(start); took > time.Second {
		t.Errorf("delayed request took %v after its context ended", took)
	}
	if a.served.Load() != 0 {
		t.Error("app served a request whose client was gone")
	}
}

func TestAbort(t *testing.T) {
	a := &app{}
	in := New(a, 1)
	srv := httptest.NewServer(in)
	defer srv.Close()
	if err := Put(t.Context(), srv.URL, "crash", Rule{Kind: KindAbort, Rate: 1}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		resp, err := srv.Client().Get(srv.URL + "/work")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got status %d, want a connection error", resp.StatusCode)
		}
	}
	if a.served.Load() != 0 {
		t.Errorf("app served %d aborted requests", a.served.Load())
	}
	// Reverting the rule restores service.
	if err := Delete(t.Context(), srv.URL, "crash"); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Get(srv.URL + "/work")
	if err != nil {
		t.Fatalf("after delete: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after delete: status %d", resp.StatusCode)
	}
}

func TestAbortWithoutHijackPanics(t *testing.T) {
	in := New(&app{}, 1)
	if err := in.Set("crash", Rule{Kind: KindAbort, Rate: 1}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	serve(in) // a ResponseRecorder cannot be hijacked
	t.Error("abort did not panic")
}

func TestSameSeedSameSequence(t *testing.T) {
	sequence := func(seed int64) string {
		in := New(&app{}, seed)
		// Two rules, one with jitter, so every kind of draw is exercised.
		must(t, in.Set("e", Rule{Kind: KindError, Rate: 0.5, Status: 500}))
		must(t, in.Set("d", Rule{Kind: KindDelay, Rate: 0, Delay: time.Millisecond, Jitter: time.Millisecond}))
		var b strings.Builder
		for range 200 {
			if serve(in).Code == http.StatusOK {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	a, b, c := sequence(42), sequence(42), sequence(43)
	if a != b {
		t.Errorf("same seed, different sequences:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same sequence:\n%s", a)
	}
}

func TestAdminAPI(t *testing.T) {
	a := &app{}
	in := New(a, 1)
	srv := httptest.NewServer(in)
	defer srv.Close()
	ctx := t.Context()
	get := func() int {
		t.Helper()
		resp, err := http.Get(srv.URL + "/work")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	e := Rule{Kind: KindError, Rate: 1, Status: 503}
	d := Rule{Kind: KindDelay, Rate: 0.5, Delay: time.Millisecond, Jitter: time.Microsecond}
	must(t, Put(ctx, srv.URL, "e", e))
	must(t, Put(ctx, srv.URL+"/", "d", d)) // a trailing slash is fine
	if got := get(); got != 503 {
		t.Errorf("with error rule: status %d, want 503", got)
	}
	rules, err := List(ctx, srv.URL)
	must(t, err)
	if len(rules) != 2 || rules["e"] != e || rules["d"] != d {
		t.Errorf("List = %+v, want e and d", rules)
	}

	// Delete reverts, and is idempotent.
	must(t, Delete(ctx, srv.URL, "e"))
	must(t, Delete(ctx, srv.URL, "e"))
	if got := get(); got != 200 {
		t.Errorf("after delete: status %d, want 200", got)
	}
	must(t, Clear(ctx, srv.URL))
	rules, err = List(ctx, srv.URL)
	must(t, err)
	if len(rules) != 0 {
		t.Errorf("after clear: %+v", rules)
	}
	if a.served.Load() != 1 {
		t.Errorf("admin requests reached the app: served %d, want 1", a.served.Load())
	}

	// Bad rules are refused with 400, naming the field.
	for _, tt := range []struct {
		rule Rule
		want string
	}{
		{Rule{Kind: "explode", Rate: 1}, "kind:"},
		{Rule{Kind: KindError, Rate: 1.5, Status: 500}, "rate:"},
		{Rule{Kind: KindError, Rate: 1}, "status:"},
		{Rule{Kind: KindDelay, Rate: 1}, "delay:"},
		{Rule{Kind: KindDelay, Rate: 1, Delay: 1, Jitter: -1}, "jitter:"},
	} {
		err := Put(ctx, srv.URL, "bad", tt.rule)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusBadRequest || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Put(%+v) = %v, want a 400 naming %q", tt.rule, err, tt.want)
		}
	}
	resp, err := http.Post(srv.URL+Prefix+"/x", "application/json", strings.NewReader(`{}`))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL+Prefix+"/x", strings.NewReader(`{"kind":"abort","rate":1,"typo":1}`))
	resp, err = http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: status %d, want 400", resp.StatusCode)
	}
}

func TestClientErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	ctx := t.Context()
	err := Put(ctx, base, "x", Rule{Kind: KindAbort, Rate: 1})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 404 || !strings.Contains(err.Error(), "404") {
		t.Errorf("Put to a service without injector = %v, want a 404 StatusError", err)
	}
	srv.Close()
	if err := Delete(ctx, base, "x"); err == nil {
		t.Error("Delete to a closed server: no error")
	}
	if err := Put(ctx, base, "", Rule{}); err == nil {
		t.Error("Put with an empty name: no error")
	}
	if err := Delete(ctx, "://bad", "x"); err == nil {
		t.Error("Delete with a bad URL: no error")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkInjector measures what the middleware adds to every request.
func BenchmarkInjector(b *testing.B) {
	for _, bb := range []struct {
		name  string
		rules map[string]Rule
	}{
		{"bare handler", nil},
		{"no rule", map[string]Rule{}},
		{"two rules missing", map[string]Rule{
			"e": {Kind: KindError, Rate: 0, Status: 500},
			"d": {Kind: KindDelay, Rate: 0, Delay: time.Second, Jitter: time.Millisecond},
		}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			var h http.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
			if bb.rules != nil {
				in := New(h, 1)
				for name, r := range bb.rules {
					if err := in.Set(name, r); err != nil {
						b.Fatal(err)
					}
				}
				h = in
			}
			req := httptest.NewRequest(http.MethodGet, "/work", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}
