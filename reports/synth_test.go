package reports

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// synthRun builds a realistic run of a circuit breaker against a naive
// baseline: a dependency slows down, the breaker opens and answers from a
// fallback while the naive variant times out and retries. long adds a
// second fault and lasts 70s instead of 20s.
func synthRun(long bool) *model.Run {
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	dur := 20
	faults := []model.FaultEvent{{
		Name: "dependency-slow", Kind: "latency", Target: "api->dependency",
		At: 6 * time.Second, Duration: 6 * time.Second, Applied: sec(6.04), Reverted: sec(12.02),
	}}
	if long {
		dur = 70
		faults = []model.FaultEvent{
			{Name: "dependency-slow", Kind: "latency", Target: "api->dependency",
				At: 15 * time.Second, Duration: 15 * time.Second, Applied: sec(15.04), Reverted: sec(30.02)},
			{Name: "dependency-down", Kind: "down", Target: "api->dependency",
				At: 45 * time.Second, Duration: 8 * time.Second, Applied: sec(45.1), Reverted: sec(53.05)},
		}
	}
	r := &model.Run{
		Scenario:    "breaker-vs-slow-dependency",
		Description: "A dependency slows down and then goes away; the circuit breaker should fail fast and answer from its fallback.",
		Pattern:     "circuit-breaker",
		Testbed:     "local",
		Seed:        42,
		Scale:       1,
		Window:      time.Second,
		StartedAt:   time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Planned:     time.Duration(dur) * time.Second,
		Timings: []model.Timing{
			{Name: "topology ready", Duration: 1200 * time.Millisecond},
			{Name: "load", Variant: "breaker", Duration: time.Duration(dur) * time.Second},
			{Name: "load", Variant: "naive", Duration: time.Duration(dur) * time.Second},
			{Name: "teardown", Duration: 300 * time.Millisecond},
		},
	}
	for vi, name := range []string{"breaker", "naive"} {
		naive := name == "naive"
		v := &model.Variant{
			Name:            name,
			Baseline:        naive,
			ExpectViolation: naive,
			Routes:          []string{"GET /orders", "GET /catalog"},
			Downstream:      "dependency",
			StateSeries:     "faultline_breaker_state",
			StateService:    "api",
			StateNames:      []string{"closed", "open", "half-open"},
			Faults:          append([]model.FaultEvent(nil), faults...),
			Results:         "results-" + name + ".bin",
		}
		if naive {
			v.Config = map[string]any{"enabled": false, "retries": 2}
		} else {
			v.Config = map[string]any{"enabled": true, "failure_threshold": 5, "open_timeout": "3s"}
		}
		rng := rand.New(rand.NewPCG(42, uint64(vi)))
		rec := model.NewHistogram()
		// phaseAt says where window t is relative to the faults: k windows
		// into a fault (during) or k windows after one (after >= 0).
		phaseAt := func(t int) (during bool, down bool, k int, after int) {
			after = -1
			for _, f := range faults {
				from, to := int(f.At/time.Second), int((f.At+f.Duration)/time.Second)
				if t >= from && t < to {
					return true, f.Kind == "down", t - from, -1
				}
				if t >= to {
					after = t - to
				}
			}
			return false, false, 0, after
		}
		var downCount float64
		var downErrors float64
		var downPts, errPts, statePts []model.Point
		for t := range dur {
			during, down, k, after := phaseAt(t)
			state := 0.0
			for _, route := range v.Routes {
				n := 35
				if route == "GET /catalog" {
					n = 15
				}
				w := model.Window{Route: route, Start: time.Duration(t) * time.Second, Errors: map[string]int64{}}
				rec.Reset()
				median, sigma := 20*time.Millisecond, 0.35
				okP, degP := 0.999, 0.0
				slowShare := 0.0
				switch {
				case route == "GET /catalog" && naive && during:
					median = 180 * time.Millisecond
				case route == "GET /catalog":
				case !naive && during && k == 0:
					// The breaker still sends: half the window is slow.
					slowShare, okP = 0.5, 0.9
				case !naive && during:
					median, degP, okP = 3*time.Millisecond, 0.97, 0.998
					if k%4 == 3 {
						state = 2
						slowShare = 0.03 // a half-open probe
					} else {
						state = 1
					}
				case !naive && after == 0:
					median, degP, state = 3*time.Millisecond, 0.6, 2
				case naive && during && down:
					median, okP = 8*time.Millisecond, 0.02
				case naive && during:
					median, okP, sigma = 1600*time.Millisecond, 0.55, 0.2
				case naive && after >= 0 && after < 3:
					median, okP = 400*time.Millisecond, 0.97
				}
				if !naive && during && down && k > 0 {
					slowShare = 0 // connection refused is fast
				}
				for range n {
					lat := time.Duration(float64(median) * math.Exp(sigma*rng.NormFloat64()))
					if rng.Float64() < slowShare {
						lat = 1500*time.Millisecond + time.Duration(rng.IntN(300))*time.Millisecond
					}
					w.Count++
					rec.Record(lat)
					switch p := rng.Float64(); {
					case p < degP:
						w.Success++
						w.Degraded++
					case p < okP:
						w.Success++
					case naive && !down:
						w.Errors["timeout"]++
					default:
						w.Errors["503"]++
					}
				}
				if len(w.Errors) == 0 {
					w.Errors = nil
				}
				// As the load package does: keep a sparse copy of the recorder.
				w.Latency = rec.Snapshot()
				w.P50, w.P90, w.P99, w.Max = rec.Quantile(0.5), rec.Quantile(0.9), rec.Quantile(0.99), rec.Max()
				v.Windows = append(v.Windows, w)

				if route == "GET /orders" {
					switch {
					case naive && during:
						downCount += float64(n) * 3 // two retries each
						downErrors += float64(n) * 0.4
					case !naive && during && k > 0:
						downCount += 1 // probes
					default:
						downCount += float64(n)
					}
				}
			}
			// A restart of the dependency resets its counters in the naive run.
			if naive && t == dur*2/3 {
				downCount, downErrors = 5, 0
			}
			ts := time.Duration(t)*time.Second + 750*time.Millisecond
			downPts = append(downPts, model.Point{T: ts, V: downCount})
			if downErrors > 0 {
				errPts = append(errPts, model.Point{T: ts, V: downErrors})
			}
			if !naive {
				statePts = append(statePts,
					model.Point{T: time.Duration(t) * time.Second, V: state},
					model.Point{T: time.Duration(t)*time.Second + 500*time.Millisecond, V: state})
			}
		}
		downPts = append([]model.Point{{T: -250 * time.Millisecond, V: 0}}, downPts...)
		v.Series = append(v.Series, model.Series{
			Service: "dependency", Name: model.DownstreamMetric, Counter: true,
			Labels: map[string]string{"code": "200"}, Points: downPts,
		})
		if len(errPts) > 0 {
			v.Series = append(v.Series, model.Series{
				Service: "dependency", Name: model.DownstreamMetric, Counter: true,
				Labels: map[string]string{"code": "500"}, Points: errPts,
			})
		}
		if statePts != nil {
			v.Series = append(v.Series, model.Series{Service: "api", Name: "faultline_breaker_state", Points: statePts})
		}
		r.Variants = append(r.Variants, v)
	}
	model.Summarize(r)
	for _, v := range r.Variants {
		v.SLOs = []model.SLOResult{
			v.Check("availability during the fault", model.Query{Metric: "success", Phase: "during"}, ">=", 0.95),
			v.Check("fast answers during the fault", model.Query{Metric: "p50", Phase: "during"}, "<=", 0.1),
			v.Check("back to normal after", model.Query{Metric: "p99", Route: "GET /orders", Phase: "after"}, "<=", 0.3),
			v.Check("fails fast", model.Query{Metric: "time_to_fail_fast", Fault: "dependency-slow"}, "<=", 3),
			v.Check("recovers", model.Query{Metric: "time_to_recover", Fault: "dependency-slow"}, "<=", 5),
			v.Check("no retry storm", model.Query{Metric: "amplification", Phase: "during"}, "<=", 1.5),
		}
	}
	return r
}
