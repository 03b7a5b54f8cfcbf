package faultlinetest_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/faultline/faultline/faultlinetest"
)

// In a Go test, faultlinetest.Run(t, "ambassador", faultlinetest.Scale(0.25))
// does this and fails t with the SLO table when the run does not pass.
// Check is the same for code without a testing.TB: here the built-in
// ambassador scenario, its budgeted variant only, at a quarter of its
// length (5s) on the local testbed, the report in dir.
func ExampleCheck() {
	dir, _ := os.MkdirTemp("", "example-")
	defer os.RemoveAll(dir)
	run, err := faultlinetest.Check(context.Background(), "ambassador",
		faultlinetest.Scale(0.25), faultlinetest.Dir(dir), only("budgeted"))
	var failed *faultlinetest.Error
	if errors.As(err, &failed) {
		fmt.Println(failed.Table) // the SLO table, a row per SLO
	} else if err != nil {
		fmt.Println("could not run:", err)
		return
	}
	for _, v := range run.Variants {
		fmt.Printf("%s: %d SLOs evaluated\n", v.Name, len(v.SLOs))
	}
	// Output:
	// budgeted: 10 SLOs evaluated
}
