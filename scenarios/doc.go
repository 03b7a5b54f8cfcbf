// Package scenarios reads, validates and runs faultline scenarios: YAML files
// that name a pattern, the variants of its configuration to compare, the
// client's load, the faults to inject on a timeline and the SLOs each variant
// must meet.
//
// ReadFile and Parse report every problem in a file at once, each with its
// position and the dotted path of the offending field
// ("file:line:col: load.targets[0].path: message"); Run deploys each variant
// on a testbed, drives its load while the faults and the metrics sampler run,
// and writes the report.
//
// Reading a file is parse.go (size check, YAML parse) and decode.go (a
// strict walk of the YAML tree onto the types of spec.go); validating it is
// validate.go (top-level fields, variants and defaults) with
// validate_load.go, validate_faults.go, validate_slo.go and sweep.go for
// their sections; problems are errors.go. Running is run.go, with
// observe.go for what watches a variant while its load runs (the fault
// timeline, the sampler, and the display of progress.go).
//
// It must not import cmd.
package scenarios
