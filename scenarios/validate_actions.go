package scenarios

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/faultline/faultline/faults/actions"
)

// actions decodes each timeline action by its kind and checks it: its own
// fields, its time against the load, its target service and the control
// it steers against the topology.
func (v *validator) actions(raw []ast.Node) {
	seen := make(map[string]string)
	for i, n := range raw {
		p := indexPath("actions", i)
		if _, ok := mapPairs(n); !ok {
			v.problemAt(n, p, "want a mapping with kind and at, got %s", describe(n))
			continue
		}
		kind, kn, ok := v.kind(n, p, "action", actions.Kinds())
		if !ok {
			continue
		}
		a, err := actions.New(kind)
		if err != nil {
			v.problemAt(kn, p+".kind", "%s", err.Error())
			continue
		}
		before := len(v.problems)
		v.decode(n, reflect.ValueOf(a), p)
		c := a.Base()
		c.Kind = kind
		if !v.has(p + ".name") {
			c.Name = kind + "-" + strconv.Itoa(i)
		}
		if seen[c.Name] != "" {
			v.report(p+".name", "duplicate action name %q (also %s)", c.Name, seen[c.Name])
		}
		seen[c.Name] = p
		v.s.Actions = append(v.s.Actions, a)
		if len(v.problems) > before {
			continue
		}
		v.actionTarget(a, p)
		v.fieldErrors(p, a.Validate())
		if v.total > 0 && c.At > v.total {
			v.report(p+".at", "action at %s, after the load ends at %s", c.At, v.total)
		}
	}
}

// actionTarget defaults an action's target to the topology's entry and
// checks that the target offers the control the action steers.
func (v *validator) actionTarget(a actions.Action, p string) {
	pat := v.s.Impl
	if pat == nil {
		return
	}
	topo := pat.Topology()
	c := a.Base()
	if c.Target == "" {
		c.Target = topo.Entry
	}
	offer := slices.Sorted(maps.Keys(topo.Controls))
	key, name := a.Control()
	switch {
	case !topo.HasService(c.Target):
		v.report(p+".target", "unknown service %q (pattern %s has services %s)", c.Target, pat.Name(), strings.Join(topo.Services, ", "))
	case len(topo.Controls[c.Target]) == 0:
		v.report(p+".target", "service %q offers no control to act on (%s)", c.Target, offering(pat.Name(), offer))
	case name != "" && !topo.HasControl(c.Target, name):
		v.report(p+"."+key, "unknown %s %q on %s (known: %s)", key, name, c.Target, strings.Join(topo.Controls[c.Target], ", "))
	}
}

// offering says which services of a pattern offer controls.
func offering(pattern string, services []string) string {
	if len(services) == 0 {
		return fmt.Sprintf("pattern %s offers none", pattern)
	}
	return fmt.Sprintf("pattern %s offers controls on %s", pattern, listOrNone(services))
}
