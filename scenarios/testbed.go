package scenarios

import (
	"errors"
	"fmt"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/testbeds"
)

// CheckTestbed reports every fault of s that tb cannot inject (a partition
// on the local testbed, say), naming the scenario file, the fault, its kind
// and the testbed. Parse cannot: it does not know where the scenario
// will run. It returns nil when tb can run s.
func CheckTestbed(s *Scenario, tb testbeds.Testbed) error {
	fc, ok := tb.(testbeds.FaultChecker)
	if !ok {
		return nil
	}
	var errs []error
	for i, f := range s.Faults {
		b := f.Base()
		if err := fc.CheckFault(b.Kind); err != nil {
			errs = append(errs, fmt.Errorf("%s: faults[%d] (%s): kind %s cannot run on the %s testbed: %w",
				s.File, i, b.Name, b.Kind, tb.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// takeTimings moves the testbed's own timings (an image build) into run.
func takeTimings(tb testbeds.Testbed, variant string, run *model.Run) {
	t, ok := tb.(testbeds.Timed)
	if !ok {
		return
	}
	for _, x := range t.TakeTimings() {
		run.Timings = append(run.Timings, model.Timing{Name: x.Name, Variant: variant, Duration: x.Duration})
	}
}
