// Package scenarios loads, validates and runs faultline scenarios: YAML files
// that name a pattern, the variants of its configuration to compare, the
// client's load, the faults to inject on a timeline and the SLOs each variant
// must meet.
//
// The loader reports every problem in a file at once, each with its
// position and the dotted path of the offending field
// ("file:line:col: load.targets[0].path: message").
//
// This package may import patterns, faults, reports and testbeds; none of
// them may import it.
package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/reports"
)

// Defaults and limits applied by the loader.
const (
	DefaultSeed        = 1
	DefaultWindow      = time.Second
	DefaultTimeout     = 2 * time.Second
	DefaultWorkers     = 64
	DefaultConnections = 64

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
	// MaxFileSize bounds a scenario file (they are a few KiB), which keeps
	// the YAML parser's time bounded on any input.
	MaxFileSize = 256 << 10
)

var scenarioName = regexp.MustCompile(`^[a-z0-9-]+$`)

// variantName is what a variant's name may look like: it ends up in file
// names (results-NAME.bin).
var variantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

var httpMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
}

// Phases an SLO can be evaluated over.
var phases = []string{"overall", "before", "during", "after"}

// ReadFile reads a scenario file and parses it with Parse.
func ReadFile(path string, cat patterns.Catalog) (*Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(path, src, cat)
}

// Parse decodes and validates a scenario. file names it in messages; cat
// resolves its pattern. Defaults are applied to everything left out.
//
// When the scenario has problems, Parse returns a nil scenario and an
// *Errors holding every problem found, sorted by position.
func Parse(file string, src []byte, cat patterns.Catalog) (*Scenario, error) {
	d := newSpecDecoder(file)
	if len(src) > MaxFileSize {
		d.addProblem(yamlPos{1, 1}, "", fmt.Sprintf("file is %d bytes, larger than the %d a scenario may have", len(src), MaxFileSize))
		return nil, &Errors{Problems: d.problems}
	}
	s := d.parse(src, cat)
	if len(d.problems) > 0 {
		sortProblems(d.problems)
		return nil, &Errors{Problems: d.problems}
	}
	return s, nil
}

// rawScenario is a scenario as written: variants keep their config
// overrides and faults their mapping, to be decoded once the pattern and
// each fault's kind are known.
type rawScenario struct {
	Scenario `yaml:",inline"`
	Variants []rawVariant `yaml:"variants"`
	Faults   []ast.Node   `yaml:"faults"`
	Sweep    *rawSweep    `yaml:"sweep"`
}

type rawVariant struct {
	Variant `yaml:",inline"`
	Config  ast.Node `yaml:"config"`
}

// parseYAML parses src, turning a panic in the parser into an error.
func parseYAML(src []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("cannot parse YAML: %v", r)
		}
	}()
	return parser.ParseBytes(src, 0)
}

func (d *specDecoder) parse(src []byte, cat patterns.Catalog) *Scenario {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	f, err := parseYAML(src)
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			p := yamlPos{1, 1}
			if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
				p = yamlPos{tk.Position.Line, tk.Position.Column}
			}
			d.addProblem(p, "", yerr.GetMessage())
		} else {
			d.addProblem(yamlPos{1, 1}, "", err.Error())
		}
		return nil
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && !isNilNode(doc.Body) && doc.Body.Type() != ast.NullType {
			docs = append(docs, doc.Body)
		}
	}
	if len(docs) == 0 {
		d.addProblem(yamlPos{1, 1}, "", "empty scenario file")
		return nil
	}
	if len(docs) > 1 {
		d.addProblem(nodePos(docs[1]), "", "more than one YAML document: a scenario file holds one")
	}
	root := docs[0]
	d.collectAnchors(root, 0)
	d.pos[""] = nodePos(root)

	r := d.resolve(root, "")
	if r == nil {
		return nil
	}
	if _, ok := mapPairs(r); !ok {
		d.problemAt(r, "", "want a mapping of scenario fields, got %s", describe(r))
		return nil
	}
	var raw rawScenario
	d.decode(r, reflect.ValueOf(&raw).Elem(), "")

	v := &validator{specDecoder: d, s: &raw.Scenario}
	v.s.File = d.file
	v.top(cat)
	v.load()
	v.variants(raw.Variants)
	v.faults(raw.Faults)
	v.sweep(raw.Sweep, raw.Variants)
	v.slos()
	return v.s
}

