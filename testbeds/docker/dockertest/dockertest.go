// Package dockertest gives tests a docker testbed. Without Docker they are
// skipped, unless FAULTLINE_REQUIRE_DOCKER=1 (CI sets it), when they fail:
// a missing Docker must not pass for a green run.
//
// The testbed's image needs a static faultline binary; Binary builds one
// (CGO_ENABLED=0) the first time a test asks, once per test binary. A
// package using it calls Main from its TestMain, which removes the binary
// when the tests are done.
//
// It is for tests only.
//
// It must not import scenarios, reports or cmd.
package dockertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/testbeds/docker"
)

// RequireEnv names the variable that turns a missing Docker into a failure.
const RequireEnv = "FAULTLINE_REQUIRE_DOCKER"

var (
	dir       string // where Binary builds; removed by Main
	availOnce sync.Once
	availErr  error
	binOnce   sync.Once
	bin       string
	binErr    error
)

// Main runs the package's tests, then removes the binary Binary built.
func Main(m *testing.M) {
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// Require skips the test when Docker cannot be reached, or fails it when
// FAULTLINE_REQUIRE_DOCKER=1.
func Require(t testing.TB) {
	t.Helper()
	availOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		availErr = docker.Available(ctx)
	})
	if availErr == nil {
		return
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("Docker is required (%s=1) but not reachable: %v", RequireEnv, availErr)
	}
	t.Skipf("Docker is not reachable, skipping (set %s=1 to make this a failure): %v", RequireEnv, availErr)
}

// Binary returns the path of a static faultline binary built from this
// module, building it the first time.
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		removeStale()
		if dir, binErr = os.MkdirTemp("", dirPrefix); binErr != nil {
			return
		}
		bin = filepath.Join(dir, "faultline")
		cmd := exec.Command("go", "build", "-o", bin, "github.com/faultline/faultline/cmd/faultline")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = &buildError{err: err, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("build a static faultline binary: %v", binErr)
	}
	return bin
}

// dirPrefix names the directories Binary builds in.
const dirPrefix = "faultline-dockertest-"

// removeStale removes what test binaries that were interrupted (and so
// never ran Main's clean-up) left, a day on.
func removeStale() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range old {
		if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			os.RemoveAll(d)
		}
	}
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// Testbed returns a docker testbed on a static binary of this module, or
// skips the test (see Require).
func Testbed(t testing.TB) *docker.Testbed {
	t.Helper()
	Require(t)
	tb, err := docker.New(context.Background(), docker.Options{Binary: Binary(t)})
	if err != nil {
		t.Fatal(err)
	}
	// Deployments close themselves; this catches what a failing test left.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if r, err := tb.RemoveAll(ctx); err != nil || len(r.Containers)+len(r.Networks) > 0 {
			t.Logf("removed %d containers and %d networks left behind (%v)", len(r.Containers), len(r.Networks), err)
		}
	})
	return tb
}
