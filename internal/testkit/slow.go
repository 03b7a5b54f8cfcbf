package testkit

import "testing"

// Slow skips t under -short, saying why it is slow. `make test` runs every
// package twice: under the race detector with -short, then in full without
// it; a test that does heavy single-goroutine work (rendering every plot of
// a report, say), where the detector's 5-10x slowdown costs minutes and
// finds nothing, runs in the second pass only.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("slow (%s): runs without -short", why)
	}
}
