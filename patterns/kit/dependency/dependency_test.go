package dependency

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
)

// TestSamplerDistributions draws many service times and checks the mean and
// spread each distribution promises, with generous margins.
func TestSamplerDistributions(t *testing.T) {
	tests := []struct {
		lat      Latency
		wantMean time.Duration
		minP99   time.Duration // the tail must reach at least this
		maxP99   time.Duration
	}{
		{Latency{Dist: Constant, Mean: 10 * time.Millisecond}, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond},
		{Latency{Dist: Uniform, Mean: 10 * time.Millisecond, Spread: 5 * time.Millisecond}, 10 * time.Millisecond, 14 * time.Millisecond, 15 * time.Millisecond},
		{Latency{Dist: Exponential, Mean: 10 * time.Millisecond}, 10 * time.Millisecond, 35 * time.Millisecond, 60 * time.Millisecond},
		{Latency{Dist: LogNormal, Mean: 10 * time.Millisecond, Spread: 5 * time.Millisecond}, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.lat.Dist, func(t *testing.T) {
			s := NewSampler(tt.lat, 7)
			const n = 20000
			draws := make([]time.Duration, n)
			var sum time.Duration
			for i := range draws {
				draws[i] = s.Next()
				if draws[i] < 0 {
					t.Fatalf("negative service time %v", draws[i])
				}
				sum += draws[i]
			}
			mean := sum / n
			if math.Abs(float64(mean-tt.wantMean)) > 0.05*float64(tt.wantMean) {
				t.Errorf("mean %v, want %v ± 5%%", mean, tt.wantMean)
			}
			sort.Slice(draws, func(i, j int) bool { return draws[i] < draws[j] })
			if p99 := draws[n*99/100]; p99 < tt.minP99 || p99 > tt.maxP99 {
				t.Errorf("p99 %v, want in [%v, %v]", p99, tt.minP99, tt.maxP99)
			}
		})
	}
}

func TestSamplerIsReproducible(t *testing.T) {
	lat := Latency{Dist: LogNormal, Mean: 5 * time.Millisecond, Spread: 2 * time.Millisecond}
	a, b := NewSampler(lat, 42), NewSampler(lat, 42)
	for range 100 {
		if x, y := a.Next(), b.Next(); x != y {
			t.Fatalf("same seed drew %v and %v", x, y)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	bad := func(mut func(*Config)) Config { c := DefaultConfig(); mut(&c); return c }
	tests := []struct {
		cfg  Config
		path string // of the field error
		want string // its text
	}{
		{DefaultConfig(), "", ""},
		{bad(func(c *Config) { c.Latency.Dist = "gamma" }), "latency.dist", `latency.dist: must be one of constant, uniform, exponential, lognormal; got "gamma"`},
		{bad(func(c *Config) { c.Latency.Mean = -1 }), "latency.mean", "latency.mean: must be >= 0, got -1ns"},
		{bad(func(c *Config) { c.Capacity.Workers = 0 }), "capacity.workers", "capacity.workers: must be > 0, got 0"},
		{bad(func(c *Config) { c.ResponseBytes = -1 }), "response_bytes", "response_bytes: must be in [0, 1MiB], got -1"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate() = %q, want %q", got, tt.want)
		}
		if all := field.All(err); tt.path != "" && (len(all) != 1 || all[0].Path != tt.path) {
			t.Errorf("Validate() field errors %v, want one at %q", all, tt.path)
		}
	}
}

// TestService builds a dependency the way a pattern declares one, with
// the configuration its pick function takes and the seed it is given.
func TestService(t *testing.T) {
	type patternConfig struct{ Payments Config }
	c := &patternConfig{Payments: DefaultConfig()}
	c.Payments.ResponseBytes = 3
	c.Payments.Latency = Latency{Dist: Constant}
	pick := func(c *patternConfig) Config { return c.Payments }
	for _, b := range []patterns.Builder[patternConfig]{Service("payments", pick), Service("payments", pick, SeedOffset(1))} {
		reg := prometheus.NewRegistry()
		h, stop, err := b(context.Background(), c, patterns.Env{Seed: 1, Registry: reg})
		if err != nil || h == nil || stop != nil {
			t.Fatalf("Service builder = %v, %v, stop %v; want a handler and no stop", h, err, stop != nil)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/pay", nil))
		if rec.Code != http.StatusOK || rec.Body.String() != "abc" {
			t.Errorf("GET /pay = %d %q, want 200 \"abc\" (3 response bytes)", rec.Code, rec.Body)
		}
		if n, err := testutil.GatherAndCount(reg, "faultline_capacity_in_use"); err != nil || n != 1 {
			t.Errorf("capacity metrics for pool payments: %d series, %v", n, err)
		}
	}
	var o options
	SeedOffset(7)(&o)
	if o.seedOffset != 7 {
		t.Errorf("SeedOffset(7) set %d", o.seedOffset)
	}
}
