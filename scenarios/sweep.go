package scenarios

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/reports/model"
)

// MaxSweepVariants bounds how many variants a sweep expands into: each one
// runs the whole load, one after the other.
const MaxSweepVariants = 16

// Sweep modes.
const (
	SweepGrid = "grid" // every combination of the swept values
	SweepEach = "each" // one parameter at a time, the others as in the base
)

// rawSweep is a sweep as written: params keep their nodes, to be decoded
// with each key's type once the pattern is known.
type rawSweep struct {
	Base   string   `yaml:"base"`
	Params ast.Node `yaml:"params"`
	Mode   string   `yaml:"mode"`
	RankBy RankBy   `yaml:"rank_by"`
	Gate   bool     `yaml:"gate"`
}

// sweepParam is one swept key with its values' nodes, in order.
type sweepParam struct {
	key    string
	path   string   // "sweep.params.<key>"
	segs   []string // the key split at dots
	values []ast.Node
	texts  []string
	idx    []int // each value's index in the list as written
}

// choice picks value i of param p.
type choice struct{ p, i int }

// sweep validates the sweep and appends the variants it expands into. It
// adds nothing when the sweep, or the variant it starts from, has a problem.
func (v *validator) sweep(raw *rawSweep, listed []rawVariant) {
	if raw == nil {
		if v.has("sweep") {
			v.report("sweep", "empty sweep: give params, the configuration keys to sweep and their values")
		}
		return
	}
	s := v.s
	sw := &Sweep{Base: raw.Base, Mode: raw.Mode, RankBy: raw.RankBy, Gate: raw.Gate}
	s.Sweep = sw
	before := len(v.problems)
	switch {
	case !v.has("sweep.mode"):
		sw.Mode = SweepGrid
	case sw.Mode != SweepGrid && sw.Mode != SweepEach:
		v.report("sweep.mode", "must be grid or each, got %q", sw.Mode)
	}
	v.rankBy(&sw.RankBy)
	base := v.sweepBaseVariant(sw.Base, listed)
	params := v.sweepParams(raw.Params)
	for _, p := range params {
		sw.Params = append(sw.Params, SweepParam{Key: p.key, Values: p.texts})
	}
	if s.Impl == nil || v.bad["sweep.base"] {
		return
	}
	if _, ok := v.sweepBase(base, true); !ok {
		return
	}
	v.sweepValues(params, base)
	if len(v.problems) > before {
		return
	}
	out := v.expand(sw, params, base)
	if len(v.problems) > before {
		return
	}
	s.Variants = append(s.Variants, out...)
}

// sweepBaseVariant returns the listed variant the sweep starts from, or nil
// when it starts from the pattern's defaults (or names no listed variant,
// which it reports).
func (v *validator) sweepBaseVariant(name string, listed []rawVariant) *rawVariant {
	if !v.has("sweep.base") {
		return nil
	}
	var base *rawVariant
	var names []string
	for i := range listed {
		names = append(names, listed[i].Name)
		if listed[i].Name == name && base == nil {
			base = &listed[i]
		}
	}
	if base == nil {
		v.report("sweep.base", "unknown variant %q (variants: %s)", name, listOrNone(names))
	}
	return base
}

// sweepValues checks that every key names a configuration field and every
// value fits it: each is decoded once, onto a fresh base, with problems
// reported at it.
func (v *validator) sweepValues(params []sweepParam, base *rawVariant) {
	for _, p := range params {
		for i, val := range p.values {
			cfg, _ := v.sweepBase(base, false)
			path := indexPath(p.path, p.idx[i])
			err := walkKey(reflect.ValueOf(cfg), p.segs, nil, func(f reflect.Value) { v.decode(val, f, path) })
			if err != nil {
				v.report(p.path, "%s", err.Error())
				break
			}
		}
	}
}

