// Package reports renders a Run (package reports/model: the data a run
// produces and the numbers computed from it) into a self-contained report
// directory: summary.json, report.html, junit.xml and the plots as PNG and
// SVG.
//
// Write summarizes the run, then renders the directory; Load reads its
// summary.json back, so `faultline report` can render it again. Plots draws
// the figures (the client's latency and outcomes per window, the pattern's
// state, gauges and downstream load, and for a configuration sweep each
// headline number against the swept parameters); WriteHTML and WriteJUnit
// render the page and the CI results. A new chart is one more figure
// builder on plotData (plot.go), listed in Plots; the numbers it draws come
// from a model.View, so they are the ones Summarize reports.
//
// It must not import scenarios, patterns, faults, testbeds or cmd.
package reports
