// Package reports turns a Run (the summary.json model) into headline numbers,
// SLO measurements, plots and a self-contained report directory:
// summary.json, report.html, junit.xml and the plots as PNG and SVG.
//
// Summarize computes each variant's before / during / after numbers around
// its faults, Variant.Measure and Variant.Check evaluate SLOs, Verdict says
// whether the run passed, Write renders a directory and Load reads one back.
//
// This package must not import any other package of faultline: it only knows
// the data model in model.go.
package reports
