// Package configdoc holds the doc comments of the types a scenario file is
// written in — the scenario's own, the fault kinds' and every pattern's
// configuration — keyed as "import/path.Type" and "import/path.Type.Field",
// so the binary can explain them (faultline describe, faultline schema)
// without its source. comments.json is generated from the source by this
// package's test (go test ./internal/configdoc -update), which fails when
// it is out of step.
//
// It imports nothing of faultline.
package configdoc

import (
	_ "embed"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"sync"
)

// Dirs are the module's folders whose comments are collected.
var Dirs = []string{"faults", "patterns", "scenarios"}

//go:embed comments.json
var raw []byte

var comments = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	_ = json.Unmarshal(raw, &m) // checked by the package's test
	return m
})

// Map returns a copy of every comment, by key.
func Map() map[string]string { return maps.Clone(comments()) }

// Field is the doc comment of field name of struct type t, on one line; ""
// when it has none.
func Field(t reflect.Type, name string) string {
	return oneLine(comments()[t.PkgPath()+"."+t.Name()+"."+name])
}

// Type is the first sentence of the doc comment of type t, on one line;
// "" when it has none.
func Type(t reflect.Type) string { return oneLine(comments()[t.PkgPath()+"."+t.Name()]) }

// oneLine joins a comment's lines and spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
