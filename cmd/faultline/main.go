// Command faultline runs resilience scenarios against reference
// implementations of distributed-system patterns and reports, with plots and
// SLO verdicts, how each pattern contains the failures injected into it.
//
// Exit codes: 0 every SLO met, 1 an SLO failed, 2 bad usage or an invalid
// scenario, 3 a run could not finish (a deploy, a revert or a write failed:
// its report is marked partial), 130 interrupted (partial results are flushed and the report is marked
// partial; a second interrupt exits at once, after removing what it can of
// the run's containers).
//
// It is the top of the layout: it may import every layer, but no test
// helper.
//
// It must not import testbeds/docker/dockertest.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/reports"
)

// Exit codes.
const (
	exitOK          = 0
	exitSLOFailed   = 1
	exitUsage       = 2
	exitRunFailed   = 3 // a run could not finish: not a verdict on the pattern
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSignals(sigs, cancel, os.Stderr, os.Exit)
	os.Exit(run(ctx, os.Args[1:]))
}

// winding is set while a command has something to wind down on an
// interrupt (a run: faults to revert, a topology to tear down, a partial
// report to write). Otherwise the first interrupt exits at once.
var winding atomic.Bool

// onSignals handles interrupts: the first cancels the command and, unless
// it is winding down a run, exits at once; a second exits after removing
// what it can of a run's containers.
func onSignals(sigs <-chan os.Signal, cancel func(), stderr io.Writer, exit func(int)) {
	<-sigs
	cancel()
	if !winding.Load() {
		fmt.Fprintln(stderr, "faultline: interrupted")
		exit(exitInterrupted)
		return
	}
	fmt.Fprintln(stderr, "faultline: interrupted: stopping and cleaning up (interrupt again to exit at once)")
	<-sigs
	fmt.Fprintln(stderr, "faultline: interrupted again: removing what can be removed, then exiting")
	ctx, stop := context.WithTimeout(context.Background(), 15*time.Second)
	forceExit(ctx)
	reports.WaitWrites(ctx) // a report being written is kept whole: report.html too
	stop()
	exit(exitInterrupted)
}

// atExit holds what a second interrupt runs, best effort, before faultline
// exits without waiting for the run to wind down.
var (
	atExitMu sync.Mutex
	atExit   []func(context.Context)
)

// atForceExit registers f to run on a second interrupt.
func atForceExit(f func(context.Context)) {
	atExitMu.Lock()
	defer atExitMu.Unlock()
	atExit = append(atExit, f)
}

// forceExit runs what atForceExit registered, each at most once.
func forceExit(ctx context.Context) {
	atExitMu.Lock()
	fs := atExit
	atExit = nil
	atExitMu.Unlock()
	for _, f := range fs {
		f(ctx)
	}
}

func run(ctx context.Context, args []string) int {
	return runIO(ctx, args, os.Stdout, os.Stderr)
}

// runIO runs the command line args, writing to stdout and stderr, and
// returns the exit code.
func runIO(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != exitSLOFailed {
			fmt.Fprintln(stderr, "faultline:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors (unknown flag, wrong arguments) are usage errors.
	fmt.Fprintln(stderr, "faultline:", err)
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
	root.AddCommand(newRunCmd(), newValidateCmd(), newListCmd(), newReportCmd(), newCompareCmd())
	root.AddCommand(newCleanCmd(), newServeServiceCmd(), newServeToxiproxyCmd())
	root.AddCommand(newDescribeCmd(), newSchemaCmd())
	return root
}
