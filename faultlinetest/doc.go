// Package faultlinetest gates resilience in `go test`: Run runs a built-in
// or file scenario (optionally scaled) on a testbed, fails the test with
// the SLO table when the run does not pass (an SLO violated, a baseline
// that met every SLO it was expected to violate, a partial run), and hands
// back the run so the test can assert more on it:
//
//	func TestAmbassador(t *testing.T) {
//		run := faultlinetest.Run(t, "ambassador", faultlinetest.Scale(0.5))
//		v := faultlinetest.Variant(t, run, "budgeted")
//		got, _ := v.Measure(model.Query{Metric: "p99", Phase: "during"})
//		...
//	}
//
// The report directory (report.html, summary.json, junit.xml) is the
// test's temporary directory unless Dir names one; the test's log says
// where it is. Check is the same without a testing.TB.
//
// It must not import cmd.
package faultlinetest
