// Command faultline runs resilience scenarios against reference
// implementations of distributed-system patterns and reports, with plots and
// SLO verdicts, how each pattern contains the failures injected into it.
//
// Exit codes: 0 every SLO met, 1 an SLO failed, 2 bad usage or an invalid
// scenario, 130 interrupted (partial results are flushed and the report is
// marked partial).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK          = 0
	exitSLOFailed   = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{exitUsage, err} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	root := newRoot()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != exitSLOFailed {
			fmt.Fprintln(os.Stderr, "faultline:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors (unknown flag, wrong arguments) are usage errors.
	fmt.Fprintln(os.Stderr, "faultline:", err)
	return exitUsage
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "faultline",
		Short: "Measure how resilience patterns contain failures",
		Long: `faultline runs scripted scenarios against reference implementations of
distributed-system patterns. Every network edge runs behind Toxiproxy;
faults are injected on a timeline while Vegeta drives load; the report
plots how each pattern contains the cascade its naive baseline suffers.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newValidateCmd(), newListCmd(), newReportCmd())
	return root
}