// validator checks a decoded scenario and applies its defaults.
type validator struct {
	*specDecoder
	s          *Scenario
	total      time.Duration // the load's duration; 0 when unknown
	faultCount int           // faults written in the file
	faultNames []string      // their names, undecodable ones included
}

// fieldError reports err from a Validate method at base. A message that
// starts with "field: " is reported at that field when the file sets it
// (directly under base, or as the only field of that name below it).
func (v *validator) fieldError(base string, err error) {
	msg := err.Error()
	if name, rest, ok := strings.Cut(msg, ": "); ok && name != "" && !strings.ContainsAny(name, " \t\"'") {
		path := joinPath(base, name)
		if v.bad[path] {
			return // already reported, by the loader's own checks
		}
		if v.has(path) {
			v.report(path, "%s", rest)
			return
		}
		var found []string
		for p := range v.pos {
			if strings.HasPrefix(p, base+".") && strings.HasSuffix(p, "."+name) {
				found = append(found, p)
			}
		}
		if len(found) == 1 {
			v.report(found[0], "%s", rest)
			return
		}
	}
	v.report(base, "%s", msg)
}

func (v *validator) top(cat patterns.Catalog) {
	s := v.s
	switch {
	case !v.has("name") || s.Name == "":
		v.report("name", "missing name (lower-case letters, digits and dashes)")
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
		s.Window = DefaultWindow
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

func (v *validator) load() {
	l := &v.s.Load
	if !v.has("load") {
		v.report("load", "missing load: give rate and duration, or stages, and targets")
		return
	}
	hasRate, hasDuration, hasStages := v.has("load.rate"), v.has("load.duration"), v.has("load.stages")
	peak, peakPath := 0.0, ""
	switch {
	case hasStages && (hasRate || hasDuration):
		v.report("load.stages", "give either rate and duration, or stages, not both")
	case hasStages:
		if len(l.Stages) == 0 {
			v.report("load.stages", "at least one stage is required")
		}
		ok := len(l.Stages) > 0
		var total time.Duration
		for i, st := range l.Stages {
			p := indexPath("load.stages", i)
			if v.positive(p+".duration", st.Duration, "30s") {
				total += st.Duration
			} else {
				ok = false
			}
			switch {
			case !v.has(p+".rate") && !st.Ramp:
				v.report(p+".rate", "missing rate (like \"100/s\")")
				ok = false
			case st.Rate.Freq <= 0 && !st.Ramp:
				v.report(p+".rate", "rate %s: a stage without ramp needs a rate above 0", st.Rate)
				ok = false
			}
			if r := st.Rate.PerSecond(); r > peak {
				peak, peakPath = r, p+".rate"
			}
		}
		if ok && total > MaxLoadDuration {
			v.report("load.stages", "stages last %s, longer than %s", total, MaxLoadDuration)
			ok = false
		}
		if ok {
			v.total = total
		}
	default:
		switch {
		case !hasRate:
			v.report("load.rate", "missing rate (like \"100/s\"), or give stages")
		case l.Rate.Freq <= 0:
			v.report("load.rate", "rate %s: must be above 0", l.Rate)
		default:
			peak, peakPath = l.Rate.PerSecond(), "load.rate"
		}
		if v.positive("load.duration", l.Duration, "60s") {
			v.total = l.Duration
		}
	}
	if peak > MaxRate {
		v.report(peakPath, "peak rate %s/s is above %d/s, the most the harness drives on 2 cores",
			strconv.FormatFloat(peak, 'f', -1, 64), MaxRate)
	}

	if !v.has("load.timeout") {
		l.Timeout = DefaultTimeout
	} else if l.Timeout <= 0 {
		v.report("load.timeout", "negative or zero timeout %s", l.Timeout)
	} else if l.Timeout > MaxTimeout {
		v.report("load.timeout", "timeout %s is above %s", l.Timeout, MaxTimeout)
	}
	if w := v.s.Window; w >= MinWindow && v.total > 0 && v.total/w > MaxWindows {
		v.report("window", "window %s cuts the %s load into %d windows, more than %d: use a longer window",
			w, v.total, v.total/w, MaxWindows)
	}
	// An open-model load needs a worker and a connection for every request
	// in flight: up to peak rate x timeout when the topology is slow. Fewer
	// would let a slow topology throttle the load (coordinated omission) and
	// hide the very cascade a scenario exists to show.
	need := uint64(math.Ceil(peak * l.Timeout.Seconds()))
	switch {
	case !v.has("load.workers"):
		l.Workers = min(max(DefaultWorkers, need), MaxWorkers)
	case l.Workers == 0:
		v.report("load.workers", "must be above 0, got 0")
	case l.Workers > MaxWorkers:
		v.report("load.workers", "%d workers is above the limit of %d (the harness runs on 2 cores)", l.Workers, MaxWorkers)
	case l.Workers < need && l.Timeout > 0:
		v.report("load.workers", "%d workers cannot keep %s/s going while requests take up to the %s timeout: need at least %d, or a slow topology throttles the load",
			l.Workers, strconv.FormatFloat(peak, 'f', -1, 64), l.Timeout, need)
	}
	switch {
	case !v.has("load.connections"):
		l.Connections = min(max(DefaultConnections, int(need)), MaxConnections)
	case l.Connections <= 0:
		v.report("load.connections", "must be above 0, got %d", l.Connections)
	case l.Connections > MaxConnections:
		v.report("load.connections", "%d connections is above the limit of %d (the harness runs on 2 cores)", l.Connections, MaxConnections)
	case l.Connections < int(need) && l.Timeout > 0:
		v.report("load.connections", "%d connections cannot keep %s/s going while requests take up to the %s timeout: need at least %d, or a slow topology throttles the load",
			l.Connections, strconv.FormatFloat(peak, 'f', -1, 64), l.Timeout, need)
	}
	v.targets()
}

func (v *validator) targets() {
	l := &v.s.Load
	if len(l.Targets) == 0 {
		v.report("load.targets", "at least one target is required")
		return
	}
	seen := make(map[string]string)
	routes := make(map[string]string) // "METHOD path" -> target path
	for i := range l.Targets {
		t := &l.Targets[i]
		p := indexPath("load.targets", i)
		switch {
		case t.Path == "":
			v.report(p+".path", "missing path (like \"/checkout\")")
		case !strings.HasPrefix(t.Path, "/"):
			v.report(p+".path", "path %q must start with \"/\"", t.Path)
		default:
			if _, err := url.ParseRequestURI(t.Path); err != nil || strings.ContainsAny(t.Path, " \t\r\n") {
				v.report(p+".path", "invalid path %q", t.Path)
			}
		}
		for _, name := range sortedHeaderNames(t.Headers) {
			if !validHeaderName(name) {
				v.report(p+".headers."+name, "invalid header name %q", name)
			} else if strings.ContainsAny(t.Headers[name], "\r\n\x00") {
				v.report(p+".headers."+name, "header value may not contain line breaks or NUL")
			}
		}
		if !v.has(p + ".method") {
			t.Method = http.MethodGet
		} else if m := strings.ToUpper(strings.TrimSpace(t.Method)); slices.Contains(httpMethods, m) {
			t.Method = m
		} else {
			v.report(p+".method", "unknown HTTP method %q (known: %s)", t.Method, strings.Join(httpMethods, ", "))
		}
		if !v.has(p + ".weight") {
			t.Weight = 1
		} else if t.Weight <= 0 {
			v.report(p+".weight", "must be above 0, got %d", t.Weight)
		}
		if !v.has(p + ".name") {
			t.Name = t.Method + " " + t.Path
		} else if t.Name == "" {
			v.report(p+".name", "empty name")
		}
		if other, dup := seen[t.Name]; dup && t.Name != "" {
			v.report(p+".name", "duplicate target name %q (also %s)", t.Name, other)
		} else {
			seen[t.Name] = p
		}
		// Results carry only method and URL: two routes on the same pair
		// could not be told apart.
		route := t.Method + " " + t.Path
		if other, dup := routes[route]; dup {
			v.report(p+".path", "%s is also %s: results could not be told apart; give them different paths", route, other)
		} else {
			routes[route] = p
		}
	}
}

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
	path := joinPath(variant, "config")
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
		for _, err := range leafErrors(pat.Validate(cfg)) {
			v.fieldError(path, err)
		}
	}
	return cfg
}

