package scenarios

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
//
// Control characters and invalid UTF-8 from the file are escaped, so a
// message never writes raw bytes to the terminal.
func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", escape(p.File), p.Line, p.Col, escape(p.Msg))
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", escape(p.File), p.Line, p.Col, escape(p.Field), escape(p.Msg))
}

// escape writes control characters (CR, LF, ESC...) and invalid UTF-8 in s
// as Go escapes, and leaves everything else as it is.
func escape(s string) string {
	if !strings.ContainsFunc(s, needsEscape) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case needsEscape(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }

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
