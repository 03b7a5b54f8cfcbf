package breakerprom

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/faultline/faultline/patterns/policy/breaker"
)

func TestStateAndTransitionsExported(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := breaker.DefaultConfig()
	cfg.Size, cfg.MinCalls = 4, 4
	b, err := New(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := testutil.GatherAndCount(reg, StateMetric); n != 1 {
		t.Fatalf("%s series = %d, want 1", StateMetric, n)
	}
	for range 4 {
		p, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		p.Done(false, time.Millisecond)
	}
	if _, err := b.Allow(); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("Allow after 4 failures = %v, want ErrOpen", err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.Gauge != nil {
				got[mf.GetName()] = m.GetGauge().GetValue()
			}
			if m.Counter != nil {
				got[mf.GetName()] += m.GetCounter().GetValue()
			}
		}
	}
	if got[StateMetric] != float64(breaker.Open) || got["faultline_breaker_transitions_total"] != 1 {
		t.Errorf("metrics = %v, want state open (1) and one transition", got)
	}
	if _, err := New(cfg, reg); err == nil {
		t.Error("a second breaker on the same registry registered twice without error")
	}
}
