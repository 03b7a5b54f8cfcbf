package actions

import (
	"fmt"
	"maps"
	"slices"
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
	if mk, ok := kinds[kind]; ok {
		a := mk()
		a.Base().Kind = kind
		return a, nil
	}
	return nil, fmt.Errorf("unknown action kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
}

// Kinds lists every action kind, sorted.
func Kinds() []string { return slices.Sorted(maps.Keys(kinds)) }
