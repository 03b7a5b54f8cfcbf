package model

import "time"

// TradeOff is one number on which a variant did worse than its baseline:
// success, p99 or rate over one phase of one fault (or the whole run),
// whether or not an SLO looks at it.
type TradeOff struct {
	Variant  string  `json:"variant"`
	Baseline string  `json:"baseline"`
	Fault    string  `json:"fault,omitempty"` // "" = the whole run
	Phase    string  `json:"phase"`           // "overall", "before", "during" or "after"
	Metric   string  `json:"metric"`          // "success", "p99" or "rate"
	Unit     string  `json:"unit"`
	Value    float64 `json:"value"`          // the variant's, in Unit
	Base     float64 `json:"baseline_value"` // the baseline's, in Unit
	// Covered names the variant's SLOs on this metric, phase and fault;
	// empty when no SLO judges it (the trade-off would go unnoticed).
	Covered []string `json:"covered_by,omitempty"`
}

// Trade-off tolerances: differences smaller than these are run-to-run
// noise on a loaded 2-core machine, not a trade-off. Repeated ambassador
// and circuit-breaker runs here moved success by < 0.5 points, p99 by up
// to ~15% (at least ~10ms) and the client rate by < 2% when nothing
// changed.
const (
	tradeSuccessSlack = 0.01                  // 1 point of success
	tradeP99Ratio     = 1.25                  // 25% slower...
	tradeP99Slack     = 20 * time.Millisecond // ...and at least 20ms slower
	tradeRateRatio    = 0.95                  // 5% fewer requests a second
)

// TradeOffs compares every variant that is not a baseline with the run's
// first baseline, phase by phase (the whole run, and before, during and
// after each fault), and lists where it is worse on success, p99 or rate.
// A run without a baseline has none. Call it after Summarize.
func TradeOffs(r *Run) []TradeOff {
	base := firstBaseline(r)
	if base == nil {
		return nil
	}
	var out []TradeOff
	for _, v := range r.Variants {
		if v == nil || v.Baseline {
			continue
		}
		out = append(out, v.tradeOffsWith(base, "", "overall", v.Headline.Overall, base.Headline.Overall)...)
		for _, f := range v.Headline.Faults {
			bf, ok := base.faultHeadline(f.Fault)
			if !ok {
				continue
			}
			out = append(out, v.tradeOffsWith(base, f.Fault, "before", f.Before, bf.Before)...)
			out = append(out, v.tradeOffsWith(base, f.Fault, "during", f.During, bf.During)...)
			out = append(out, v.tradeOffsWith(base, f.Fault, "after", f.After, bf.After)...)
		}
	}
	return out
}

func firstBaseline(r *Run) *Variant {
	for _, v := range r.Variants {
		if v != nil && v.Baseline {
			return v
		}
	}
	return nil
}

func (v *Variant) faultHeadline(fault string) (FaultHeadline, bool) {
	for _, f := range v.Headline.Faults {
		if f.Fault == fault {
			return f, true
		}
	}
	return FaultHeadline{}, false
}

// tradeOffsWith lists where phase p of v is worse than phase b of base.
// A phase without requests on either side compares nothing.
func (v *Variant) tradeOffsWith(base *Variant, fault, phase string, p, b Phase) []TradeOff {
	if p.Requests == 0 || b.Requests == 0 {
		return nil
	}
	var out []TradeOff
	add := func(metric string, unit Unit, value, baseValue float64) {
		out = append(out, TradeOff{
			Variant: v.Name, Baseline: base.Name, Fault: fault, Phase: phase,
			Metric: metric, Unit: string(unit), Value: value, Base: baseValue,
			Covered: v.sloNames(metric, phase, fault),
		})
	}
	if p.Success < b.Success-tradeSuccessSlack {
		add("success", Ratio, p.Success, b.Success)
	}
	if p.P99 > time.Duration(float64(b.P99)*tradeP99Ratio) && p.P99 > b.P99+tradeP99Slack {
		add("p99", Seconds, p.P99.Seconds(), b.P99.Seconds())
	}
	if p.Rate < b.Rate*tradeRateRatio {
		add("rate", PerSecond, p.Rate, b.Rate)
	}
	return out
}

// sloNames names v's SLOs on metric over all routes in phase of fault: one
// on that fault, one over the whole run, or one during all faults together
// (which looks at every fault's time in force).
func (v *Variant) sloNames(metric, phase, fault string) []string {
	var names []string
	for _, s := range v.SLOs {
		sp := s.Phase
		if sp == "" {
			sp = "overall"
		}
		if s.Metric != metric || sp != phase || s.Route != "" {
			continue
		}
		if s.Fault == fault || phase == "overall" || s.Fault == "" && phase == "during" {
			names = append(names, s.Name)
		}
	}
	return names
}
