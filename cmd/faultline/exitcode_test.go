package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/testbeds"
)

// brokenTestbed can inject every fault but deploys nothing.
type brokenTestbed struct{}

func (brokenTestbed) Name() string { return "broken" }
func (brokenTestbed) Deploy(context.Context, testbeds.Variant) (testbeds.Deployment, error) {
	return nil, errors.New("no room for the topology")
}

// TestRunThatCannotFinishExits3 pins that a run that could not finish (here
// every deploy fails) exits 3, not 1: CI must tell a broken run from a
// resilience regression.
func TestRunThatCannotFinishExits3(t *testing.T) {
	s, err := scenarios.Resolve("circuit-breaker", catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	cmd := &cobra.Command{}
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetContext(context.Background())
	err = runAll(cmd, []*scenarios.Scenario{s}, t.TempDir(), scenarios.Options{Testbed: brokenTestbed{}, Scale: 0.1})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitRunFailed {
		t.Fatalf("runAll = %v, want exit %d\nstdout: %s\nstderr: %s", err, exitRunFailed, &stdout, &stderr)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("no room for the topology")) {
		t.Errorf("stderr %q does not say why", &stderr)
	}
}
