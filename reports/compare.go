package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/faultline/faultline/reports/model"
)

// CompareFile is the comparison page `faultline compare --out DIR` writes.
const CompareFile = "compare.html"

// WriteCompareText prints a comparison as a table, a row per number
// (changed rows only unless all), then a count per verdict.
func WriteCompareText(w io.Writer, c *model.Comparison, all bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIANT\tFAULT\tPHASE\tROUTE\tMETRIC\tBASE\tNEW\tDELTA\tVERDICT")
	for _, d := range c.Rows {
		if !all && d.Verdict == model.Same {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Variant, dash(d.Fault), dash(d.Phase), dash(d.Route),
			d.Metric, formatSpread(d.Base, d.Unit), formatSpread(d.New, d.Unit), formatDelta(d), verdictText(d))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range c.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	_, err := fmt.Fprintln(w, CompareLine(c))
	return err
}

// CompareLine is the one-line outcome of a comparison.
func CompareLine(c *model.Comparison) string {
	verdict := "SAME"
	switch {
	case c.Worse():
		verdict = "WORSE"
	case c.Counts[model.Better] > 0:
		verdict = "BETTER"
	}
	return fmt.Sprintf("%s against baseline: %d numbers compared, %d worse, %d better, %d changed (neither), %d same",
		verdict, len(c.Rows), c.Counts[model.Worse], c.Counts[model.Better], c.Counts[model.Changed], c.Counts[model.Same])
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatSpread prints a number, "median (min–max)" over several runs, or
// "never"/"n/a" when it was not measured.
func formatSpread(s *model.Spread, u model.Unit) string {
	if s == nil {
		return "n/a"
	}
	if s.Never == s.N {
		return "never (≥" + formatValue(s.Median, u) + ")"
	}
	v := formatValue(s.Median, u)
	if s.N > 1 {
		v += " (" + formatValue(s.Min, u) + "–" + formatValue(s.Max, u) + ")"
	}
	if s.Never > 0 {
		v += fmt.Sprintf(", never in %d of %d", s.Never, s.N)
	}
	return v
}

// formatDelta prints New − Base in the metric's unit, with a sign.
func formatDelta(d model.Delta) string {
	if d.Base == nil || d.New == nil {
		return ""
	}
	sign := "+"
	if d.Delta < 0 {
		sign = "-"
	}
	if d.Unit == model.Ratio {
		return sign + trimZeros(fmt.Sprintf("%.2f", math.Abs(d.Delta)*100)) + "pp"
	}
	return sign + formatValue(math.Abs(d.Delta), d.Unit)
}

// verdictText is the verdict, with the p-value when a rank test decided.
func verdictText(d model.Delta) string {
	if d.Test == "u-test" {
		return fmt.Sprintf("%s (p=%.3f)", d.Verdict, d.P)
	}
	return d.Verdict
}
