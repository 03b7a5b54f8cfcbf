package actions

import (
	"fmt"
	"sort"
	"strings"
)

// kinds maps a scenario's "kind" to a constructor of that kind with its
// default attributes. One file per kind implements it.
var kinds = map[string]func() Action{
	"shift": func() Action { return &Shift{Percent: -1} },
}

// New returns an action of the named kind with its default attributes,
// ready to have a scenario's YAML decoded onto it.
func New(kind string) (Action, error) {
	mk, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("unknown action kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
	}
	a := mk()
	a.Base().Kind = kind
	return a, nil
}

// Kinds lists every action kind, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
