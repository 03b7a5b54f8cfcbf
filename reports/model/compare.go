package model

import (
	"fmt"
	"slices"
	"time"
)

// Verdicts of one compared number.
const (
	Better = "better"
	Same   = "same"
	Worse  = "worse"
	// Changed is a change beyond tolerance in a number that is neither
	// better nor worse by itself (the degraded share); it does not fail.
	Changed = "changed"
)

// Comparison is a new run of a scenario set against a baseline run of it:
// every headline number of every variant both have, side by side.
type Comparison struct {
	Scenario string         `json:"scenario"`
	Base     RunInfo        `json:"base"`
	New      RunInfo        `json:"new"`
	Rows     []Delta        `json:"rows"`
	Notes    []string       `json:"notes,omitempty"` // variants only one run has, say
	Counts   map[string]int `json:"counts"`          // rows per verdict
}

// RunInfo identifies one side of a comparison.
type RunInfo struct {
	StartedAt time.Time `json:"started_at"`
	Seed      int64     `json:"seed"`
	Scale     float64   `json:"scale"`
	Repeat    int       `json:"repeat"`
}

// Delta is one headline number of one variant in both runs.
type Delta struct {
	Variant string `json:"variant"`
	Route   string `json:"route,omitempty"`
	Phase   string `json:"phase,omitempty"` // overall, before, during, after ("" for the times)
	Fault   string `json:"fault,omitempty"`
	Metric  string `json:"metric"`
	Unit    Unit   `json:"unit"`
	// Base and New are the number in each run (the median with repeats);
	// nil when it could not be measured (a recovery that never came).
	Base *Spread `json:"base,omitempty"`
	New  *Spread `json:"new,omitempty"`
	// Delta is New − Base when both were measured.
	Delta     float64   `json:"delta"`
	Verdict   string    `json:"verdict"`
	Tolerance Tolerance `json:"tolerance"`
	// Test says how the verdict was reached: "tolerance" (one run a
	// side, or too few runs for the rank test) or "u-test" (with P, the
	// Mann-Whitney U test's two-sided p-value).
	Test string  `json:"test"`
	P    float64 `json:"p,omitempty"`
}

// Query is the measurement the row compares.
func (d Delta) Query() Query {
	return Query{Metric: d.Metric, Route: d.Route, Phase: d.Phase, Fault: d.Fault}
}

// Worse reports whether any number got worse beyond its tolerance.
func (c *Comparison) Worse() bool { return c.Counts[Worse] > 0 }

// phaseMetrics are the headline numbers compared for every phase.
var phaseMetrics = []string{"success", "degraded", "p50", "p90", "p99", "max", "rate", "amplification"}

// Compare sets run nw against run base of the same scenario. Both are
// summarized first. The tolerances are nw's (its scenario's overrides,
// else DefaultTolerances). It returns an error when the runs are of
// different scenarios, patterns or scales, or either is missing.
func Compare(base, nw *Run) (*Comparison, error) {
	if base == nil || nw == nil {
		return nil, fmt.Errorf("compare: missing run")
	}
	switch {
	case base.Scenario != nw.Scenario:
		return nil, fmt.Errorf("compare: different scenarios: base is %q, new is %q", base.Scenario, nw.Scenario)
	case base.Pattern != nw.Pattern:
		return nil, fmt.Errorf("compare: different patterns: base is %q, new is %q", base.Pattern, nw.Pattern)
	case scaleOf(base) != scaleOf(nw):
		return nil, fmt.Errorf("compare: different scales: base ran at %g, new at %g (times to fail fast and recover scale with the timeline)", scaleOf(base), scaleOf(nw))
	}
	Summarize(base)
	Summarize(nw)
	c := &Comparison{Scenario: nw.Scenario, Base: info(base), New: info(nw), Counts: map[string]int{}}
	for _, nv := range nw.Variants {
		bv := base.Find(nv.Name)
		if bv == nil {
			c.Notes = append(c.Notes, fmt.Sprintf("variant %s is only in the new run", nv.Name))
			continue
		}
		for _, q := range queries(bv, nv) {
			d := compareOne(bv, nv, q, nw.ToleranceFor(q.Metric))
			c.Counts[d.Verdict]++
			c.Rows = append(c.Rows, d)
		}
	}
	for _, bv := range base.Variants {
		if bv != nil && nw.Find(bv.Name) == nil {
			c.Notes = append(c.Notes, fmt.Sprintf("variant %s is only in the base run", bv.Name))
		}
	}
	return c, nil
}

func scaleOf(r *Run) float64 {
	if r.Scale == 0 {
		return 1
	}
	return r.Scale
}

func info(r *Run) RunInfo {
	return RunInfo{StartedAt: r.StartedAt, Seed: r.Seed, Scale: scaleOf(r), Repeat: max(1, r.Repeat)}
}

