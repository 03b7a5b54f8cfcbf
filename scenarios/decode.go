package scenarios

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/faultline/faultline/internal/field"
)

// maxNesting bounds how deep the decoder descends, whatever the input.
const maxNesting = 64

// yamlPos is a 1-based line and column in a scenario file.
type yamlPos struct{ line, col int }

// specDecoder decodes a goccy/go-yaml syntax tree onto Go values strictly:
// every mapping key must name a field (by yaml tag, as goccy/go-yaml does)
// and every value must fit its field. Unlike yaml.Strict() it does not stop
// at the first problem: it records every one with its position and dotted
// path, and remembers where each path it decoded was written, so that later
// validation can point at the right place too.
type specDecoder struct {
	file     string
	problems []Problem
	pos      map[string]yamlPos // path → position of its value (scalars) or key
	bad      map[string]bool    // paths that already have a problem
	anchors  map[string]ast.Node
	depth    int
}

func newSpecDecoder(file string) *specDecoder {
	return &specDecoder{
		file:    file,
		pos:     make(map[string]yamlPos),
		bad:     make(map[string]bool),
		anchors: make(map[string]ast.Node),
	}
}

var (
	astNodeType   = reflect.TypeFor[ast.Node]()
	durationType  = reflect.TypeFor[time.Duration]()
	thresholdType = reflect.TypeFor[Threshold]()
)

// addProblem records a problem with path at p.
func (d *specDecoder) addProblem(p yamlPos, path, msg string) {
	if p.line <= 0 {
		p = yamlPos{1, 1}
	}
	d.problems = append(d.problems, Problem{File: d.file, Line: p.line, Col: p.col, Field: path, Msg: msg})
	if path != "" {
		d.bad[path] = true
	}
}

// problemAt records a problem with path at node n's position, or at the
// path's position when n has none.
func (d *specDecoder) problemAt(n ast.Node, path, format string, args ...any) {
	p := nodePos(n)
	if !isNilNode(n) {
		switch n.Type() {
		case ast.MappingType, ast.MappingValueType, ast.SequenceType:
			// A collection where it does not belong: point at its key.
			if q, ok := d.pos[path]; ok && q.line > 0 {
				p = q
			}
		}
	}
	if p.line <= 0 {
		p = d.posOf(path)
	}
	d.addProblem(p, path, fmt.Sprintf(format, args...))
}

// report records a problem at path's position, unless path or one of its
// parents already has one (which would make this one a consequence).
func (d *specDecoder) report(path, format string, args ...any) {
	for p := path; ; p = parentPath(p) {
		if d.bad[p] {
			return
		}
		if p == "" {
			break
		}
	}
	d.addProblem(d.posOf(path), path, fmt.Sprintf(format, args...))
}

// has reports whether path was written in the file.
func (d *specDecoder) has(path string) bool {
	_, ok := d.pos[path]
	return ok
}

// posOf returns where path was written or, for a path that was not, where
// its closest written parent was.
func (d *specDecoder) posOf(path string) yamlPos {
	for {
		if p, ok := d.pos[path]; ok && p.line > 0 {
			return p
		}
		if path == "" {
			return yamlPos{1, 1}
		}
		path = parentPath(path)
	}
}

// yamlError records a problem reported by goccy/go-yaml, at the token it
// names when it names one.
func (d *specDecoder) yamlError(err error, n ast.Node, path string) {
	var yerr yaml.Error
	if errors.As(err, &yerr) {
		if tk := yerr.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
			d.addProblem(yamlPos{tk.Position.Line, tk.Position.Column}, path, yerr.GetMessage())
			return
		}
		d.problemAt(n, path, "%s", yerr.GetMessage())
		return
	}
	d.problemAt(n, path, "%s", err.Error())
}

func indexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

// parentPath strips the last ".name" or "[i]" from path.
func parentPath(path string) string {
	i := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
	if i < 0 {
		return ""
	}
	return path[:i]
}

