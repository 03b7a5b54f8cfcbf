package dependency

import (
	"math"
	"sort"
	"testing"
	"time"
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
		want string
	}{
		{DefaultConfig(), ""},
		{bad(func(c *Config) { c.Latency.Dist = "gamma" }), `latency.dist: must be one of constant, uniform, exponential, lognormal; got "gamma"`},
		{bad(func(c *Config) { c.Latency.Mean = -1 }), "latency.mean: must be >= 0, got -1ns"},
		{bad(func(c *Config) { c.Capacity.Workers = 0 }), "capacity.workers: must be > 0, got 0"},
		{bad(func(c *Config) { c.ResponseBytes = -1 }), "response_bytes: must be in [0, 1MiB], got -1"},
	}
	for _, tt := range tests {
		got := ""
		if err := tt.cfg.Validate(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate() = %q, want %q", got, tt.want)
		}
	}
}
