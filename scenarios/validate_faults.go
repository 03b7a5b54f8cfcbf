package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/patterns"
)

// faults decodes each fault by its kind and checks it: its own fields,
// its timing against the load and its target against the topology.
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
		kind, kn, ok := v.kind(n, p, "fault", faults.Kinds())
		if !ok {
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
		case slices.Contains(v.burstNames, c.Name):
			v.report(p+".name", "fault name %q is also a load burst's: SLOs could not tell them apart", c.Name)
		default:
			seen[c.Name] = p
		}
		s.Faults = append(s.Faults, f)
		if len(v.problems) > before {
			continue
		}
		v.timing(f, p)
		v.target(f, p)
		v.fieldErrors(p, f.Validate())
	}
	v.exclusive()
}

// kind returns the kind written in the mapping n at path p, and its node;
// what names the timeline entry ("fault", "action") in messages, known its
// kinds. A missing or non-scalar kind is reported, and ok is false.
func (v *validator) kind(n ast.Node, p, what string, known []string) (kind string, kn ast.Node, ok bool) {
	kn = v.findKey(n, "kind", 0)
	if kn == nil {
		v.report(p+".kind", "missing kind (known: %s)", strings.Join(known, ", "))
		return "", nil, false
	}
	kind, ok = scalarText(v.resolve(kn, p+".kind"))
	if !ok {
		v.problemAt(kn, p+".kind", "want %s %s kind, got %s (known: %s)", article(what), what, describe(kn), strings.Join(known, ", "))
	}
	return kind, kn, ok
}

// article is "a" or "an" before word.
func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
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
