package scenarios

import (
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/token"
)

// frame is one level of the path to a token: a mapping key or a sequence
// index, at the column it was written.
type frame struct {
	col   int
	key   string
	index int
	seq   bool // a sequence entry: index counts
	flow  bool // opened by "[" or "{"
}

func (f frame) segment() string {
	if f.seq {
		return "[" + strconv.Itoa(f.index) + "]"
	}
	return f.key
}

// pathAt guesses, from tokens alone, the dotted field path of the value at
// p ("load.targets[0].path"), so a YAML syntax error can name its field
// like every other problem. It returns "" when p is at the top level.
func pathAt(src []byte, p yamlPos) string {
	var st []frame
	popTo := func(col int, inclusive bool) {
		for len(st) > 0 && !st[len(st)-1].flow && (st[len(st)-1].col > col || inclusive && st[len(st)-1].col == col) {
			st = st[:len(st)-1]
		}
	}
	eachToken(src, func(tk, prev *token.Token) bool {
		pos := tk.Position
		if pos.Line > p.line || pos.Line == p.line && pos.Column >= p.col {
			return false
		}
		top := len(st) - 1
		inFlow := top >= 0 && st[top].flow
		switch tk.Type {
		case token.SequenceStartType:
			st = append(st, frame{col: pos.Column, seq: true, flow: true})
		case token.MappingStartType:
			st = append(st, frame{col: pos.Column, flow: true})
		case token.SequenceEndType, token.MappingEndType:
			for len(st) > 0 && !st[len(st)-1].flow {
				st = st[:len(st)-1]
			}
			if len(st) > 0 {
				st = st[:len(st)-1]
			}
		case token.CollectEntryType:
			if inFlow && st[top].seq {
				st[top].index++
			}
		case token.SequenceEntryType:
			popTo(pos.Column, false)
			if n := len(st) - 1; n >= 0 && st[n].seq && !st[n].flow && st[n].col == pos.Column {
				st[n].index++
			} else {
				st = append(st, frame{col: pos.Column, seq: true})
			}
		case token.MappingValueType:
			if prev == nil {
				break
			}
			if inFlow && !st[top].seq {
				st[top].key = prev.Value
				break
			}
			popTo(prev.Position.Column, true)
			st = append(st, frame{col: prev.Position.Column, key: prev.Value})
		}
		return true
	})
	popTo(p.col, false) // a value at a key's own column (a tab there, say) is still under it
	var b strings.Builder
	for _, f := range st {
		seg := f.segment()
		if seg == "" {
			continue
		}
		if b.Len() > 0 && !f.seq {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}
