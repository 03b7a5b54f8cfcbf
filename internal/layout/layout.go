// Package layout checks the rule every package of faultline states about
// what it may import, so that the dependencies keep running one way (cmd,
// then scenarios, then testbeds, patterns, faults and reports; internal
// packages are leaves every layer may use).
//
// Every package's doc comment ends with its import rule, as a paragraph of
// its own, in one of two forms:
//
//	It must not import scenarios, reports, testbeds or cmd.
//	It imports nothing of faultline.
//
// A name in the first form is a module-relative path ("scenarios",
// "patterns/kit") or an external import path ("gonum.org/v1/plot"), and
// covers that path and everything below it. The second form forbids every
// package of the module but the internal ones (a path with an "internal"
// element), which are leaves; what they import is checked like any other
// dependency. Rules hold over a package's transitive non-test imports.
//
// A package's own private parts are never forbidden: an internal package
// below a folder the package itself is in (patterns/policy/internal/window
// for patterns/policy/breaker), which only that subtree can import. So a
// rule may name the layer its package belongs to ("It must not import
// patterns" in a policy) without forbidding the layer's internals.
//
// ParseRule and Check are the pieces; this package's test runs them over
// the whole module (go test ./internal/layout).
//
// It imports nothing of faultline.
package layout

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The two forms of a rule.
const (
	nothingRule   = "It imports nothing of faultline."
	mustNotPrefix = "It must not import "
)

// Rule is a package's import rule.
type Rule struct {
	// Nothing is set by "It imports nothing of faultline.".
	Nothing bool
	// Forbidden are the names of "It must not import A, B or C.", in order.
	Forbidden []string
}

// String returns the rule as a doc comment states it.
func (r Rule) String() string {
	if r.Nothing {
		return nothingRule
	}
	n := len(r.Forbidden)
	if n == 0 {
		return "(no rule)"
	}
	if n == 1 {
		return mustNotPrefix + r.Forbidden[0] + "."
	}
	return mustNotPrefix + strings.Join(r.Forbidden[:n-1], ", ") + " or " + r.Forbidden[n-1] + "."
}

// validName is an import path, or a module-relative one.
var validName = regexp.MustCompile(`^[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*$`)

// ParseRule reads the rule that ends doc, a package's doc comment as
// go/ast's CommentGroup.Text returns it: its last paragraph, lines joined,
// must be one of the two forms.
func ParseRule(doc string) (Rule, error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return Rule{}, errors.New("no package doc comment")
	}
	paras := strings.Split(doc, "\n\n")
	last := strings.Join(strings.Fields(paras[len(paras)-1]), " ")
	if last == nothingRule {
		return Rule{Nothing: true}, nil
	}
	list, ok := strings.CutPrefix(last, mustNotPrefix)
	list, dot := strings.CutSuffix(list, ".")
	if !ok || !dot {
		return Rule{}, fmt.Errorf("the doc does not end with an import rule (%q or %q, as a paragraph of its own); its last paragraph is %q",
			mustNotPrefix+"A, B or C.", nothingRule, last)
	}
	names := []string{list}
	if head, tail, ok := cut(list, " or "); ok {
		names = append(strings.Split(head, ", "), tail)
	}
	for _, n := range names {
		if !validName.MatchString(n) {
			return Rule{}, fmt.Errorf("malformed import rule %q: %q is not a path (write %q)", last, n, mustNotPrefix+"A, B or C.")
		}
	}
	return Rule{Forbidden: names}, nil
}

// cut is strings.Cut at the last sep.
func cut(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// Graph is an import graph: every package's direct non-test imports, by
// import path. It must hold every package of the module and every package
// they reach.
type Graph map[string][]string

// Check returns the dependencies of pkg (in module, the module's path) that
// rule forbids, each as the chain of imports that reaches it from pkg: pkg
// first, the forbidden package last. Chains are shortest first and stop at
// a forbidden package, so what that one imports is not reported again. It
// returns an error for a module-relative name that is no package of the
// module: a rule naming what does not exist checks nothing.
func Check(module string, g Graph, pkg string, rule Rule) ([][]string, error) {
	matches, err := rule.matcher(module, g)
	if err != nil {
		return nil, err
	}
	forbidden := func(q string) bool { return matches(q) && !ownPart(module, pkg, q) }
	// Breadth-first, so that the first chain to a package is a shortest one.
	from := map[string]string{pkg: ""}
	queue := []string{pkg}
	var chains [][]string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range g[p] {
			if _, seen := from[q]; seen {
				continue
			}
			from[q] = p
			if forbidden(q) {
				chains = append(chains, chain(from, q))
				continue
			}
			queue = append(queue, q)
		}
	}
	return chains, nil
}

// matcher returns the function telling whether rule forbids a package.
func (r Rule) matcher(module string, g Graph) (func(string) bool, error) {
	inModule := func(p string) bool { return under(p, module) }
	if r.Nothing {
		return func(p string) bool {
			return inModule(p) && !slices.Contains(strings.Split(p, "/"), "internal")
		}, nil
	}
	var prefixes []string
	for _, n := range r.Forbidden {
		p := n
		if !strings.Contains(strings.SplitN(n, "/", 2)[0], ".") { // module-relative
			p = module + "/" + n
			if !hasPackageUnder(g, p) {
				return nil, fmt.Errorf("the rule names %q, which is no package of the module", n)
			}
		}
		prefixes = append(prefixes, p)
	}
	return func(q string) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool { return under(q, p) })
	}, nil
}

// ownPart reports whether q is an internal package private to a subtree
// that pkg is in, the module's root excluded (the module-wide internal/
// packages are leaves every layer may use, and a rule may forbid them).
func ownPart(module, pkg, q string) bool {
	for i := strings.LastIndex(q, "/internal"); i > 0; i = strings.LastIndex(q[:i], "/internal") {
		rest := q[i+len("/internal"):]
		if rest != "" && rest[0] != '/' {
			continue // "/internals", not an internal element
		}
		parent := q[:i]
		if parent != module && under(pkg, parent) {
			return true
		}
	}
	return false
}

// under reports whether path is prefix or below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func hasPackageUnder(g Graph, prefix string) bool {
	for p := range g {
		if under(p, prefix) {
			return true
		}
	}
	return false
}

// chain follows from back from last to the start.
func chain(from map[string]string, last string) []string {
	var c []string
	for p := last; p != ""; p = from[p] {
		c = append(c, p)
	}
	slices.Reverse(c)
	return c
}
