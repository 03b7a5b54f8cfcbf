package cqrs

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.Projection = "eventual" }, `projection: must be async or dual_write, got "eventual"`},
		{func(c *Config) { c.Batch = 0 }, "batch: must be > 0"},
		{func(c *Config) { c.Timeout = 0 }, "timeout: must be > 0"},
	} {
		c := New().DefaultConfig().(*Config)
		tc.edit(c)
		if err := New().Validate(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want %q", err, tc.want)
		}
	}
}

func TestContiguous(t *testing.T) {
	evs := []applied{{Seq: 7}, {Seq: 5}, {Seq: 4}, {Seq: 6}, {Seq: 9}}
	got := contiguous(evs, 4)
	if len(got) != 3 || got[0].Seq != 5 || got[2].Seq != 7 {
		t.Errorf("contiguous after 4 = %+v, want 5, 6, 7 (4 applied, 9 behind a gap)", got)
	}
}

// readModelServer serves a fresh read model.
func readModelServer(t testing.TB) string {
	h, stop, err := newQueries(context.Background(), New().DefaultConfig().(*Config), patterns.Env{Registry: prometheus.NewRegistry(), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); stop() })
	return srv.URL
}

func applyBatch(t testing.TB, base string, evs []applied) uint64 {
	b, _ := json.Marshal(evs)
	resp, err := http.Post(base+"/apply?checkpoint=1", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cp struct{ Seq uint64 }
	if err := json.NewDecoder(resp.Body).Decode(&cp); err != nil {
		t.Fatal(err)
	}
	return cp.Seq
}

// TestRedeliveryIsSkipped: a batch applied twice (the projector died
// before its ack) changes nothing the second time.
func TestRedeliveryIsSkipped(t *testing.T) {
	base := readModelServer(t)
	batch := []applied{{Seq: 1, Stream: "a", Delta: 10}, {Seq: 2, Stream: "a", Delta: 5}}
	applyBatch(t, base, batch)
	if cp := applyBatch(t, base, batch); cp != 2 {
		t.Fatalf("checkpoint = %d, want 2", cp)
	}
	resp, err := http.Get(base + "/accounts/a")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Balance int64 }
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if got.Balance != 15 {
		t.Fatalf("balance = %d, want 15", got.Balance)
	}
}

// BenchmarkProjectorApply is the projector's apply rate: batches of 100
// events into the read model (SQLite, synchronous=FULL) over HTTP.
func BenchmarkProjectorApply(b *testing.B) {
	base := readModelServer(b)
	var seq uint64
	b.ReportAllocs()
	for b.Loop() {
		batch := make([]applied, 100)
		for i := range batch {
			seq++
			batch[i] = applied{Seq: seq, Stream: "acct-" + string(rune('a'+i%8)), Delta: 10}
		}
		applyBatch(b, base, batch)
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "events/s")
}