func (v *validator) faults(raw []ast.Node) {
	s := v.s
	v.faultCount = len(raw)
	seen := make(map[string]string)
	for i, n := range raw {
		p := indexPath("faults", i)
		if _, ok := mapPairs(n); !ok {
			v.problemAt(n, p, "want a mapping with kind, target, at and duration, got %s", describe(n))
			continue
		}
		// Remember the fault's name even if it cannot be decoded, so SLOs
		// that name it do not add problems of their own.
		if name, ok := scalarText(v.resolve(v.findKey(n, "name", 0), p+".name")); ok {
			v.faultNames = append(v.faultNames, name)
		}
		kn := v.findKey(n, "kind", 0)
		if kn == nil {
			v.report(p+".kind", "missing kind (known: %s)", strings.Join(faults.Kinds(), ", "))
			continue
		}
		kind, ok := scalarText(v.resolve(kn, p+".kind"))
		if !ok {
			v.problemAt(kn, p+".kind", "want a fault kind, got %s (known: %s)", describe(kn), strings.Join(faults.Kinds(), ", "))
			continue
		}
		f, err := faults.New(kind)
		if err != nil {
			v.problemAt(kn, p+".kind", "%s", err.Error())
			continue
		}
		before := len(v.problems)
		v.decode(n, reflect.ValueOf(f), p)
		c := f.Base()
		c.Kind = kind
		if !v.has(p + ".name") {
			c.Name = kind + "-" + strconv.Itoa(i)
			v.faultNames = append(v.faultNames, c.Name)
		}
		switch {
		case c.Name == "":
			v.report(p+".name", "empty name")
		case seen[c.Name] != "":
			v.report(p+".name", "duplicate fault name %q (also %s)", c.Name, seen[c.Name])
		default:
			seen[c.Name] = p
		}
		s.Faults = append(s.Faults, f)
		if len(v.problems) > before {
			continue
		}
		v.timing(f, p)
		v.target(f, p)
		if err := f.Validate(); err != nil {
			v.fieldError(p, err)
		}
	}
	v.exclusive()
}

