package model

import "slices"

// ConsistencyMetrics are the metrics the consistency checker (package
// consistency) gives, for patterns that state a guarantee.
var ConsistencyMetrics = []MetricInfo{
	{"lost_writes", Factor, "acknowledged writes missing from the store after the run (overall, or of those sent during a fault)"},
	{"duplicates", Factor, "writes applied more than once"},
	{"order_violations", Factor, "stored events whose version is not the previous one's plus one in their stream"},
	{"invariant_violations", Factor, "streams whose state is not the fold of their stored events, goes below the floor (an overdraft) or whose projection differs"},
	{"projection_lag", Factor, "the projection's largest lag in events over the phase"},
}

func init() { Metrics = append(Metrics, ConsistencyMetrics...) }

// IsConsistencyMetric reports whether name is one of ConsistencyMetrics.
func IsConsistencyMetric(name string) bool {
	return slices.ContainsFunc(ConsistencyMetrics, func(m MetricInfo) bool { return m.Name == name })
}

// ConsistencyCounts are what the consistency checker counts of the
// operations a load attempted.
type ConsistencyCounts struct {
	Attempted     int `json:"attempted"`
	Acknowledged  int `json:"acknowledged"`
	Refused       int `json:"refused"`
	Indeterminate int `json:"indeterminate"`
	Lost          int `json:"lost"`
	Unexpected    int `json:"unexpected"`
	Recovered     int `json:"recovered"`
}

// Consistency is the consistency checker's verdict on one variant (see
// package consistency, which computes it).
type Consistency struct {
	ConsistencyCounts
	Stored              int `json:"stored"`
	Duplicates          int `json:"duplicates"`
	OrderViolations     int `json:"order_violations"`
	InvariantViolations int `json:"invariant_violations"`
	// Drift is the sum over streams of |state - fold of stored events|:
	// how much the store's answer is off (lost updates).
	Drift int64 `json:"drift"`
	// Overdrafts counts the streams whose fold went below the floor.
	Overdrafts int `json:"overdrafts"`
	// Versioned says whether order was checked.
	Versioned bool `json:"versioned"`
	// Windows counts the operations attempted within each window.
	Windows []ConsistencyWindow `json:"windows,omitempty"`
	// Examples names a few offending ids per kind, for the report.
	Examples map[string][]string `json:"examples,omitempty"`
}

// ConsistencyWindow counts the operations attempted in one window (a fault).
type ConsistencyWindow struct {
	Name string `json:"name"`
	ConsistencyCounts
}

// Valid reports whether nothing the pattern must prevent happened.
func (r Consistency) Valid() bool {
	return r.Lost == 0 && r.Unexpected == 0 && r.Duplicates == 0 && r.OrderViolations == 0 && r.InvariantViolations == 0
}

// measureConsistency measures a consistency metric: the checker's counts
// over the run (lost_writes also for one fault's window, phase during), or
// the projection's largest lag within the phase.
func (v *Variant) measureConsistency(x *View, q Query) (float64, bool) {
	if q.Metric == "projection_lag" {
		return v.maxLag(x, q)
	}
	r := v.Consistency
	if r == nil || q.Route != "" {
		return 0, false
	}
	if q.Phase == "during" && q.Fault != "" && q.Metric == "lost_writes" {
		for _, w := range r.Windows {
			if w.Name == q.Fault {
				return float64(w.Lost), true
			}
		}
		return 0, false
	}
	if q.Phase != "" && q.Phase != "overall" {
		return 0, false
	}
	switch q.Metric {
	case "lost_writes":
		return float64(r.Lost), true
	case "duplicates":
		return float64(r.Duplicates), true
	case "order_violations":
		return float64(r.OrderViolations), true
	case "invariant_violations":
		return float64(r.InvariantViolations), true
	}
	return 0, false
}

// maxLag is the largest sample of the lag gauge within the phase.
func (v *Variant) maxLag(x *View, q Query) (float64, bool) {
	spans, ok := x.spans(q.Phase, q.Fault)
	if !ok || v.LagSeries == "" {
		return 0, false
	}
	best, found := 0.0, false
	for _, s := range v.Series {
		if s.Name != v.LagSeries {
			continue
		}
		for _, p := range s.Points {
			if !p.Finite() || !slices.ContainsFunc(spans, func(sp Span) bool { return sp.Contains(p.T) }) {
				continue
			}
			best, found = max(best, p.V), true
		}
	}
	return best, found
}
