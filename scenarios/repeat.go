package scenarios

import (
	"context"
	"fmt"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
)

// MaxRepeat bounds --repeat: each repetition is a full run of the variant.
const MaxRepeat = 20

// runRepeated runs variant v o.Repeat times, one after the other on a
// fresh topology each, with the same seed, so the runs differ only by the
// machine's noise. The first run is the report's variant; the others are
// its Repeats, from which every headline number gets its spread. It stops
// at the first run that fails or is interrupted.
func runRepeated(ctx context.Context, s *Scenario, v Variant, seed int64, o Options, run *model.Run) (*model.Variant, error) {
	rv, err := runVariant(ctx, s, v, seed, o, run, 1)
	for i := 2; i <= o.Repeat && err == nil && ctx.Err() == nil; i++ {
		var rep *model.Variant
		rep, err = runVariant(ctx, s, v, seed, o, run, i)
		if rep != nil {
			rv.Repeats = append(rv.Repeats, rep)
		}
		if err != nil {
			err = fmt.Errorf("repeat %d: %w", i, err)
		}
	}
	return rv, err
}

// compareBaseline sets the run against o.Baseline, when there is one:
// run.Against holds the comparison (the report's "Against baseline"
// section) and compare.html the curves of both runs overlaid.
func compareBaseline(o Options, run *model.Run) error {
	if o.Baseline == nil {
		return nil
	}
	c, err := model.Compare(o.Baseline, run)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	run.Against = c
	return reports.WriteComparison(o.Dir, c, o.Baseline, run)
}