// exclusiveKinds change a proxy's or a service's whole state, so two of
// them on one target must not overlap: the first revert would end both.
// (Toxics and HTTP rules are named per fault and stack.)
var exclusiveKinds = map[string]bool{"down": true, "kill": true, "restart": true, "pause": true, "partition": true}

// exclusive reports faults of exclusiveKinds that overlap on one target.
func (v *validator) exclusive() {
	for i, f := range v.s.Faults {
		a := f.Base()
		if !exclusiveKinds[a.Kind] {
			continue
		}
		for j, g := range v.s.Faults[:i] {
			b := g.Base()
			if !exclusiveKinds[b.Kind] || b.Target != a.Target {
				continue
			}
			// A restart is an instant: it overlaps a window it falls in.
			if a.At < b.At+max(b.Duration, 1) && b.At < a.At+max(a.Duration, 1) {
				v.report(indexPath("faults", i)+".at", "%s %s on %s overlaps %s (%s, %s to %s): the first to end would end both",
					a.Kind, a.Name, a.Target, b.Name, indexPath("faults", j), b.At, b.At+b.Duration)
			}
		}
	}
}

// timing checks a fault's at and duration against the load.
func (v *validator) timing(f faults.Fault, p string) {
	c := f.Base()
	ok := true
	if c.At < 0 {
		v.report(p+".at", "negative start %s", c.At)
		ok = false
	}
	if c.Kind == "restart" {
		if c.Duration != 0 {
			v.report(p+".duration", "a restart has no duration: it happens at once")
			ok = false
		}
	} else if !v.positive(p+".duration", c.Duration, "10s") {
		ok = false
	}
	if !ok || v.total <= 0 {
		return
	}
	switch {
	case c.At > v.total:
		v.report(p+".at", "fault starts at %s, after the load ends at %s", c.At, v.total)
	case c.Duration > v.total-c.At:
		v.report(p+".duration", "fault ends at %s, after the load ends at %s", c.At+c.Duration, v.total)
	}
}

