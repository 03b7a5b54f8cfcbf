package scenarios

import (
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// TestParseBursts checks a load with bursts: defaults, the plan the
// traffic package gets, the report's timeline and the SLO's query.
func TestParseBursts(t *testing.T) {
	s, err := ReadFile("testdata/valid/bursts.yaml", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	bs := s.Load.Bursts
	if len(bs) != 2 || bs[0].Name != "noisy" || bs[1].Name != "burst-1" || bs[1].Rate.PerSecond() != 30 {
		t.Fatalf("bursts %+v", bs)
	}
	if s.Load.Targets[1].Weight != 0 {
		t.Errorf("weight 0 was defaulted: %+v", s.Load.Targets[1])
	}
	// The workers cover the peak with the burst: 100/s x 2s.
	if s.Load.Workers < 200 {
		t.Errorf("workers %d, want >= 200 for the burst's peak", s.Load.Workers)
	}
	p := s.plan(s.Variants[0], 1, "http://x", time.Time{})
	if got := p.PeakRate(); got != 100 {
		t.Errorf("peak rate %v, want 100", got)
	}
	if len(p.Bursts) != 2 || p.Bursts[1].Route != "forged" || !p.Targets[1].BurstOnly || p.Targets[0].BurstOnly {
		t.Errorf("plan bursts %+v targets %+v", p.Bursts, p.Targets)
	}
	rv := reportVariant(s, s.Variants[0])
	if len(rv.Faults) != 3 || rv.Faults[1].Kind != model.BurstKind || rv.Faults[1].Applied != 10*time.Second || rv.Faults[1].Reverted != 16*time.Second {
		t.Errorf("report timeline %+v", rv.Faults)
	}
	if s.SLOs[0].event() != "noisy" || s.SLOs[0].Name != "p99 during noisy" {
		t.Errorf("SLO %+v", s.SLOs[0])
	}

	c := s.Scaled(0.5)
	if b := c.Load.Bursts[0]; b.At != 5*time.Second || b.Duration != 3*time.Second || s.Load.Bursts[0].At != 10*time.Second {
		t.Errorf("scaled burst %+v (original %+v)", b, s.Load.Bursts[0])
	}
	odd := s.Scaled(1.0 / 7)
	for _, b := range odd.Load.Bursts {
		if b.At+b.Duration > odd.Total() || b.Duration <= 0 {
			t.Errorf("scaled burst %+v past the load's end %v", b, odd.Total())
		}
	}
}