// nodePos returns where n starts: for a block mapping, its first key.
func nodePos(n ast.Node) yamlPos {
	if isNilNode(n) {
		return yamlPos{}
	}
	switch x := n.(type) {
	case *ast.MappingNode:
		if !x.IsFlowStyle && len(x.Values) > 0 && x.Values[0] != nil {
			return nodePos(x.Values[0])
		}
	case *ast.MappingValueNode:
		if !isNilNode(x.Key) {
			return nodePos(x.Key)
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return yamlPos{}
	}
	return yamlPos{tk.Position.Line, tk.Position.Column}
}

// valuePos is the position recorded for a mapping entry: its value's for a
// scalar, its key's otherwise.
func valuePos(kv *ast.MappingValueNode) yamlPos {
	v := kv.Value
	if a, ok := v.(*ast.AnchorNode); ok && !isNilNode(a.Value) {
		v = a.Value
	}
	if isNilNode(v) {
		return nodePos(kv.Key)
	}
	switch v.Type() {
	case ast.MappingType, ast.MappingValueType, ast.SequenceType, ast.NullType:
		return nodePos(kv.Key)
	}
	if p := nodePos(v); p.line > 0 {
		return p
	}
	return nodePos(kv.Key)
}

func isNilNode(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// collectAnchors remembers every anchor under n, so aliases can be resolved.
func (d *specDecoder) collectAnchors(n ast.Node, depth int) {
	if isNilNode(n) || depth > 4*maxNesting {
		return
	}
	switch x := n.(type) {
	case *ast.AnchorNode:
		if !isNilNode(x.Name) {
			if tk := x.Name.GetToken(); tk != nil {
				d.anchors[tk.Value] = x.Value
			}
		}
		d.collectAnchors(x.Value, depth+1)
	case *ast.MappingNode:
		for _, kv := range x.Values {
			d.collectAnchors(kv, depth+1)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(x.Key, depth+1)
		d.collectAnchors(x.Value, depth+1)
	case *ast.MappingKeyNode:
		d.collectAnchors(x.Value, depth+1)
	case *ast.SequenceNode:
		for _, v := range x.Values {
			d.collectAnchors(v, depth+1)
		}
	case *ast.TagNode:
		d.collectAnchors(x.Value, depth+1)
	}
}

// resolve looks through anchors, aliases and tags to the node that holds the
// value. It records a problem and returns nil for an unknown alias.
func (d *specDecoder) resolve(n ast.Node, path string) ast.Node {
	for range maxNesting {
		if isNilNode(n) {
			return nil
		}
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		case *ast.AliasNode:
			name := ""
			if !isNilNode(x.Value) && x.Value.GetToken() != nil {
				name = x.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.problemAt(x, path, "unknown alias *%s", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.problemAt(n, path, "aliases nested too deeply")
	return nil
}

// scalarText returns a scalar's text as written (unquoted).
func scalarText(n ast.Node) (string, bool) {
	if isNilNode(n) {
		return "", false
	}
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		if x.Value != nil {
			return x.Value.Value, true
		}
	case *ast.TagNode:
		return scalarText(x.Value)
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// describe names a node in messages: a scalar as written, a collection by
// its kind.
func describe(n ast.Node) string {
	if isNilNode(n) {
		return "nothing"
	}
	switch n.Type() {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a sequence"
	case ast.NullType:
		return "nothing"
	}
	if s, ok := scalarText(n); ok {
		return strconv.Quote(s)
	}
	return n.Type().YAMLName()
}

// mapPairs returns the entries of a mapping node.
func mapPairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch x := n.(type) {
	case *ast.MappingNode:
		return x.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{x}, true
	}
	return nil, false
}

// keyText returns a mapping key as a string.
func keyText(k ast.MapKeyNode) (string, bool) {
	if isNilNode(k) {
		return "", false
	}
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		return scalarText(mk.Value)
	}
	return scalarText(k)
}

// findKey returns the value of key in mapping n (merge keys included), or
// nil.
func (d *specDecoder) findKey(n ast.Node, key string, depth int) ast.Node {
	pairs, _ := mapPairs(n)
	var merged ast.Node
	for _, kv := range pairs {
		if kv == nil || isNilNode(kv.Key) {
			continue
		}
		if kv.Key.IsMergeKey() {
			if depth < maxNesting {
				for _, m := range d.mergeSources(kv.Value) {
					if v := d.findKey(m, key, depth+1); v != nil && merged == nil {
						merged = v
					}
				}
			}
			continue
		}
		if k, ok := keyText(kv.Key); ok && k == key {
			return kv.Value
		}
	}
	return merged
}

// mergeSources returns the mappings a merge key ("<<") brings in, the one
// that wins first.
func (d *specDecoder) mergeSources(v ast.Node) []ast.Node {
	v = d.resolve(v, "")
	if seq, ok := v.(*ast.SequenceNode); ok {
		var out []ast.Node
		for _, e := range seq.Values {
			if e = d.resolve(e, ""); e != nil {
				out = append(out, e)
			}
		}
		return out
	}
	if v == nil {
		return nil
	}
	return []ast.Node{v}
}

// decode decodes n onto v, which must be settable, recording problems under
// path.
func (d *specDecoder) decode(n ast.Node, v reflect.Value, path string) {
	n = d.resolve(n, path)
	if n == nil {
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxNesting {
		d.problemAt(n, path, "nested too deeply")
		return
	}
	if d.decodeSpecial(n, v, path) {
		return
	}
	switch t := v.Type(); t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		text, ok := scalarText(n)
		if !ok {
			d.problemAt(n, path, "want a string, got %s", describe(n))
			return
		}
		v.SetString(text)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.problemAt(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.decodeInt(n, v, path)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.decodeUint(n, v, path)
	case reflect.Float32, reflect.Float64:
		d.decodeFloat(n, v, path)
	default:
		d.decodeWithGoccy(n, v, path)
	}
}

// decodeSpecial decodes what is not decoded by its kind: a syntax node
// kept as it is, an empty value, a duration, a threshold, and a type with
// an unmarshaler of its own. It reports whether v was one of them.
func (d *specDecoder) decodeSpecial(n ast.Node, v reflect.Value, path string) bool {
	t := v.Type()
	if t == astNodeType {
		v.Set(reflect.ValueOf(n))
		return true
	}
	if n.Type() == ast.NullType {
		// An empty value keeps the default, except that it clears
		// pointers, interfaces, slices and maps.
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			v.SetZero()
		}
		return true
	}
	switch t {
	case durationType:
		d.decodeDuration(n, v, path)
		return true
	case thresholdType:
		text, ok := scalarText(n)
		if !ok {
			d.problemAt(n, path, "want a number, percentage or duration, got %s", describe(n))
			return true
		}
		v.Set(reflect.ValueOf(Threshold{Text: text}))
		return true
	}
	if !v.CanAddr() {
		return false
	}
	switch u := v.Addr().Interface().(type) {
	case yaml.BytesUnmarshaler, yaml.BytesUnmarshalerContext,
		yaml.InterfaceUnmarshaler, yaml.InterfaceUnmarshalerContext,
		yaml.NodeUnmarshaler, yaml.NodeUnmarshalerContext:
		d.decodeWithGoccy(n, v, path)
		return true
	case encoding.TextUnmarshaler:
		text, ok := scalarText(n)
		if !ok {
			d.problemAt(n, path, "want a string, got %s", describe(n))
			return true
		}
		if err := u.UnmarshalText([]byte(text)); err != nil {
			d.problemAt(n, path, "%s", err.Error())
		}
		return true
	}
	return false
}

// decodeWithGoccy hands a value the decoder does not walk itself (custom
// unmarshalers, interfaces, arrays) to goccy/go-yaml, strictly.
func (d *specDecoder) decodeWithGoccy(n ast.Node, v reflect.Value, path string) {
	if !v.CanAddr() {
		d.problemAt(n, path, "cannot decode into %s", v.Type())
		return
	}
	if err := nodeToValue(n, v.Addr().Interface()); err != nil {
		d.yamlError(err, n, path)
	}
}

// nodeToValue is yaml.NodeToValue in strict mode, with any panic in the
// library turned into an error.
func nodeToValue(n ast.Node, ptr any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot decode value: %v", r)
		}
	}()
	return yaml.NodeToValue(n, ptr, yaml.Strict())
}

func (d *specDecoder) decodeDuration(n ast.Node, v reflect.Value, path string) {
	switch x := n.(type) {
	case *ast.StringNode:
		dur, err := time.ParseDuration(strings.TrimSpace(x.Value))
		if err != nil {
			d.problemAt(n, path, "invalid duration %q (want e.g. \"30s\" or \"800ms\")", x.Value)
			return
		}
		v.SetInt(int64(dur))
	case *ast.IntegerNode:
		if text, _ := scalarText(n); isZeroNumber(text) {
			v.SetInt(0)
			return
		}
		text, _ := scalarText(n)
		d.problemAt(n, path, "duration %s has no unit (want e.g. \"%ss\" or \"%sms\")", text, text, text)
	default:
		d.problemAt(n, path, "want a duration like \"30s\", got %s", describe(n))
	}
}

func isZeroNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return strings.Trim(s, "0") == "" && s != ""
}

func (d *specDecoder) decodeInt(n ast.Node, v reflect.Value, path string) {
	x, ok := n.(*ast.IntegerNode)
	if !ok {
		d.problemAt(n, path, "want an integer, got %s", describe(n))
		return
	}
	var i int64
	switch val := x.Value.(type) {
	case int64:
		i = val
	case uint64:
		if val > math.MaxInt64 {
			d.problemAt(n, path, "integer %s is too large", describe(n))
			return
		}
		i = int64(val)
	default:
		d.problemAt(n, path, "want an integer, got %s", describe(n))
		return
	}
	if v.OverflowInt(i) {
		d.problemAt(n, path, "integer %s is out of range", describe(n))
		return
	}
	v.SetInt(i)
}

func (d *specDecoder) decodeUint(n ast.Node, v reflect.Value, path string) {
	x, ok := n.(*ast.IntegerNode)
	if !ok {
		d.problemAt(n, path, "want a non-negative integer, got %s", describe(n))
		return
	}
	var u uint64
	switch val := x.Value.(type) {
	case int64:
		if val < 0 {
			d.problemAt(n, path, "want a non-negative integer, got %s", describe(n))
			return
		}
		u = uint64(val)
	case uint64:
		u = val
	default:
		d.problemAt(n, path, "want a non-negative integer, got %s", describe(n))
		return
	}
	if v.OverflowUint(u) {
		d.problemAt(n, path, "integer %s is out of range", describe(n))
		return
	}
	v.SetUint(u)
}

func (d *specDecoder) decodeFloat(n ast.Node, v reflect.Value, path string) {
	var f float64
	switch x := n.(type) {
	case *ast.FloatNode:
		f = x.Value
	case *ast.IntegerNode:
		switch val := x.Value.(type) {
		case int64:
			f = float64(val)
		case uint64:
			f = float64(val)
		}
	default:
		d.problemAt(n, path, "want a number, got %s", describe(n))
		return
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || v.OverflowFloat(f) {
		d.problemAt(n, path, "number %s is out of range", describe(n))
		return
	}
	v.SetFloat(f)
}

func (d *specDecoder) decodeSlice(n ast.Node, v reflect.Value, path string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.problemAt(n, path, "want a sequence, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, e := range seq.Values {
		child := indexPath(path, i)
		d.pos[child] = nodePos(e)
		d.decode(e, s.Index(i), child)
	}
	v.Set(s)
}

func (d *specDecoder) decodeMap(n ast.Node, v reflect.Value, path string) {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.decodeWithGoccy(n, v, path)
		return
	}
	pairs, ok := mapPairs(n)
	if !ok {
		d.problemAt(n, path, "want a mapping, got %s", describe(n))
		return
	}
	m := reflect.MakeMapWithSize(t, len(pairs))
	d.eachPair(pairs, path, 0, func(key string, kv *ast.MappingValueNode, child string) {
		e := reflect.New(t.Elem()).Elem()
		d.decode(kv.Value, e, child)
		m.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), e)
	})
	v.Set(m)
}

