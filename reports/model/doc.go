// Package model is the data a run produces and what is computed from it,
// without any rendering: the Run that summary.json holds, its variants'
// windows, latency histograms, sampled series, fault events and timings,
// the metrics an SLO can name (Metrics, LookupMetric), and the analysis
// over them: Summarize fills each variant's before / during / after
// headline numbers around its faults and ranks a sweep's configurations,
// Variant.Measure and Variant.Check evaluate SLOs, Variant.Counter totals
// a sampled counter, Verdict says whether the run passed, and View lays a
// variant's windows out on its time axis for those who draw it.
//
// Package reports renders a Run (plots, HTML, JUnit) and writes and reads
// the report directory; whatever only needs the data, such as the traffic
// driver and the metrics sampler, imports this package instead and does
// not link the plotting library.
//
// It must not import reports, scenarios, patterns, faults, testbeds, cmd or gonum.org/v1/plot.
package model
