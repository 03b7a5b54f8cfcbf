package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// sloScope describes where an SLO applies: "all routes, during fault F".
func sloScope(s model.SLOResult) string {
	route := "all routes"
	if s.Route != "" {
		route = "route " + s.Route
	}
	phase := s.Phase
	if phase == "" {
		phase = "overall"
	}
	switch s.Metric {
	case "time_to_fail_fast", "time_to_recover":
		phase = ""
	}
	switch {
	case s.Fault != "" && phase != "" && phase != "overall":
		phase += " fault " + s.Fault
	case s.Fault != "":
		phase = "fault " + s.Fault
	case phase != "" && phase != "overall":
		phase += " faults"
	}
	if phase == "" {
		return route
	}
	return route + ", " + phase
}

// sloWant is the SLO's requirement: ">= 95%".
func sloWant(s model.SLOResult) string {
	return s.Op + " " + formatValue(s.Threshold, model.Unit(s.Unit)) + ofPlan(s)
}

// ofPlan names what a rate share is of.
func ofPlan(s model.SLOResult) string {
	if s.OfPlan {
		return " of plan"
	}
	return ""
}

// sloGot is the SLO's measured value, "n/a" when missing.
func sloGot(s model.SLOResult) string {
	if s.Missing {
		return "n/a"
	}
	return formatValue(s.Actual, model.Unit(s.Unit)) + ofPlan(s)
}

// formatValue prints a value in its unit: 97.5%, 312ms, 120/s, 1.85.
func formatValue(x float64, u model.Unit) string {
	switch u {
	case model.Ratio:
		return formatPercent(x)
	case model.Seconds:
		return formatSeconds(x)
	case model.PerSecond:
		return formatNumber(x) + "/s"
	case model.Bytes:
		return formatNumber(x) + " B"
	default:
		return formatNumber(x)
	}
}

func formatPercent(x float64) string {
	p := x * 100
	switch {
	case p == math.Trunc(p):
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	case p > 99 && p < 100:
		return trimZeros(strconv.FormatFloat(p, 'f', 2, 64)) + "%"
	default:
		return trimZeros(strconv.FormatFloat(p, 'f', 1, 64)) + "%"
	}
}

// formatSeconds prints seconds with three significant digits, in ms below 1s.
func formatSeconds(s float64) string {
	switch {
	case s == 0:
		return "0s"
	case math.Abs(s) < 1:
		return formatNumber(s*1000) + "ms"
	default:
		return formatNumber(s) + "s"
	}
}

func formatDuration(d time.Duration) string { return formatSeconds(d.Seconds()) }

// formatNumber prints three significant digits, without exponent for usual
// magnitudes.
func formatNumber(x float64) string {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	mag := int(math.Floor(math.Log10(math.Abs(x))))
	prec := max(0, 2-mag)
	return trimZeros(strconv.FormatFloat(x, 'f', prec, 64))
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// sloName is the SLO's name, or a description of it when unnamed.
func sloName(s model.SLOResult) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("%s %s (%s)", s.Metric, sloWant(s), sloScope(s))
}