// eachPair calls fn for every entry of a mapping, merged entries ("<<")
// first so the mapping's own entries override them.
func (d *specDecoder) eachPair(pairs []*ast.MappingValueNode, path string, depth int, fn func(key string, kv *ast.MappingValueNode, child string)) {
	for _, kv := range pairs {
		if kv == nil || isNilNode(kv.Key) || !kv.Key.IsMergeKey() {
			continue
		}
		if depth >= maxNesting {
			d.problemAt(kv.Key, path, "merge keys nested too deeply")
			continue
		}
		srcs := d.mergeSources(kv.Value)
		for i := len(srcs) - 1; i >= 0; i-- {
			mp, ok := mapPairs(srcs[i])
			if !ok {
				d.problemAt(kv.Value, path, "merge key wants a mapping, got %s", describe(srcs[i]))
				continue
			}
			d.eachPair(mp, path, depth+1, fn)
		}
	}
	for _, kv := range pairs {
		if kv == nil || isNilNode(kv.Key) || kv.Key.IsMergeKey() {
			continue
		}
		key, ok := keyText(kv.Key)
		if !ok {
			d.problemAt(kv.Key, path, "want a string key, got %s", describe(kv.Key))
			continue
		}
		child := field.Join(path, key)
		d.pos[child] = valuePos(kv)
		fn(key, kv, child)
	}
}

