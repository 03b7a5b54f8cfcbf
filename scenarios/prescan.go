package scenarios

import (
	"fmt"
	"io"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// Limits on a scenario file's shape, checked before the YAML parser or the
// decoder sees it: goccy/go-yaml's parser recurses once per nesting level
// (200 KB of "[" took 15 GB), and expanding aliases and merge keys is
// exponential in their depth (a 1 KB merge-key bomb did not finish).
// Real scenarios nest under 10 levels and expand to a few hundred nodes.
const (
	maxDepth     = 32
	maxExpansion = 20000
)

// prescan checks, on tokens only, that src nests at most maxDepth
// collections deep, counting flow collections ("[", "{") and block ones
// (each deeper indentation of a key or a "-" entry). It returns the
// position of the first token past the limit.
func prescan(src []byte) (yamlPos, bool) {
	var flow int
	var block []int // columns of the enclosing block collections
	at, ok := yamlPos{}, true
	eachToken(src, func(tk, prev *token.Token) bool {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingValueType:
			if flow > 0 {
				break
			}
			col := tk.Position.Column
			if tk.Type == token.MappingValueType && prev != nil {
				col = prev.Position.Column // the key's column
			}
			for len(block) > 0 && block[len(block)-1] >= col {
				block = block[:len(block)-1]
			}
			block = append(block, col)
		}
		if flow+len(block) > maxDepth {
			at, ok = yamlPos{tk.Position.Line, tk.Position.Column}, false
		}
		return ok
	})
	return at, ok
}

// eachToken calls fn with each token of src that has a position, and the
// one before it, until fn returns false. It scans as it goes, so stopping
// early costs nothing more.
func eachToken(src []byte, fn func(tk, prev *token.Token) bool) {
	var s scanner.Scanner
	s.Init(string(src))
	var prev *token.Token
	for {
		tks, err := s.Scan()
		if err == io.EOF {
			return
		}
		for _, tk := range tks {
			if tk == nil || tk.Position == nil {
				continue
			}
			if !fn(tk, prev) {
				return
			}
			prev = tk
		}
		if err != nil {
			return
		}
	}
}

// checkExpansion records a problem when expanding every alias and merge key
// under root would give more than maxExpansion nodes (an alias bomb), so
// the decoder never walks such a tree.
func (d *specDecoder) checkExpansion(root ast.Node) bool {
	e := expander{d: d, memo: make(map[ast.Node]int), open: make(map[ast.Node]bool)}
	if e.size(root) <= maxExpansion {
		return true
	}
	at := root
	if e.at != nil {
		at = e.at
	}
	d.addProblem(nodePos(at), "", fmt.Sprintf("aliases and merge keys expand to more than %d values: a scenario is far smaller (an alias bomb?)", maxExpansion))
	return false
}

// expander counts the nodes of a tree with its aliases expanded, saturating
// just past maxExpansion.
type expander struct {
	d    *specDecoder
	memo map[ast.Node]int  // an anchored value → its expanded size
	open map[ast.Node]bool // anchored values being counted (a cycle)
	at   ast.Node          // the first alias whose expansion went past the limit
}

func (e *expander) size(n ast.Node) int {
	if isNilNode(n) {
		return 0
	}
	if a, ok := n.(*ast.AliasNode); ok {
		return e.alias(a)
	}
	total := 1
	for _, c := range children(n) {
		total = min(total+e.size(c), maxExpansion+1)
		if total > maxExpansion {
			if _, ok := c.(*ast.AliasNode); ok && e.at == nil {
				e.at = c
			}
			break
		}
	}
	return total
}

func (e *expander) alias(a *ast.AliasNode) int {
	name := ""
	if !isNilNode(a.Value) && a.Value.GetToken() != nil {
		name = a.Value.GetToken().Value
	}
	target, ok := e.d.anchors[name]
	if !ok {
		return 1 // the decoder reports the unknown alias
	}
	if e.open[target] {
		return maxExpansion + 1 // an alias inside its own anchor
	}
	n, ok := e.memo[target]
	if !ok {
		e.open[target] = true
		n = e.size(target)
		delete(e.open, target)
		e.memo[target] = n
	}
	return n
}

// children returns the nodes directly under n.
func children(n ast.Node) []ast.Node {
	switch x := n.(type) {
	case *ast.AnchorNode:
		return []ast.Node{x.Value}
	case *ast.TagNode:
		return []ast.Node{x.Value}
	case *ast.MappingKeyNode:
		return []ast.Node{x.Value}
	case *ast.MappingValueNode:
		return []ast.Node{x.Key, x.Value}
	case *ast.MappingNode:
		out := make([]ast.Node, len(x.Values))
		for i, kv := range x.Values {
			out[i] = kv
		}
		return out
	case *ast.SequenceNode:
		return x.Values
	}
	return nil
}