// target checks a fault's target against the pattern's topology.
func (v *validator) target(f faults.Fault, p string) {
	pat := v.s.Impl
	if pat == nil {
		return
	}
	c := f.Base()
	topo := pat.Topology()
	path := p + ".target"
	switch f.On() {
	case faults.OnEdge:
		edges := make([]string, len(topo.Edges))
		for i, e := range topo.Edges {
			edges[i] = e.String()
		}
		known := fmt.Sprintf("pattern %s has edges %s", pat.Name(), strings.Join(edges, ", "))
		if c.Target == "" {
			v.report(path, "missing target edge (%s)", known)
			return
		}
		e, ok := patterns.ParseEdge(c.Target)
		if !ok || !topo.HasEdge(e) {
			v.report(path, "unknown edge %q (%s)", c.Target, known)
			return
		}
		c.Target = e.String()
	case faults.OnService:
		known := fmt.Sprintf("pattern %s has services %s", pat.Name(), strings.Join(topo.Services, ", "))
		if c.Target == "" {
			v.report(path, "missing target service (%s)", known)
			return
		}
		if !topo.HasService(c.Target) {
			v.report(path, "unknown service %q (%s)", c.Target, known)
		}
	}
}

func (v *validator) slos() {
	s := v.s
	var metrics, variants, routes []string
	for _, m := range reports.Metrics {
		metrics = append(metrics, m.Name)
	}
	for _, x := range s.Variants {
		variants = append(variants, x.Name)
	}
	for _, t := range s.Load.Targets {
		routes = append(routes, t.Name)
	}
	seen := make(map[string]string)
	for i := range s.SLOs {
		o := &s.SLOs[i]
		p := indexPath("slo", i)
		info, known := reports.LookupMetric(o.Metric)
		switch {
		case o.Metric == "":
			v.report(p+".metric", "missing metric (known: %s)", strings.Join(metrics, ", "))
		case !known:
			v.report(p+".metric", "unknown metric %q (known: %s)", o.Metric, strings.Join(metrics, ", "))
		}
		timeTo := o.Metric == "time_to_fail_fast" || o.Metric == "time_to_recover"
		switch {
		case !v.has(p + ".phase"):
			o.Phase = "overall"
			if o.Metric == "time_to_fail_fast" {
				o.Phase = "during"
			} else if o.Metric == "time_to_recover" {
				o.Phase = "after"
			}
		case !slices.Contains(phases, o.Phase):
			v.report(p+".phase", "unknown phase %q (known: %s)", o.Phase, strings.Join(phases, ", "))
		case timeTo && o.Phase != "during" && o.Phase != "after":
			v.report(p+".phase", "metric %s is measured from a fault: phase must be during or after, got %q", o.Metric, o.Phase)
		}
		if timeTo && v.faultCount == 0 {
			v.report(p+".metric", "metric %s needs a fault in the scenario", o.Metric)
		} else if v.faultCount == 0 && (o.Phase == "before" || o.Phase == "during" || o.Phase == "after") {
			v.report(p+".phase", "phase %s needs a fault in the scenario", o.Phase)
		}
		for j, name := range o.Variants {
			if !slices.Contains(variants, name) {
				v.report(indexPath(p+".variants", j), "unknown variant %q (variants: %s)", name, listOrNone(variants))
			}
		}
		switch {
		case o.Route != "" && !slices.Contains(routes, o.Route):
			v.report(p+".route", "unknown route %q (routes: %s)", o.Route, listOrNone(routes))
		case o.Route != "" && o.Metric == "amplification" && len(routes) > 1:
			v.report(p+".route", "amplification cannot be measured for one route of several: downstream requests are not attributed to routes")
		}
		if o.Fault != "" && !slices.Contains(v.faultNames, o.Fault) {
			v.report(p+".fault", "unknown fault %q (faults: %s)", o.Fault, listOrNone(v.faultNames))
		}
		if o.Min == nil && o.Max == nil {
			v.report(p, "give min, max or both")
		}
		if known {
			okMin := v.threshold(o.Min, info, p+".min")
			okMax := v.threshold(o.Max, info, p+".max")
			if okMin && okMax && o.Min != nil && o.Max != nil && o.Min.Value > o.Max.Value {
				v.report(p+".min", "min %s is above max %s", o.Min.Text, o.Max.Text)
			}
		}
		if !v.has(p + ".name") {
			o.Name = defaultSLOName(o)
		} else if o.Name == "" {
			v.report(p+".name", "empty name")
		}
		if other := seen[o.Name]; other != "" && o.Name != "" {
			v.report(p+".name", "duplicate SLO name %q (also %s): give each SLO its own name", o.Name, other)
		} else {
			seen[o.Name] = p
		}
	}
}

