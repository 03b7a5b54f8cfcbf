package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/faultline/faultline/reports/model"
)

// WriteSLOTable writes the run's SLO results as a plain-text table, a row
// per SLO per variant, as report.html shows them: variant, SLO, scope,
// threshold, actual and result (pass, FAIL, or violated as expected).
func WriteSLOTable(w io.Writer, r *model.Run) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tSLO\tscope\tthreshold\tactual\tresult")
	for _, v := range r.Variants {
		if v == nil {
			continue
		}
		for _, s := range sloRows(v) {
			fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\t%s\n", s.Variant, s.Name, s.Metric, s.Scope, s.Want, s.Got, s.Result)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write SLO table: %w", err)
	}
	return nil
}
