package traffic

import (
	"math"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
)

const sec = time.Second

// TestSchedule checks that bursts raise the stages' rate where they send,
// and nowhere else, ramps included.
func TestSchedule(t *testing.T) {
	tests := []struct {
		name   string
		plan   Plan
		rates  map[time.Duration]float64 // planned rate at t
		hits   float64                   // of the whole plan
		perSec []int                     // hits sent per second
	}{
		{
			name:   "a burst on a constant load",
			plan:   Plan{Stages: []Stage{{Duration: 4 * sec, Rate: 10}}, Bursts: []Burst{{Route: "a", At: sec, Duration: 2 * sec, Rate: 30}}},
			rates:  map[time.Duration]float64{0: 10, sec: 40, 2900 * time.Millisecond: 40, 3 * sec: 10},
			hits:   100,
			perSec: []int{10, 40, 40, 10},
		},
		{
			name: "overlapping bursts, one past the end",
			plan: Plan{Stages: []Stage{{Duration: 3 * sec, Rate: 10}}, Bursts: []Burst{
				{Route: "a", At: sec, Duration: 5 * sec, Rate: 20}, {Route: "b", At: 2 * sec, Duration: sec, Rate: 5}}},
			rates:  map[time.Duration]float64{500 * time.Millisecond: 10, 1500 * time.Millisecond: 30, 2500 * time.Millisecond: 35},
			hits:   75,
			perSec: []int{10, 30, 35},
		},
		{
			name: "a burst inside a ramp",
			plan: Plan{Stages: []Stage{{Duration: 4 * sec, Rate: 40, Ramp: true}},
				Bursts: []Burst{{Route: "a", At: sec, Duration: 2 * sec, Rate: 100}}},
			rates:  map[time.Duration]float64{500 * time.Millisecond: 5, 2 * sec: 120, 3500 * time.Millisecond: 35},
			hits:   280, // 80 from the ramp, 200 from the burst
			perSec: []int{5, 115, 125, 35},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPacer(tt.plan.schedule()).(*stagePacer)
			for at, want := range tt.rates {
				if got := p.Rate(at); math.Abs(got-want) > 1e-6 {
					t.Errorf("rate at %v = %v, want %v", at, got, want)
				}
			}
			if math.Abs(p.hits-tt.hits) > 1e-6 {
				t.Errorf("plan hits = %v, want %v", p.hits, tt.hits)
			}
			got := make([]int, len(tt.perSec))
			for _, s := range simulate(t, p) {
				got[int(s/sec)]++
			}
			for i := range got {
				if d := got[i] - tt.perSec[i]; d < -1 || d > 1 {
					t.Errorf("second %d: %d hits, want %d", i, got[i], tt.perSec[i])
				}
			}
		})
	}
}

// TestBurstTargeter checks that a burst's route gets the burst's hits
// while it sends, and a burst-only target nothing outside its bursts.
func TestBurstTargeter(t *testing.T) {
	p := Plan{
		Stages: []Stage{{Duration: 3 * sec, Rate: 200}},
		Targets: []Target{{Name: "a", URL: "http://h/a"}, {Name: "b", URL: "http://h/b", Weight: 3},
			{Name: "flood", URL: "http://h/flood", BurstOnly: true}},
		Bursts: []Burst{{Route: "a", At: sec, Duration: sec, Rate: 400}, {Route: "flood", At: 2 * sec, Duration: sec, Rate: 200}},
		Seed:   7,
	}
	pacer := NewPacer(p.schedule()).(*stagePacer)
	tr, err := newBurstTargeter(p, pacer)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]map[string]int, 3) // per second, by URL
	for i := range got {
		got[i] = map[string]int{}
	}
	for _, at := range simulate(t, pacer) {
		var tgt vegeta.Target
		if err := tr(&tgt); err != nil {
			t.Fatal(err)
		}
		got[int(at/sec)][tgt.URL]++
	}
	want := []map[string]float64{
		{"http://h/a": 50, "http://h/b": 150},
		{"http://h/a": 450, "http://h/b": 150},
		{"http://h/a": 50, "http://h/b": 150, "http://h/flood": 200},
	}
	for i := range want {
		for url, n := range want[i] {
			if d := float64(got[i][url]) - n; math.Abs(d) > 0.15*n+5 {
				t.Errorf("second %d: %s got %d hits, want ~%v", i, url, got[i][url], n)
			}
		}
		if i < 2 && got[i]["http://h/flood"] > 0 {
			t.Errorf("second %d: the burst-only target got %d hits before its burst", i, got[i]["http://h/flood"])
		}
	}
}

// TestAggregatorPlannedBursts checks each route's planned hits per window:
// its share of the stages' and its bursts'.
func TestAggregatorPlannedBursts(t *testing.T) {
	p := Plan{
		Stages:  []Stage{{Duration: 3 * sec, Rate: 10}},
		Targets: []Target{{Name: "a", URL: urlA}, {Name: "b", URL: urlB, BurstOnly: true}},
		Bursts:  []Burst{{Route: "b", At: 1500 * time.Millisecond, Duration: sec, Rate: 40}},
	}
	planned := map[string][]float64{}
	a, err := NewAggregator(p, t0, func(w model.Window) { planned[w.Route] = append(planned[w.Route], w.Planned) })
	if err != nil {
		t.Fatal(err)
	}
	a.Flush(3 * sec)
	want := map[string][]float64{"a": {10, 10, 10}, "b": {0, 20, 20}}
	for route, ws := range want {
		for k, n := range ws {
			if k >= len(planned[route]) || math.Abs(planned[route][k]-n) > 1e-6 {
				t.Errorf("route %s window %d planned %v, want %v", route, k, planned[route], ws)
				break
			}
		}
	}
}

func TestBurstErrors(t *testing.T) {
	targets := []Target{{Name: "a", URL: "http://h/a"}}
	tests := []struct {
		name string
		plan Plan
		want string
	}{
		{"unknown route", Plan{Targets: targets, Bursts: []Burst{{Route: "x", Duration: sec, Rate: 1}}}, `no target is named "x"`},
		{"negative rate", Plan{Targets: targets, Bursts: []Burst{{Route: "a", Duration: sec, Rate: -1}}}, "negative"},
		{"only burst targets", Plan{Targets: []Target{{Name: "a", URL: "http://h/a", BurstOnly: true}}}, "burst-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.plan.Stages = []Stage{{Duration: sec, Rate: 1}}
			_, err := NewAttack(tt.plan)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
