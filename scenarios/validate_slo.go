package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// Phases an SLO can be evaluated over.
var phases = []string{"overall", "before", "during", "after"}

// slos checks the SLOs' metrics, phases and references and names them.
func (v *validator) slos() {
	var variants []string
	for _, x := range v.s.Variants {
		variants = append(variants, x.Name)
	}
	seen := make(map[string]string) // SLO name → its path
	for i := range v.s.SLOs {
		v.slo(&v.s.SLOs[i], indexPath("slo", i), variants, seen)
	}
}

// slo checks one SLO, at path p, and applies its defaults.
func (v *validator) slo(o *SLO, p string, variants []string, seen map[string]string) {
	info, known := model.LookupMetric(o.Metric)
	switch {
	case o.Metric == "":
		v.report(p+".metric", "missing metric (known: %s)", knownMetrics())
	case !known:
		v.report(p+".metric", "unknown metric %q (known: %s)", o.Metric, knownMetrics())
	}
	if !v.has(p + ".phase") {
		o.Phase = "overall"
		if o.Metric == "time_to_fail_fast" {
			o.Phase = "during"
		} else if o.Metric == "time_to_recover" {
			o.Phase = "after"
		}
	} else {
		v.phase(p+".phase", o.Phase, o.Metric)
	}
	events := v.faultCount + len(v.burstNames)
	if fromFault(o.Metric) && events == 0 {
		v.report(p+".metric", "metric %s needs a fault or a load burst in the scenario", o.Metric)
	} else if events == 0 && (o.Phase == "before" || o.Phase == "during" || o.Phase == "after") {
		v.report(p+".phase", "phase %s needs a fault or a load burst in the scenario", o.Phase)
	}
	for j, name := range o.Variants {
		if !slices.Contains(variants, name) {
			v.report(indexPath(p+".variants", j), "unknown variant %q (variants: %s)", name, listOrNone(variants))
		}
	}
	v.routeAndFault(p, o.Metric, o.Route, o.Fault)
	v.consistencySLO(p, o)
	v.burst(p, o)
	if o.Min == nil && o.Max == nil {
		if o.Metric == "rate" {
			o.Min = &Threshold{Text: defaultRateShare} // the plan, by default
		} else {
			v.report(p, "give min, max or both")
		}
	}
	if known {
		okMin := v.threshold(o.Min, info, p+".min")
		okMax := v.threshold(o.Max, info, p+".max")
		if okMin && okMax && o.Min != nil && o.Max != nil && o.Min.OfPlan == o.Max.OfPlan && o.Min.Value > o.Max.Value {
			v.report(p+".min", "min %s is above max %s", o.Min.Text, o.Max.Text)
		}
	}
	if !v.has(p + ".name") {
		o.Name = defaultSLOName(o)
	} else if o.Name == "" {
		v.report(p+".name", "empty name")
	}
	if other := seen[o.Name]; other != "" && o.Name != "" {
		v.report(p+".name", "duplicate SLO name %q (also %s): give each SLO its own name", o.Name, other)
	} else {
		seen[o.Name] = p
	}
}

// What an SLO and a sweep's ranking both name: a metric, measured over a
// phase, on a route, relative to a fault.