func (d *specDecoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	pairs, ok := mapPairs(n)
	if !ok {
		d.problemAt(n, path, "want a mapping, got %s", describe(n))
		return
	}
	fields := yamlFields(v.Type())
	d.eachPair(pairs, path, 0, func(key string, kv *ast.MappingValueNode, child string) {
		index, ok := fields.byName[key]
		if !ok {
			d.problemAt(kv.Key, child, "unknown field %q (known: %s)", key, strings.Join(fields.names, ", "))
			return
		}
		f, ok := fieldByIndex(v, index)
		if !ok {
			d.problemAt(kv.Key, child, "cannot set field %q", key)
			return
		}
		d.decode(kv.Value, f, child)
	})
}

// fieldByIndex is v.FieldByIndex, allocating nil embedded pointers.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, v.CanSet()
}

// structFields maps a struct's YAML keys to its fields.
type structFields struct {
	byName map[string][]int
	names  []string // sorted, for messages
}

// yamlFields lists the YAML keys of struct type t the way goccy/go-yaml
// names them: the yaml tag (else the json tag, else the lower-cased field
// name); "-" skips a field; ",inline" flattens an embedded struct, whose
// keys lose to the outer struct's own.
func yamlFields(t reflect.Type) structFields {
	fs := structFields{byName: make(map[string][]int)}
	var collect func(t reflect.Type, index []int, depth int)
	collect = func(t reflect.Type, index []int, depth int) {
		type inline struct {
			t     reflect.Type
			index []int
		}
		var inlines []inline
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.PkgPath != "" && !f.Anonymous {
				continue
			}
			tag := f.Tag.Get("yaml")
			if tag == "" {
				tag = f.Tag.Get("json")
			}
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if hasTagOption(opts, "inline") {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct && depth < maxNesting {
					inlines = append(inlines, inline{ft, idx})
				}
				continue
			}
			if f.PkgPath != "" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if _, dup := fs.byName[name]; dup {
				continue
			}
			fs.byName[name] = idx
			fs.names = append(fs.names, name)
		}
		for _, in := range inlines {
			collect(in.t, in.index, depth+1)
		}
	}
	collect(t, nil, 0)
	sort.Strings(fs.names)
	return fs
}

func hasTagOption(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}
