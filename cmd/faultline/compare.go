package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
)

func newCompareCmd() *cobra.Command {
	var (
		out string
		all bool
	)
	cmd := &cobra.Command{
		Use:   "compare BASE NEW",
		Short: "Compare a run with a baseline run of the same scenario (run directories or their summary.json); exit 1 when a number got worse",
		Example: `  faultline compare out/circuit-breaker-20261201-101500 out/circuit-breaker-20261201-103000
  faultline compare base/summary.json new/summary.json --all --out /tmp/cmp`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			base, err := loadRun(args[0])
			if err != nil {
				return usageErr(err)
			}
			nw, err := loadRun(args[1])
			if err != nil {
				return usageErr(err)
			}
			c, err := model.Compare(base, nw)
			if err != nil {
				return usageErr(fmt.Errorf("%s vs %s: %w", args[0], args[1], err))
			}
			if out == "" {
				out = runDir(args[1])
			}
			if err := reports.WriteComparison(out, c, base, nw); err != nil {
				return err
			}
			if err := reports.WriteCompareText(cmd.OutOrStdout(), c, all); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "comparison: %s\n", filepath.Join(out, reports.CompareFile))
			if c.Worse() {
				return &exitError{exitSLOFailed, nil}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for compare.html and compare.json (default: NEW's run directory)")
	cmd.Flags().BoolVar(&all, "all", false, "print every number, not only those that changed")
	return cmd
}

// runDir is the run directory a compare argument names: itself, or the
// directory of its summary.json.
func runDir(path string) string {
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return filepath.Dir(path)
	}
	return path
}

// loadRun reads a stored run from a run directory or its summary.json.
func loadRun(path string) (*model.Run, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("no run at %s: %w", path, err)
	}
	if !fi.IsDir() {
		return reports.LoadFile(path)
	}
	return reports.Load(path)
}

// baselineFor loads the baseline run for --baseline, which compares one
// scenario: it must be the scenario being run.
func baselineFor(path string, list []*scenarios.Scenario) (*model.Run, error) {
	if len(list) != 1 {
		return nil, fmt.Errorf("--baseline compares one scenario, got %d", len(list))
	}
	base, err := loadRun(path)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	if base.Scenario != list[0].Name {
		return nil, fmt.Errorf("--baseline %s is a run of scenario %q, not %q", path, base.Scenario, list[0].Name)
	}
	return base, nil
}
