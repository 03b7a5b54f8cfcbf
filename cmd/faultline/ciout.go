package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/reports"
)

// The CI-facing outputs of a run: the step summary, the suite index.

// appendStepSummary appends the run's summary.md to the file named by
// GITHUB_STEP_SUMMARY, when it is set (GitHub Actions shows it on the
// job's page).
func appendStepSummary(dir string) error {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	md, err := os.ReadFile(filepath.Join(dir, reports.SummaryMarkdown))
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	_, err = f.Write(append(md, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	return nil
}

// writeIndex writes the suite index beside the report directories of a
// run of several scenarios and prints its path, last.
func writeIndex(cmd *cobra.Command, out string, suite []reports.IndexEntry) {
	if len(suite) < 2 {
		return
	}
	if err := reports.WriteIndex(out, suite); err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "faultline:", err)
		return
	}
	fmt.Fprintf(cmd.OutOrStdout(), "index: %s\n", filepath.Join(out, reports.IndexFile))
}