// Find returns the variant called name; nil when the run has none.
func (r *Run) Find(name string) *Variant {
	for _, v := range r.Variants {
		if v != nil && v.Name == name {
			return v
		}
	}
	return nil
}

// queries lists the headline numbers of a variant: over the whole run, and
// for each fault both runs have, before / during / after and the times to
// fail fast and to recover; for all routes together, then per route when
// there are several.
func queries(bv, nv *Variant) []Query {
	routes := []string{""}
	if len(nv.Routes) > 1 {
		routes = append(routes, nv.Routes...)
	}
	var faults []string
	for _, f := range nv.Faults {
		if slices.ContainsFunc(bv.Faults, func(b FaultEvent) bool { return b.Name == f.Name }) {
			faults = append(faults, f.Name)
		}
	}
	var qs []Query
	for _, route := range routes {
		for _, m := range phaseMetrics {
			if m == "amplification" && route != "" {
				continue // downstream requests cannot be attributed to a route
			}
			qs = append(qs, Query{Metric: m, Route: route, Phase: "overall"})
		}
		for _, f := range faults {
			for _, ph := range []string{"before", "during", "after"} {
				for _, m := range phaseMetrics {
					if m == "amplification" && route != "" {
						continue
					}
					qs = append(qs, Query{Metric: m, Route: route, Phase: ph, Fault: f})
				}
			}
			qs = append(qs, Query{Metric: "time_to_fail_fast", Route: route, Fault: f},
				Query{Metric: "time_to_recover", Route: route, Fault: f})
		}
	}
	return qs
}

// compareOne compares one number of the two variants.
func compareOne(bv, nv *Variant, q Query, tol Tolerance) Delta {
	info, _ := LookupMetric(q.Metric)
	d := Delta{
		Variant: nv.Name, Route: q.Route, Phase: q.Phase, Fault: q.Fault,
		Metric: q.Metric, Unit: info.Unit, Tolerance: tol, Test: "tolerance",
	}
	if s, ok := bv.SpreadWithNever(q); ok {
		d.Base = &s
	}
	if s, ok := nv.SpreadWithNever(q); ok {
		d.New = &s
	}
	d.Verdict = judge(&d)
	return d
}

// SpreadWithNever is Spread, except that a time to fail fast or recover
// that never came counts as the length of the phase it was looked for in
// (a lower bound of "never"; Spread.Never counts those runs), so that
// "never" and a time near the phase's end compare as close, and "never"
// and 1s as far apart.
func (v *Variant) SpreadWithNever(q Query) (Spread, bool) {
	s, _ := spreadOf(v, func(r *Variant) (float64, bool) {
		if x, ok := r.measureOnce(q); ok {
			return x, true
		}
		return r.never(q)
	})
	if s.N == 0 {
		return s, false
	}
	for _, r := range v.Runs() {
		if _, ok := r.measureOnce(q); !ok {
			if _, ok := r.never(q); ok {
				s.Never++
			}
		}
	}
	return s, true
}

// never is the lower bound of a time to fail fast or recover that never
// came: the length of the fault (fail fast) or of the span after it
// (recover), when that phase had requests.
func (v *Variant) never(q Query) (float64, bool) {
	for _, f := range v.Headline.Faults {
		if f.Fault != q.Fault {
			continue
		}
		p := f.During
		if q.Metric == "time_to_recover" {
			p = f.After
		} else if q.Metric != "time_to_fail_fast" {
			return 0, false
		}
		if p.Requests == 0 {
			return 0, false
		}
		return (p.To - p.From).Seconds(), true
	}
	return 0, false
}

// judge decides a row's verdict. A number measured on one side only
// (amplification without a downstream counter, a phase without requests)
// is the same: there is nothing to compare. With enough runs a side for the
// U test to reach Alpha (4 and 4, or 3 and 5), a difference is significant
// only when the test says so, as benchstat does; otherwise (one run each,
// or 3 and 3) the medians are compared with the tolerance.
func judge(d *Delta) string {
	if d.Base == nil || d.New == nil {
		return Same
	}
	d.Delta = d.New.Median - d.Base.Median
	changed := !d.Tolerance.Allows(d.Unit, d.Base.Median, d.New.Median)
	if Testable(d.Base.N, d.New.N) {
		d.Test = "u-test"
		d.P = MannWhitneyP(d.Base.Values, d.New.Values)
		changed = d.P <= Alpha && d.Delta != 0
	}
	switch dir := Direction(d.Metric); {
	case !changed:
		return Same
	case dir == 0:
		return Changed
	case (d.Delta > 0) == (dir > 0):
		return Better
	}
	return Worse
}
