package faultlinetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/local"
)

// Option changes how a scenario runs.
type Option func(*config)

type config struct {
	scale   float64
	testbed testbeds.Testbed
	dir     string
	seed    *int64
	edits   []func(*scenarios.Scenario)
}

// Scale multiplies every load and fault duration by f (see
// scenarios.Scenario.Scaled); pattern settings stay as they are.
func Scale(f float64) Option { return func(c *config) { c.scale = f } }

// Testbed runs the scenario on tb instead of the local testbed.
func Testbed(tb testbeds.Testbed) Option { return func(c *config) { c.testbed = tb } }

// Dir writes the report into dir instead of a temporary directory.
func Dir(dir string) Option { return func(c *config) { c.dir = dir } }

// Seed overrides the scenario's seed.
func Seed(n int64) Option { return func(c *config) { c.seed = &n } }

// Edit changes the scenario after it is read and before it runs: keep some
// variants, tighten an SLO, shorten the window.
func Edit(f func(*scenarios.Scenario)) Option {
	return func(c *config) { c.edits = append(c.edits, f) }
}

// Error is a run that did not pass; its message is the verdict and the
// SLO table.
type Error struct {
	Run   *model.Run
	Table string // the SLO table (reports.WriteSLOTable)
}

func (e *Error) Error() string {
	head := fmt.Sprintf("scenario %s did not pass", e.Run.Scenario)
	if why := e.Run.PartialReason(); why != "" {
		head += " (partial: " + why + ")"
	}
	return head + ":\n" + e.Table
}

// Check runs the scenario ref (a built-in name or a file path) and returns
// the run, with an *Error when it did not pass; another error when it
// could not be read or run (the run, when there is one, is still
// returned). Without Dir, the report goes to a new temporary directory
// that is left in place.
func Check(ctx context.Context, ref string, opts ...Option) (*model.Run, error) {
	c := config{testbed: local.New()}
	for _, o := range opts {
		o(&c)
	}
	s, err := scenarios.Resolve(ref, catalog.All())
	if err != nil {
		return nil, err
	}
	for _, e := range c.edits {
		e(s)
	}
	if c.dir == "" {
		if c.dir, err = os.MkdirTemp("", "faultline-"+s.Name+"-"); err != nil {
			return nil, fmt.Errorf("report directory: %w", err)
		}
	}
	run, err := scenarios.Run(ctx, s, scenarios.Options{
		Testbed: c.testbed, Dir: c.dir, Scale: c.scale, Seed: c.seed,
	})
	if err != nil || run == nil {
		return run, err
	}
	if model.Verdict(run) {
		return run, nil
	}
	var table bytes.Buffer
	if err := reports.WriteSLOTable(&table, run); err != nil {
		return run, err
	}
	return run, &Error{Run: run, Table: table.String()}
}

// Run is Check within a test: the report goes to t's temporary directory
// (unless Dir), the run stops when the test's context ends, a run that did
// not pass fails t with the SLO table (t.Error: the run is still returned
// for more assertions), and one that could not run stops t (t.Fatal).
func Run(t testing.TB, ref string, opts ...Option) *model.Run {
	t.Helper()
	dir := t.TempDir()
	c := config{dir: dir}
	for _, o := range opts {
		o(&c)
	}
	run, err := Check(t.Context(), ref, append([]Option{Dir(dir)}, opts...)...)
	if run != nil {
		t.Logf("scenario %s: report in %s", ref, c.dir)
	}
	var failed *Error
	switch {
	case errors.As(err, &failed):
		t.Error(failed.Error())
	case err != nil:
		t.Fatalf("run scenario %s: %v", ref, err)
		return nil
	}
	return run
}

// Variant returns the run's variant called name, or stops t.
func Variant(t testing.TB, run *model.Run, name string) *model.Variant {
	t.Helper()
	for _, v := range run.Variants {
		if v != nil && v.Name == name {
			return v
		}
	}
	t.Fatalf("run of %s has no variant %q", run.Scenario, name)
	return nil
}