// knownMetrics lists the metrics' names, for messages.
func knownMetrics() string {
	names := make([]string, len(model.Metrics))
	for i, m := range model.Metrics {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// fromFault reports whether metric is measured from a fault's start or end.
func fromFault(metric string) bool {
	return metric == "time_to_fail_fast" || metric == "time_to_recover"
}

// phase checks a written phase, for metric, at path.
func (v *validator) phase(path, phase, metric string) {
	switch {
	case !slices.Contains(phases, phase):
		v.report(path, "unknown phase %q (known: %s)", phase, strings.Join(phases, ", "))
	case fromFault(metric) && phase != "during" && phase != "after":
		v.report(path, "metric %s is measured from a fault: phase must be during or after, got %q", metric, phase)
	}
}

// routeAndFault checks the route and the fault that a measurement of
// metric at p names, when it names them.
func (v *validator) routeAndFault(p, metric, route, fault string) {
	var routes []string
	for _, t := range v.s.Load.Targets {
		routes = append(routes, t.Name)
	}
	switch {
	case route != "" && !slices.Contains(routes, route):
		v.report(p+".route", "unknown route %q (routes: %s)", route, listOrNone(routes))
	case route != "" && metric == "amplification" && len(routes) > 1:
		v.report(p+".route", "amplification cannot be measured for one route of several: downstream requests are not attributed to routes")
	case route == "" && metric == "calls_per_request":
		v.report(p+".route", "metric calls_per_request needs a route: backend calls are counted per tenant, and targets are named after tenants")
	}
	switch {
	case fault == "" || slices.Contains(v.faultNames, fault):
	case slices.Contains(v.burstNames, fault):
		v.report(p+".fault", "%q is a load burst, not a fault: write burst: %s", fault, fault)
	default:
		v.report(p+".fault", "unknown fault %q (faults: %s)", fault, listOrNone(v.faultNames))
	}
}

// burst checks the load burst an SLO at p names, when it names one.
func (v *validator) burst(p string, o *SLO) {
	switch {
	case o.Burst == "":
	case o.Fault != "":
		v.report(p+".burst", "give fault or burst, not both: an SLO is judged relative to one of them")
	case !slices.Contains(v.burstNames, o.Burst):
		v.report(p+".burst", "unknown burst %q (bursts: %s)", o.Burst, listOrNone(v.burstNames))
	}
}

// defaultSLOName names an SLO after what it asserts on:
// "<metric> <phase>[ <fault>][ on <route>][ for <variants>]".
func defaultSLOName(o *SLO) string {
	parts := []string{o.Metric, o.Phase}
	if o.event() != "" {
		parts = append(parts, o.event())
	}
	if o.Route != "" {
		parts = append(parts, "on "+o.Route)
	}
	if len(o.Variants) > 0 {
		parts = append(parts, "for "+strings.Join(o.Variants, ","))
	}
	return strings.Join(parts, " ")
}

// defaultRateShare is an SLO on rate without bounds: the planned rate, less
// the 1% a window may fall under it before it is flagged short.
const defaultRateShare = "99%"

// threshold parses an SLO bound in its metric's unit; a rate bound written
// as a percentage is a share of the planned rate.
func (v *validator) threshold(t *Threshold, m model.MetricInfo, path string) bool {
	if t == nil {
		return true
	}
	num, share := strings.CutSuffix(strings.TrimSpace(t.Text), "%")
	if t.OfPlan = m.Unit == model.PerSecond && share; t.OfPlan {
		f, err := parseNumber(num) // a share of the planned rate: may exceed 100%
		if err != nil || f < 0 {
			v.report(path, "invalid percentage %q of the planned rate for metric %s", t.Text, m.Name)
			return false
		}
		t.Value = f / 100
		return true
	}
	x, err := parseThreshold(t.Text, m.Unit)
	if err != nil {
		v.report(path, "%s for metric %s", err.Error(), m.Name)
		return false
	}
	t.Value = x
	return true
}

// parseThreshold parses text in unit: a ratio as a number from 0 to 1 or a
// percentage, seconds as a duration or a number of seconds, anything else as
// a number. None may be negative.
func parseThreshold(text string, unit model.Unit) (float64, error) {
	t := strings.TrimSpace(text)
	switch unit {
	case model.Ratio:
		if num, ok := strings.CutSuffix(t, "%"); ok {
			f, err := parseNumber(num)
			if err != nil || f < 0 || f > 100 {
				return 0, fmt.Errorf("invalid percentage %q (want 0%% to 100%%)", text)
			}
			return f / 100, nil
		}
		f, err := parseNumber(t)
		if err != nil || f < 0 || f > 1 {
			return 0, fmt.Errorf("invalid ratio %q (want a number from 0 to 1, or a percentage like \"95%%\")", text)
		}
		return f, nil
	case model.Seconds:
		if d, err := time.ParseDuration(t); err == nil {
			if d < 0 {
				return 0, fmt.Errorf("negative duration %q", text)
			}
			return d.Seconds(), nil
		}
		f, err := parseNumber(t)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("invalid duration %q (want e.g. \"300ms\", or a number of seconds)", text)
		}
		return f, nil
	default:
		f, err := parseNumber(t)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("invalid number %q (want a number, 0 or more)", text)
		}
		return f, nil
	}
}

// parseNumber parses a finite decimal number.
func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a finite number: %q", s)
	}
	return f, nil
}