// validHeaderName reports whether name is an HTTP header field name (an
// RFC 9110 token).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}

func sortedHeaderNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
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

// defaultSLOName names an SLO after what it asserts on:
// "<metric> <phase>[ <fault>][ on <route>][ for <variants>]".
func defaultSLOName(o *SLO) string {
	parts := []string{o.Metric, o.Phase}
	if o.Fault != "" {
		parts = append(parts, o.Fault)
	}
	if o.Route != "" {
		parts = append(parts, "on "+o.Route)
	}
	if len(o.Variants) > 0 {
		parts = append(parts, "for "+strings.Join(o.Variants, ","))
	}
	return strings.Join(parts, " ")
}

// threshold parses an SLO bound in its metric's unit.
func (v *validator) threshold(t *Threshold, m reports.MetricInfo, path string) bool {
	if t == nil {
		return true
	}
	x, err := parseThreshold(t.Text, m.Unit)
	if err != nil {
		v.report(path, "%s for metric %s", err.Error(), m.Name)
		return false
	}
	t.Value = x
	return true
}

// parseThreshold parses text in unit: a ratio as a number from 0 to 1 or a
// percentage, seconds as a duration or a number of seconds, anything else as
// a number. None may be negative.
func parseThreshold(text string, unit reports.Unit) (float64, error) {
	t := strings.TrimSpace(text)
	switch unit {
	case reports.Ratio:
		if num, ok := strings.CutSuffix(t, "%"); ok {
			f, err := parseNumber(num)
			if err != nil || f < 0 || f > 100 {
				return 0, fmt.Errorf("invalid percentage %q (want 0%% to 100%%)", text)
			}
			return f / 100, nil
		}
		f, err := parseNumber(t)
		if err != nil || f < 0 || f > 1 {
			return 0, fmt.Errorf("invalid ratio %q (want a number from 0 to 1, or a percentage like \"95%%\")", text)
		}
		return f, nil
	case reports.Seconds:
		if d, err := time.ParseDuration(t); err == nil {
			if d < 0 {
				return 0, fmt.Errorf("negative duration %q", text)
			}
			return d.Seconds(), nil
		}
		f, err := parseNumber(t)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("invalid duration %q (want e.g. \"300ms\", or a number of seconds)", text)
		}
		return f, nil
	default:
		f, err := parseNumber(t)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("invalid number %q (want a number, 0 or more)", text)
		}
		return f, nil
	}
}

// parseNumber parses a finite decimal number.
func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a finite number: %q", s)
	}
	return f, nil
}
