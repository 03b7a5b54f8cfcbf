package reports

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/reports/model"
)

// warnings lists what the report must not stay silent about: results that
// fit no window, windows whose load fell short of the plan, latency that
// the generator's lag hid, and toxics faultline did not create.
func warnings(vs []*model.Variant) []string {
	var out []string
	for _, v := range vs {
		out = append(out, variantWarnings(v)...)
	}
	return out
}

func variantWarnings(v *model.Variant) []string {
	var out []string
	if v.Late.Count > 0 {
		out = append(out, fmt.Sprintf("%s: %d results arrived after their window had closed; they are counted in the whole-run totals, not in any window or phase.",
			v.Name, v.Late.Count))
	}
	if sf := v.Headline.Shortfalls; len(sf) > 0 {
		out = append(out, fmt.Sprintf("%s: the load fell more than 1%% under its planned rate in %d windows (%s); the generator could not keep up, so those windows measured less load than planned.",
			v.Name, len(sf), shortfallList(sf)))
	}
	if o := v.Headline.Overall; o.P99Sent > 0 {
		out = append(out, fmt.Sprintf("%s: requests left later than planned (the generator lagged): p99 is %s from the intended send time, %s from the actual send time (what `vegeta report` shows).",
			v.Name, formatDuration(o.P99), formatDuration(o.P99Sent)))
	}
	for _, f := range v.Foreign {
		out = append(out, fmt.Sprintf("%s: a toxic faultline did not create was on edge %s: %q (%s), seen at %s; the numbers include its effect. It was removed at teardown.",
			v.Name, f.Edge, f.Name, f.Type, formatDuration(f.At)))
	}
	return out
}

// shortfallList names up to five short windows: "12s (452 of 500)".
func shortfallList(sf []model.Shortfall) string {
	var parts []string
	for i, s := range sf {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(sf)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("at %s: %d of %.0f", formatDuration(s.Start), s.Achieved, s.Planned))
	}
	return strings.Join(parts, ", ")
}

// rateCell is a phase's achieved rate with its plan: "98/s of 100/s", and
// a warning sign when it fell short.
func rateCell(p model.Phase) string {
	s := phaseValue(p, "rate")
	if p.Requests == 0 || p.Planned == 0 {
		return s
	}
	s += " of " + formatNumber(p.Planned) + "/s"
	if p.Short {
		s += " ⚠ short"
	}
	return s
}

// sentNote gives the quantiles from the actual send time when they
// differ from the report's (from the intended send time).
func sentNote(p model.Phase) string {
	if p.P99Sent == 0 {
		return ""
	}
	return " (from the actual send: p50 " + formatDuration(p.P50Sent) + ", p99 " + formatDuration(p.P99Sent) + ")"
}
