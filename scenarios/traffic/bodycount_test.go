package traffic

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestRunCountsResponseBytes checks that every result's BytesIn is its
// answer's body size (raw results, as `vegeta report` reads them) whatever
// the framing, while no body is kept, and that windows sum the 2xx
// answers' sizes.
func TestRunCountsResponseBytes(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		size     uint64 // BytesIn of every result
		winBytes bool   // counted in the window's Bytes (a 2xx answer)
	}{
		{"empty", func(w http.ResponseWriter, _ *http.Request) {}, 0, true},
		{"small", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) }, 3, true},
		{"large", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte("x"), 100<<10))
		}, 100 << 10, true},
		{"chunked", func(w http.ResponseWriter, _ *http.Request) {
			for range 5 {
				_, _ = w.Write(bytes.Repeat([]byte("y"), 10<<10))
				w.(http.Flusher).Flush() // no Content-Length: chunked
			}
		}, 50 << 10, true},
		{"error", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, strings.Repeat("e", 99), http.StatusServiceUnavailable) // + "\n"
		}, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := serve(t, tt.handler)
				a, err := NewAttack(Plan{
					Stages:  []Stage{{Duration: time.Second, Rate: 50}},
					Targets: []Target{{Name: tt.name, URL: srv.URL + "/"}},
				})
				if err != nil {
					t.Fatal(err)
				}
				srv.connect(a)
				var raw bytes.Buffer
				windows, err := collect(t.Context(), a, &raw)
				if err != nil {
					t.Fatal(err)
				}
				results := decodeAll(t, raw.Bytes())
				if len(results) < 40 {
					t.Fatalf("%d results, want ~50", len(results))
				}
				for _, r := range results {
					if r.BytesIn != tt.size || len(r.Body) != 0 {
						t.Fatalf("result %d: BytesIn %d, body kept %d bytes; want %d, none kept", r.Seq, r.BytesIn, len(r.Body), tt.size)
					}
				}
				var got, success int64
				for _, w := range windows {
					got += w.Bytes
					success += w.Success
				}
				want := int64(0)
				if tt.winBytes {
					want = success * int64(tt.size)
				}
				if got != want {
					t.Errorf("windows hold %d bytes for %d 2xx answers, want %d", got, success, want)
				}
				if n := len(a.bodies.counts); n != 0 {
					t.Errorf("%d counts left unclaimed", n)
				}
			})
		})
	}
}
