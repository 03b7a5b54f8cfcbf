package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a scenario file, at a position in it.
type Problem struct {
	File      string
	Line, Col int
	// Field is the dotted path of the offending field, like
	// "load.targets[0].path"; empty for problems with the file as a whole
	// (malformed YAML, empty file).
	Field string
	Msg   string
}

// String formats the problem as "file:line:col: field: message" (without
// "field: " when there is no field).
func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, p.Col, p.Field, p.Msg)
}

// Errors is every problem found in a scenario file, sorted by position.
type Errors struct {
	Problems []Problem
}

// Error returns the problems, one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by line then column, keeping the order they
// were found in for equal positions.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Col < ps[j].Col
	})
}