// expand returns the variants of the sweep's configurations, checked
// values and all: none, with a problem, when there are too many. A
// configuration the pattern rejects, or whose variant name is invalid or
// taken, is reported and left out.
func (v *validator) expand(sw *Sweep, params []sweepParam, base *rawVariant) []Variant {
	combos, n := sweepCombos(params, sw.Mode)
	if n > MaxSweepVariants {
		how := "combinations of"
		if sw.Mode == SweepEach {
			how = "values in"
		}
		v.report("sweep.params", "the sweep expands into %d variants (%s its parameters), more than the %d a sweep may have: each runs the whole load; sweep fewer values, or use mode: each",
			n, how, MaxSweepVariants)
		return nil
	}

	taken := make(map[string]string) // variant name → who has it
	for i, x := range v.s.Variants {
		taken[x.Name] = indexPath("variants", i)
	}
	short := shortKeys(params)
	reported := make(map[string]bool)
	var out []Variant
	for _, c := range combos {
		cfg, _ := v.sweepBase(base, false)
		vals := make(map[string]string, len(c))
		var parts, desc []string
		for _, ch := range c {
			p := params[ch.p]
			q := v.scratch()
			// sweepValues checked the key and value: this cannot fail.
			_ = walkKey(reflect.ValueOf(cfg), p.segs, nil, func(f reflect.Value) { q.decode(p.values[ch.i], f, "") })
			vals[p.key] = p.texts[ch.i]
			parts = append(parts, short[ch.p]+"_"+sanitizeName(p.texts[ch.i]))
			desc = append(desc, p.key+"="+p.texts[ch.i])
		}
		name := strings.Join(parts, "-")
		if err := v.s.Impl.Validate(cfg); err != nil {
			v.sweepError(err, params, c, strings.Join(desc, ", "), reported)
			continue
		}
		switch {
		case !variantName.MatchString(name):
			v.report("sweep.params", "configuration %s makes the variant name %q, which is not a valid name: use simpler values", strings.Join(desc, ", "), name)
			continue
		case strings.HasPrefix(taken[name], "variants["):
			v.report("sweep.params", "configuration %s makes the variant name %q, which %s already has: rename that variant", strings.Join(desc, ", "), name, taken[name])
			continue
		case taken[name] != "":
			v.report("sweep.params", "configurations %s and %s make the same variant name %q: give values that differ in more than punctuation", taken[name], strings.Join(desc, ", "), name)
			continue
		}
		taken[name] = strings.Join(desc, ", ")
		expect := "report"
		if sw.Gate {
			expect = "pass"
		}
		out = append(out, Variant{
			Name:     name,
			Baseline: base != nil && base.Baseline,
			Expect:   expect,
			Config:   cfg,
			Params:   vals,
		})
	}
	return out
}

// sweepParams reads the swept keys and their values, in order.
func (v *validator) sweepParams(n ast.Node) []sweepParam {
	const path = "sweep.params"
	const example = "like breaker.open_wait: [500ms, 2s]"
	if !v.has(path) || isNilNode(n) || n.Type() == ast.NullType {
		v.report(path, "missing params: the configuration keys to sweep and their values (%s)", example)
		return nil
	}
	pairs, ok := mapPairs(n)
	if !ok {
		v.problemAt(n, path, "want a mapping of configuration keys to lists of values (%s), got %s", example, describe(n))
		return nil
	}
	var out []sweepParam
	v.eachPair(pairs, path, 0, func(key string, kv *ast.MappingValueNode, child string) {
		for _, p := range out {
			if p.key == key {
				v.problemAt(kv.Key, child, "duplicate parameter %q", key)
				return
			}
		}
		segs := strings.Split(key, ".")
		if slices.Contains(segs, "") {
			v.problemAt(kv.Key, child, "invalid key %q: want dotted configuration keys (%s)", key, example)
			return
		}
		p := sweepParam{key: key, path: child, segs: segs}
		r := v.resolve(kv.Value, child)
		seq, ok := r.(*ast.SequenceNode)
		if !ok {
			if r != nil {
				v.problemAt(r, child, "want a list of values (like [500ms, 2s]), got %s", describe(r))
			}
			return
		}
		if len(seq.Values) == 0 {
			v.report(child, "empty list: give at least one value")
			return
		}
		for i, e := range seq.Values {
			ep := indexPath(child, i)
			v.pos[ep] = nodePos(e)
			r := v.resolve(e, ep)
			if r == nil {
				continue
			}
			text, ok := scalarText(r)
			if !ok {
				v.problemAt(r, ep, "want a single value (a number, duration, string or boolean), got %s", describe(r))
				continue
			}
			if j := slices.Index(p.texts, text); j >= 0 {
				v.problemAt(r, ep, "duplicate value %q (also %s)", text, indexPath(child, p.idx[j]))
				continue
			}
			p.values = append(p.values, r)
			p.texts = append(p.texts, text)
			p.idx = append(p.idx, i)
		}
		out = append(out, p)
	})
	if len(out) == 0 && !v.bad[path] && len(pairs) == 0 {
		v.report(path, "no parameters: give at least one configuration key and its values (%s)", example)
	}
	return out
}

