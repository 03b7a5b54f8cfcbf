package scenarios

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/scenarios/traffic"
)

// DefaultSeed is a scenario's seed when it sets none. The load's defaults
// (window, timeout, workers, connections) are the traffic package's.
const DefaultSeed = 1

// Limits the validator applies.
const (
	// MaxWorkers and MaxConnections bound the client: the harness runs on
	// two cores.
	MaxWorkers     = 10000
	MaxConnections = 10000
	// MaxRate is the highest request rate (per second, at the peak) the
	// harness can drive on two cores.
	MaxRate = 5000
	// MaxLoadDuration bounds a scenario's load, so durations never overflow.
	MaxLoadDuration = 24 * time.Hour
	// MaxTimeout bounds the client's per-request timeout: windows stay open
	// that long for late results, so it sizes the aggregator's memory.
	MaxTimeout = 5 * time.Minute
	// MinWindow and MaxWindows bound the aggregation window: each window is
	// a row of histograms in memory and in summary.json.
	MinWindow  = 10 * time.Millisecond
	MaxWindows = 100_000
)

// MaxNameLen bounds scenario and variant names: they name directories and
// files, which may not exceed 255 bytes with a timestamp appended.
const MaxNameLen = 100

// scenarioName is what a scenario's name may look like: it names the
// report's directory.
var scenarioName = regexp.MustCompile(`^[a-z0-9-]+$`)

// variantName is what a variant's name may look like: it ends up in file
// names (results-NAME.bin).
var variantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validate checks a decoded scenario, section by section, and applies its
// defaults. Problems go to d.
func validate(d *specDecoder, raw *rawScenario, cat patterns.Catalog) *Scenario {
	v := &validator{specDecoder: d, s: &raw.Scenario}
	v.s.File = d.file
	v.top(cat)
	v.load()
	v.variants(raw.Variants)
	v.faults(raw.Faults)
	v.actions(raw.Actions)
	v.sweep(raw.Sweep, raw.Variants)
	v.slos()
	v.compare()
	v.steadyAndAbort()
	return v.s
}

// validator checks a decoded scenario and applies its defaults.
type validator struct {
	*specDecoder
	s          *Scenario
	total      time.Duration // the load's duration; 0 when unknown
	faultCount int           // faults written in the file
	faultNames []string      // their names, undecodable ones included
	burstNames []string      // the load's bursts' names
}

// fieldErrors reports the problems a Validate method returned for the
// value at base, each a field error (internal/field) with a path below
// base. Each is reported at the field when the file sets it, else at the
// only field the file sets below base whose path ends the same way (the
// fields of an inline struct sit there), else at base as "path: message".
// An error that is not a field error has no path: it is reported at base
// as it reads.
func (v *validator) fieldErrors(base string, err error) {
	for _, e := range field.All(err) {
		if e.Path == "" {
			v.report(base, "%s", e.Msg)
			continue
		}
		if v.bad[field.Join(base, e.Path)] {
			continue // already reported, by the decoder or the validator
		}
		if path, ok := v.written(base, e.Path); ok {
			v.report(path, "%s", e.Msg)
			continue
		}
		v.report(base, "%s", e.Error())
	}
}

