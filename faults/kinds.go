package faults

import (
	"fmt"
	"sort"
	"strings"
)

// kinds maps a scenario's "kind" to a constructor of that kind with its
// default attributes. One file per kind implements it.
var kinds = map[string]func() Fault{
	"latency":      func() Fault { return &Latency{Toxic: defaultToxic()} },
	"bandwidth":    func() Fault { return &Bandwidth{Toxic: defaultToxic()} },
	"slow_close":   func() Fault { return &SlowClose{Toxic: defaultToxic()} },
	"timeout":      func() Fault { return &Timeout{Toxic: defaultToxic()} },
	"reset_peer":   func() Fault { return &ResetPeer{Toxic: defaultToxic()} },
	"slicer":       func() Fault { return &Slicer{Toxic: defaultToxic()} },
	"limit_data":   func() Fault { return &LimitData{Toxic: defaultToxic()} },
	"down":         func() Fault { return &Down{} },
	"http_error":   func() Fault { return &HTTPError{Status: 500, Rate: 1} },
	"http_delay":   func() Fault { return &HTTPDelay{Rate: 1} },
	"http_abort":   func() Fault { return &HTTPAbort{Rate: 1} },
	"http_corrupt": func() Fault { return &HTTPCorrupt{Rate: 1} },
	"kill":         func() Fault { return &Kill{} },
	"restart":      func() Fault { return &Restart{} },
	"pause":        func() Fault { return &Pause{} },
	"partition":    func() Fault { return &Partition{} },
}

// New returns a fault of the named kind with its default attributes, ready
// to have a scenario's YAML decoded onto it.
func New(kind string) (Fault, error) {
	mk, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("unknown fault kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
	}
	f := mk()
	f.Base().Kind = kind
	return f, nil
}

// Kinds lists every fault kind, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