// rankBy validates the sweep's ranking measurement and applies defaults:
// success during the faults (over the whole run without faults), higher
// first.
func (v *validator) rankBy(r *RankBy) {
	const p = "sweep.rank_by"
	_, known := model.LookupMetric(r.Metric)
	switch {
	case !v.has(p + ".metric"):
		r.Metric = "success"
		known = true
	case !known:
		v.report(p+".metric", "unknown metric %q (known: %s)", r.Metric, knownMetrics())
	}
	if !v.has(p + ".phase") {
		r.Phase = "during"
		if r.Metric == "time_to_recover" {
			r.Phase = "after"
		} else if v.faultCount == 0 && !fromFault(r.Metric) {
			r.Phase = "overall" // nothing is ever during a fault
		}
	} else {
		v.phase(p+".phase", r.Phase, r.Metric)
	}
	if fromFault(r.Metric) && v.faultCount == 0 {
		v.report(p+".metric", "metric %s needs a fault in the scenario", r.Metric)
	}
	v.routeAndFault(p, r.Metric, r.Route, r.Fault)
	switch {
	case !v.has(p + ".order"):
		r.Order = "asc"
		if known && (r.Metric == "success" || r.Metric == "rate") {
			r.Order = "desc"
		}
	case r.Order != "asc" && r.Order != "desc":
		v.report(p+".order", "must be asc (lower first) or desc (higher first), got %q", r.Order)
	}
}

// sweepBase returns a fresh copy of the configuration the sweep starts
// from: the pattern's defaults, or base's configuration. It returns false
// when that configuration has problems, which are reported at the base
// variant (or, when report is set and there is no base, at the sweep).
func (v *validator) sweepBase(base *rawVariant, report bool) (any, bool) {
	pat := v.s.Impl
	var cfg any
	if base != nil && base.Baseline {
		cfg = pat.BaselineConfig()
	} else {
		cfg = pat.DefaultConfig()
	}
	rv := reflect.ValueOf(cfg)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		if report {
			v.report("sweep", "pattern %s has no configuration to sweep (%T)", pat.Name(), cfg)
		}
		return nil, false
	}
	if base != nil && base.Config != nil {
		q := v.scratch()
		q.decode(base.Config, rv.Elem(), "")
		if len(q.problems) > 0 {
			return nil, false
		}
	}
	if report {
		if err := pat.Validate(cfg); err != nil {
			if base == nil {
				v.report("sweep", "pattern %s's defaults are invalid: %v", pat.Name(), err)
			}
			return nil, false
		}
	}
	return cfg, true
}

// scratch returns a decoder whose problems go nowhere, for decoding again
// what was checked already.
func (v *validator) scratch() *specDecoder {
	q := newSpecDecoder(v.file)
	q.anchors = v.anchors
	return q
}

// sweepError reports a configuration the pattern rejects: a field error at
// a swept key is reported at that key's value, anything else at
// sweep.params, naming the configuration. Each message is reported once,
// however many combinations share it.
func (v *validator) sweepError(err error, params []sweepParam, c []choice, desc string, reported map[string]bool) {
	for _, e := range field.All(err) {
		path := "sweep.params"
		text := fmt.Sprintf("configuration %s: %s", desc, e.Error())
		for _, ch := range c {
			if p := params[ch.p]; e.Path != "" && p.key == e.Path {
				path, text = indexPath(p.path, p.idx[ch.i]), e.Msg
			}
		}
		if reported[path+"\x00"+text] {
			continue
		}
		reported[path+"\x00"+text] = true
		v.addProblem(v.posOf(path), path, text)
	}
}

