package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/local"
)

func newRunCmd() *cobra.Command {
	var (
		testbed  string
		out      string
		seed     int64
		scale    float64
		repeat   int
		baseline string
	)
	cmd := &cobra.Command{
		Use:   "run [SCENARIO...]",
		Short: "Run scenarios (files or built-in names; all built-in ones by default) and write their reports",
		Example: `  faultline run                       # every built-in scenario, local testbed
  faultline run circuit-breaker --scale 0.3
  faultline run ./my-scenario.yaml --out /tmp/reports`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = scenarios.Builtin()
			}
			if scale <= 0 || scale > 10 {
				return usageErr(fmt.Errorf("--scale must be in (0, 10], got %g", scale))
			}
			tb, err := newTestbed(cmd.Context(), testbed)
			if err != nil {
				return usageErr(err)
			}
			list, err := resolveAll(args, tb)
			if err != nil {
				return usageErr(err)
			}
			if repeat < 1 || repeat > scenarios.MaxRepeat {
				return usageErr(fmt.Errorf("--repeat must be in [1, %d], got %d", scenarios.MaxRepeat, repeat))
			}
			opts := scenarios.Options{Testbed: tb, Scale: scale, Progress: cmd.ErrOrStderr(), Repeat: repeat}
			if cmd.Flags().Changed("seed") {
				opts.Seed = &seed
			}
			if baseline != "" {
				if opts.Baseline, err = baselineFor(baseline, list); err != nil {
					return usageErr(err)
				}
			}
			return runAll(cmd, list, out, opts)
		},
	}
	cmd.Flags().StringVar(&testbed, "testbed", "local", "where topologies run: local (in-process, no Docker) or docker (a container per service; needs Docker and a static binary)")
	cmd.Flags().StringVar(&out, "out", "out", "directory under which each run gets its own report directory")
	cmd.Flags().Int64Var(&seed, "seed", 0, "override the scenario's seed")
	cmd.Flags().Float64Var(&scale, "scale", 1, "multiply every load and fault duration by this (0.3 for a quick run)")
	cmd.Flags().IntVar(&repeat, "repeat", 1, "run each variant this many times; headline numbers get their spread (median, min–max)")
	cmd.Flags().StringVar(&baseline, "baseline", "", "a stored run (directory or summary.json) of the same scenario to compare with; a number worse beyond tolerance fails the run")
	return cmd
}

// resolveAll finds every scenario named in refs and checks the testbed can
// inject its faults, returning every problem at once.
func resolveAll(refs []string, tb testbeds.Testbed) ([]*scenarios.Scenario, error) {
	var list []*scenarios.Scenario
	var problems []error
	for _, ref := range refs {
		s, err := scenarios.Resolve(ref, catalog.All())
		if err != nil {
			problems = append(problems, err)
			continue
		}
		list = append(list, s)
	}
	for _, s := range list {
		if err := scenarios.CheckTestbed(s, tb); err != nil {
			problems = append(problems, err)
		}
	}
	return list, errors.Join(problems...)
}

// runAll runs the scenarios one after the other, each into its own
// directory under out, and prints each verdict and report path. A scenario
// that could not finish fails the gate but the others still run; an
// interrupt stops at once.
func runAll(cmd *cobra.Command, list []*scenarios.Scenario, out string, opts scenarios.Options) error {
	winding.Store(true) // from here an interrupt reverts, tears down and flushes
	defer winding.Store(false)
	code := exitOK
	var suite []reports.IndexEntry
	defer func() { writeIndex(cmd, out, suite) }()
	for _, s := range list {
		dir := filepath.Join(out, s.Name+"-"+time.Now().Format("20060102-150405"))
		opts.Dir = dir
		run, err := scenarios.Run(cmd.Context(), s, opts)
		if run != nil {
			suite = append(suite, reports.IndexEntry{Dir: dir, Run: run})
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", s.Name, verdictLine(run))
			printReport(cmd, dir)
			if err := appendStepSummary(dir); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "faultline:", err)
			}
		}
		switch {
		case cmd.Context().Err() != nil:
			return &exitError{exitInterrupted, errors.New("interrupted: partial results flushed, report marked partial")}
		case err != nil:
			// The run could not finish (a deploy, a revert or a write
			// failed): its report is partial and the run exits 3 (not a
			// verdict on the pattern), but the other scenarios still run.
			fmt.Fprintf(cmd.ErrOrStderr(), "faultline: %s: %v\n", s.Name, err)
			code = exitRunFailed
		case !model.Verdict(run) && code == exitOK:
			code = exitSLOFailed
		}
		if run != nil && run.Against != nil {
			fmt.Fprintln(cmd.OutOrStdout(), reports.CompareLine(run.Against))
			fmt.Fprintf(cmd.OutOrStdout(), "comparison: %s\n", filepath.Join(dir, reports.CompareFile))
			if run.Against.Worse() && code == exitOK {
				code = exitSLOFailed
			}
		}
	}
	if code != exitOK {
		return &exitError{code, nil}
	}
	return nil
}

