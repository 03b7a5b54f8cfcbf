package model

import "slices"

// Spread is one number over the runs of a variant (--repeat N): its median,
// minimum and maximum, and every run's value in run order. N counts the runs
// that measured it.
type Spread struct {
	N      int       `json:"n"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
	// Never counts the runs in which a time to fail fast or recover never
	// came; Compare counts each as the length of its phase.
	Never int `json:"never,omitempty"`
}

// Runs returns the variant's runs: itself, then its Repeats.
func (v *Variant) Runs() []*Variant {
	out := []*Variant{v}
	for _, r := range v.Repeats {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Spread measures q on every run of the variant; false when no run
// measured it.
func (v *Variant) Spread(q Query) (Spread, bool) {
	return spreadOf(v, func(r *Variant) (float64, bool) { return r.measureOnce(q) })
}

// spreadOf applies measure to every run of v.
func spreadOf(v *Variant, measure func(*Variant) (float64, bool)) (Spread, bool) {
	var s Spread
	for _, r := range v.Runs() {
		if r != v && r.window == 0 {
			r.window, r.planned = v.window, v.planned
		}
		if x, ok := measure(r); ok {
			s.Values = append(s.Values, x)
		}
	}
	s.N = len(s.Values)
	if s.N == 0 {
		return s, false
	}
	sorted := slices.Sorted(slices.Values(s.Values))
	s.Min, s.Max = sorted[0], sorted[s.N-1]
	s.Median = median(sorted)
	return s, true
}

// median of sorted values (the mean of the middle two for an even count).
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