// sweepCombos lists the configurations of a sweep and how many there are;
// it lists none when there are more than MaxSweepVariants. A grid varies
// the last parameter fastest.
func sweepCombos(params []sweepParam, mode string) ([][]choice, int) {
	n := 0
	if mode == SweepEach {
		for _, p := range params {
			n += len(p.values)
		}
	} else if len(params) > 0 {
		n = 1
		for _, p := range params {
			n *= len(p.values)
			if n > MaxSweepVariants {
				// Keep counting without overflow: the exact number is
				// only for the message.
				n = min(n, 1<<20)
			}
		}
	}
	if n > MaxSweepVariants || n == 0 {
		return nil, n
	}
	var out [][]choice
	if mode == SweepEach {
		for pi, p := range params {
			for i := range p.values {
				out = append(out, []choice{{pi, i}})
			}
		}
		return out, n
	}
	var rec func(pi int, cur []choice)
	rec = func(pi int, cur []choice) {
		if pi == len(params) {
			out = append(out, slices.Clone(cur))
			return
		}
		for i := range params[pi].values {
			rec(pi+1, append(cur, choice{pi, i}))
		}
	}
	rec(0, nil)
	return out, n
}

// shortKeys names each parameter by the shortest dotted suffix of its key
// that no other parameter's key ends with ("open_wait" for
// "breaker.open_wait").
func shortKeys(params []sweepParam) []string {
	out := make([]string, len(params))
	for i, p := range params {
		for n := 1; n <= len(p.segs); n++ {
			suffix := strings.Join(p.segs[len(p.segs)-n:], ".")
			clash := false
			for j, q := range params {
				if j != i && (q.key == suffix || strings.HasSuffix(q.key, "."+suffix)) {
					clash = true
				}
			}
			out[i] = suffix
			if !clash {
				break
			}
		}
	}
	return out
}

// sanitizeName keeps what a variant name may hold of a value.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// walkKey calls fn with the field of v that the dotted key segs names,
// descending structs by YAML key and maps by key (done is the path walked
// so far, for messages). What fn leaves in a map's element is stored back.
func walkKey(v reflect.Value, segs, done []string, fn func(reflect.Value)) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if !v.CanSet() {
				return errors.New("cannot set a nil configuration")
			}
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if len(segs) == 0 {
		fn(v)
		return nil
	}
	where := "the configuration"
	if len(done) > 0 {
		where = strings.Join(done, ".")
	}
	next := append(slices.Clone(done), segs[0])
	switch v.Kind() {
	case reflect.Struct:
		fs := yamlFields(v.Type())
		idx, ok := fs.byName[segs[0]]
		if !ok {
			return fmt.Errorf("unknown field %q in %s (known: %s)", segs[0], where, strings.Join(fs.names, ", "))
		}
		f, ok := fieldByIndex(v, idx)
		if !ok {
			return fmt.Errorf("cannot set field %q in %s", segs[0], where)
		}
		return walkKey(f, segs[1:], next, fn)
	case reflect.Map:
		t := v.Type()
		if t.Key().Kind() != reflect.String || !v.CanSet() {
			return fmt.Errorf("%s has no field %q", where, segs[0])
		}
		// A copy, so the base configuration's map is never changed.
		m := reflect.MakeMapWithSize(t, v.Len()+1)
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(iter.Key(), iter.Value())
		}
		k := reflect.ValueOf(segs[0]).Convert(t.Key())
		e := reflect.New(t.Elem()).Elem()
		if old := v.MapIndex(k); old.IsValid() {
			e.Set(old)
		}
		if err := walkKey(e, segs[1:], next, fn); err != nil {
			return err
		}
		m.SetMapIndex(k, e)
		v.Set(m)
		return nil
	}
	return fmt.Errorf("%s is a single value: it has no field %q", where, segs[0])
}

// reportSweep describes a sweep for the report; nil without one.
func reportSweep(sw *Sweep) *model.Sweep {
	if sw == nil {
		return nil
	}
	out := &model.Sweep{
		Mode: sw.Mode,
		Gate: sw.Gate,
		RankBy: model.RankBy{
			Metric: sw.RankBy.Metric, Route: sw.RankBy.Route, Phase: sw.RankBy.Phase,
			Fault: sw.RankBy.Fault, Order: sw.RankBy.Order,
		},
	}
	for _, p := range sw.Params {
		out.Params = append(out.Params, model.SweepParam{Key: p.Key, Values: slices.Clone(p.Values)})
	}
	return out
}
