// Package reports turns a Run (the summary.json model) into headline numbers,
// SLO measurements, plots and a self-contained report directory:
// summary.json, report.html, junit.xml and the plots as PNG and SVG.
//
// Summarize computes each variant's before / during / after numbers around
// its faults, Variant.Measure and Variant.Check evaluate SLOs, Verdict says
// whether the run passed, Write renders a directory and Load reads one back.
// For a configuration sweep (Run.Sweep), Summarize also ranks the swept
// variants and the report charts each headline number against the swept
// parameters.
//
// This package must not import any other package of faultline: it only knows
// the data model in model.go.
package reports