// written returns the path the file sets for the field at rel below base:
// base.rel itself, or else the only written path below base that ends in
// rel.
func (v *validator) written(base, rel string) (string, bool) {
	if path := field.Join(base, rel); v.has(path) {
		return path, true
	}
	var found []string
	for p := range v.pos {
		if strings.HasPrefix(p, base+".") && strings.HasSuffix(p, "."+rel) {
			found = append(found, p)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// top checks the top-level fields (name, pattern, seed, window) and
// resolves the pattern.
func (v *validator) top(cat patterns.Catalog) {
	s := v.s
	switch {
	case !v.has("name") || s.Name == "":
		v.report("name", "missing name (lower-case letters, digits and dashes)")
	case len(s.Name) > MaxNameLen:
		v.report("name", "is %d characters long: at most %d (it names the run's directory)", len(s.Name), MaxNameLen)
	case !scenarioName.MatchString(s.Name):
		v.report("name", "%q may only hold lower-case letters, digits and dashes", s.Name)
	}
	if s.Pattern == "" {
		names := make([]string, len(cat))
		for i, p := range cat {
			names[i] = p.Name()
		}
		v.report("pattern", "missing pattern (known: %s)", strings.Join(names, ", "))
	} else if p, err := cat.Lookup(s.Pattern); err != nil {
		v.report("pattern", "%s", err.Error())
	} else {
		s.Impl = p
	}
	if !v.has("seed") {
		s.Seed = DefaultSeed
	}
	switch {
	case !v.has("window"):
		s.Window = traffic.DefaultWindow
	case s.Window <= 0:
		v.report("window", "negative or zero window %s", s.Window)
	case s.Window < MinWindow:
		v.report("window", "window %s is below %s: too few requests per window to measure", s.Window, MinWindow)
	}
}

// positive reports a missing, negative or zero duration at path.
func (v *validator) positive(path string, d time.Duration, example string) bool {
	if !v.has(path) {
		v.report(path, "missing duration (like %q)", example)
		return false
	}
	if d <= 0 {
		v.report(path, "negative or zero duration %s", d)
		return false
	}
	if d > MaxLoadDuration {
		v.report(path, "duration %s is longer than %s", d, MaxLoadDuration)
		return false
	}
	return true
}

// variants checks the listed variants and decodes each one's configuration.
func (v *validator) variants(raw []rawVariant) {
	s := v.s
	if len(raw) == 0 {
		if !v.has("sweep") {
			v.report("variants", "at least one variant is required (or a sweep)")
		}
		return
	}
	seen := make(map[string]string)
	s.Variants = make([]Variant, len(raw))
	for i, rv := range raw {
		p := indexPath("variants", i)
		vr := rv.Variant
		switch {
		case vr.Name == "":
			v.report(p+".name", "missing name")
		case len(vr.Name) > MaxNameLen:
			v.report(p+".name", "is %d characters long: at most %d (it names result files)", len(vr.Name), MaxNameLen)
		case !variantName.MatchString(vr.Name):
			v.report(p+".name", "%q may only hold letters, digits, '_', '.' and '-' (it names result files)", vr.Name)
		case seen[vr.Name] != "":
			v.report(p+".name", "duplicate variant name %q (also %s)", vr.Name, seen[vr.Name])
		default:
			seen[vr.Name] = p
		}
		switch {
		case !v.has(p + ".expect"):
			vr.Expect = "pass"
		case vr.Expect != "pass" && vr.Expect != "violate":
			v.report(p+".expect", "must be pass or violate, got %q", vr.Expect)
		}
		if s.Impl != nil {
			vr.Config = v.config(s.Impl, vr.Baseline, rv.Config, p)
		}
		s.Variants[i] = vr
	}
}

// config decodes a variant's overrides onto the pattern's default (or
// baseline) configuration and validates the result.
func (v *validator) config(pat patterns.Pattern, baseline bool, overrides ast.Node, variant string) any {
	var cfg any
	if baseline {
		cfg = pat.BaselineConfig()
	} else {
		cfg = pat.DefaultConfig()
	}
	path := field.Join(variant, "config")
	rv := reflect.ValueOf(cfg)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		v.report(path, "pattern %s has no configuration to decode onto (%T)", pat.Name(), cfg)
		return cfg
	}
	before := len(v.problems)
	if overrides != nil {
		v.decode(overrides, rv.Elem(), path)
	}
	if len(v.problems) == before {
		v.fieldErrors(path, pat.Validate(cfg))
	}
	return cfg
}

// listOrNone lists names once each, in order, or says "none".
func listOrNone(names []string) string {
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
