package model

import (
	"sort"
	"strings"
	"time"
)

// Sweep describes a configuration sweep: the swept keys and values, how
// the configurations are ranked, and the ranking (filled in by Summarize).
//
// Its headline numbers are over all faults together: success, p99 and
// amplification during the faults (the union of their windows), and the
// time to recover after the faults: from the end of the last fault until
// success, degraded share and p99 are back to their levels before the first
// fault, for two windows (with one fault, that fault's time to recover).
type Sweep struct {
	Params []SweepParam `json:"params"`
	Mode   string       `json:"mode"` // "grid" (every combination) or "each" (one parameter at a time)
	RankBy RankBy       `json:"rank_by"`
	// Gate is true when the swept variants must meet every SLO; by default
	// they are ranked, not gated (Variant.ReportOnly).
	Gate    bool   `json:"gate"`
	Ranking []Rank `json:"ranking"`
}

// SweepParam is one swept configuration key ("breaker.open_wait") and its
// values as written.
type SweepParam struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// RankBy is the measurement that orders the configurations: a Query and an
// order, "desc" (higher first) or "asc" (lower first). Ties are broken by
// p99 during the faults, lower first.
type RankBy struct {
	Metric string `json:"metric"`
	Route  string `json:"route,omitempty"`
	Phase  string `json:"phase,omitempty"`
	Fault  string `json:"fault,omitempty"`
	Order  string `json:"order"`
}

// Query returns the measurement as a Query.
func (r RankBy) Query() Query {
	return Query{Metric: r.Metric, Route: r.Route, Phase: r.Phase, Fault: r.Fault}
}

// String describes the ranking: "success during the faults, higher first".
func (r RankBy) String() string {
	parts := []string{r.Metric}
	switch {
	case r.Metric == "time_to_recover" && r.Fault == "":
		parts = append(parts, "after the faults")
	case r.Metric == "time_to_recover" || r.Metric == "time_to_fail_fast":
		parts = append(parts, "of fault "+r.Fault)
	case r.Phase == "" || r.Phase == "overall":
		parts = append(parts, "over the whole run")
	case r.Fault != "":
		parts = append(parts, r.Phase+" fault "+r.Fault)
	default:
		parts = append(parts, r.Phase+" the faults")
	}
	if r.Route != "" {
		parts = append(parts, "on route "+r.Route)
	}
	s := strings.Join(parts, " ")
	if r.Order == "asc" {
		return s + ", lower first"
	}
	return s + ", higher first"
}

// Rank is one configuration of a sweep, in ranking order. Numbers that
// could not be measured are absent: no requests during the faults, no
// downstream counter, or (for Recover) no recovery before the load ended.
type Rank struct {
	Rank    int               `json:"rank"` // 1 is best
	Variant string            `json:"variant"`
	Params  map[string]string `json:"params"`
	// Value is the RankBy measurement, in its metric's unit.
	Value *float64 `json:"value,omitempty"`
	// Spread is the Value's spread over the runs with --repeat N (Value
	// is its median); nil for a single run.
	Spread        *Spread        `json:"spread,omitempty"`
	Success       *float64       `json:"success_during,omitempty"`
	P99           *time.Duration `json:"p99_during,omitempty"`
	Recover       *time.Duration `json:"recover,omitempty"`
	Amplification *float64       `json:"amplification_during,omitempty"`
	SLOsMet       int            `json:"slos_met"`
	SLOs          int            `json:"slos"`
}

// rankSweep orders the variants with Params by r.Sweep.RankBy; variants
// whose value cannot be measured come last. It must run after the
// variants' windows are set up (Summarize calls it).
func rankSweep(r *Run) {
	if r.Sweep == nil {
		return
	}
	by := r.Sweep.RankBy
	if by.Metric == "" {
		by.Metric, by.Phase, by.Order = "success", "during", "desc"
	}
	var rows []Rank
	for _, v := range r.Variants {
		if v == nil || len(v.Params) == 0 {
			continue
		}
		row := SweepRow(v, r.Window)
		if sp, ok := SweepSpread(v, r.Window, by.Query()); ok {
			row.Value = &sp.Median
			if sp.N > 1 {
				row.Spread = &sp
			}
		}
		rows = append(rows, row)
	}
	better := func(a, b float64) bool {
		if by.Order == "asc" {
			return a < b
		}
		return a > b
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.Value == nil || b.Value == nil:
			if (a.Value == nil) != (b.Value == nil) {
				return b.Value == nil
			}
		case *a.Value != *b.Value:
			return better(*a.Value, *b.Value)
		}
		switch {
		case a.P99 == nil || b.P99 == nil:
			return a.P99 != nil && b.P99 == nil
		default:
			return *a.P99 < *b.P99
		}
	})
	for i := range rows {
		rows[i].Rank = i + 1
	}
	r.Sweep.Ranking = rows
}

// SweepRow measures a variant's sweep headline numbers (Rank is left 0).
func SweepRow(v *Variant, window time.Duration) Rank {
	row := Rank{Variant: v.Name, Params: v.Params, SLOs: len(v.SLOs)}
	row.SLOsMet = row.SLOs - len(v.Violations())
	during := func(metric string) (float64, bool) {
		return SweepMeasure(v, window, Query{Metric: metric, Phase: "during"})
	}
	if x, ok := during("success"); ok {
		row.Success = &x
	}
	if x, ok := during("p99"); ok {
		d := time.Duration(x * float64(time.Second))
		row.P99 = &d
	}
	if x, ok := during("amplification"); ok {
		row.Amplification = &x
	}
	if x, ok := SweepMeasure(v, window, Query{Metric: "time_to_recover"}); ok {
		d := time.Duration(x * float64(time.Second))
		row.Recover = &d
	}
	return row
}

// SweepMeasure is Measure, except that time_to_recover without a fault is
// the time to recover after the faults (see Sweep). With repeats, it is
// the median over the runs.
func SweepMeasure(v *Variant, window time.Duration, q Query) (float64, bool) {
	s, ok := SweepSpread(v, window, q)
	return s.Median, ok
}

// SweepSpread is SweepMeasure over every run of the variant.
func SweepSpread(v *Variant, window time.Duration, q Query) (Spread, bool) {
	if q.Metric != "time_to_recover" || q.Fault != "" {
		return v.Spread(q)
	}
	return spreadOf(v, func(r *Variant) (float64, bool) {
		x := NewView(r, window)
		d := x.recoverAfterAll(x.Slots(q.Route))
		if d == nil {
			return 0, false
		}
		return d.Seconds(), true
	})
}

// recoverAfterAll is how long after the last fault ended the first window
// starts from which success, degraded share and p99 are back to their
// levels before the first fault, for that window and the next; nil when
// never, or without faults.
func (x *View) recoverAfterAll(slots []Slot) *time.Duration {
	if len(x.faults) == 0 {
		return nil
	}
	beforeSpans, _ := x.spans("before", "")
	afterSpans, _ := x.spans("after", "")
	if len(afterSpans) == 0 {
		return nil
	}
	return x.recoveredIn(slots, x.phase(slots, beforeSpans), afterSpans[0])
}