func newTestbed(ctx context.Context, name string) (testbeds.Testbed, error) {
	switch name {
	case "local":
		return local.New(), nil
	case "docker":
		return newDockerTestbed(ctx)
	default:
		return nil, fmt.Errorf("unknown testbed %q (known: local, docker)", name)
	}
}

// verdictLine summarises a run in one line per variant.
func verdictLine(run *model.Run) string {
	var parts []string
	for _, v := range run.Variants {
		failed := 0
		for _, r := range v.SLOs {
			if !r.Pass {
				failed++
			}
		}
		state := fmt.Sprintf("%d/%d SLOs met", len(v.SLOs)-failed, len(v.SLOs))
		if v.ExpectViolation {
			state += " (baseline, expected to violate)"
		} else if v.ReportOnly {
			state += " (ranked, not gated)"
		}
		parts = append(parts, v.Name+" "+state)
	}
	verdict := "PASS"
	if !model.Verdict(run) {
		verdict = "FAIL"
	}
	if run.Partial {
		verdict = "PARTIAL"
	}
	line := verdict + " — " + strings.Join(parts, "; ")
	if sw := run.Sweep; sw != nil && len(sw.Ranking) > 0 {
		var ranked []string
		for _, r := range sw.Ranking {
			ranked = append(ranked, fmt.Sprintf("%d. %s", r.Rank, r.Variant))
		}
		line += "\nsweep ranking (" + sw.RankBy.String() + "): " + strings.Join(ranked, ", ")
	}
	return line
}

func newValidateCmd() *cobra.Command {
	var testbed string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files and report every problem as file:line:col: field: message",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var tb testbeds.Testbed
			if testbed != "" {
				var err error
				if tb, err = checkTestbed(testbed); err != nil {
					return usageErr(err)
				}
			}
			bad := 0
			for _, file := range args {
				s, err := scenarios.ReadFile(file, catalog.All())
				if err == nil && tb != nil {
					err = scenarios.CheckTestbed(s, tb)
				}
				if err != nil {
					bad++
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", file)
			}
			if bad > 0 {
				return &exitError{exitUsage, nil}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&testbed, "testbed", "", "also check that the testbed (local or docker) can inject every fault")
	return cmd
}

func newListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios and the patterns they exercise",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "SCENARIO\tPATTERN\tDURATION\tDESCRIPTION")
			for _, name := range scenarios.Builtin() {
				s, err := scenarios.Resolve(name, catalog.All())
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Name, s.Pattern, s.Total()*time.Duration(len(s.Variants)), s.Description)
			}
			return w.Flush()
		},
	}
}

func newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report DIR",
		Short: "Re-render the report of a stored run from its summary.json (or, for a killed run, a partial one from its raw results)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := reports.Load(args[0])
			if errors.Is(err, fs.ErrNotExist) {
				// A killed run leaves raw results but no summary.
				run, err = scenarios.Rebuild(args[0])
			}
			if err != nil {
				return usageErr(err)
			}
			if err := reports.Write(args[0], run); err != nil {
				return &exitError{exitRunFailed, err}
			}
			fmt.Fprintln(cmd.OutOrStdout(), verdictLine(run))
			printReport(cmd, args[0])
			switch {
			case run.Partial:
				return &exitError{exitRunFailed, nil}
			case !model.Verdict(run):
				return &exitError{exitSLOFailed, nil}
			}
			return nil
		},
	}
}

// printReport prints where the run's report is, if it was written: a full
// disk may have left none.
func printReport(cmd *cobra.Command, dir string) {
	path := filepath.Join(dir, reports.HTMLFile)
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "report: not written (see the error)\n")
		return
	}
	fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", path)
}
