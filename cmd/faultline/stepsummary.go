package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultline/faultline/reports"
)

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
