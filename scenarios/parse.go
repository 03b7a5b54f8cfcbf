package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/faultline/faultline/patterns"
)

// MaxFileSize bounds a scenario file (they are a few KiB), which keeps the
// YAML parser's time bounded on any input.
const MaxFileSize = 256 << 10

// ReadFile reads a scenario file and parses it with Parse. It reads
// regular files only (a FIFO would block, /dev/zero never ends), and at
// most MaxFileSize bytes of them.
func ReadFile(path string, cat patterns.Catalog) (*Scenario, error) {
	src, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", escape(path), bare(err))
	}
	return Parse(path, src, cat)
}

// Parse decodes and validates a scenario. file names it in messages; cat
// resolves its pattern. Defaults are applied to everything left out.
//
// When the scenario has problems, Parse returns a nil scenario and an
// *Errors holding every problem found, sorted by position.
func Parse(file string, src []byte, cat patterns.Catalog) (*Scenario, error) {
	d := newSpecDecoder(file)
	if len(src) > MaxFileSize {
		d.addProblem(yamlPos{1, 1}, "", fmt.Sprintf("file is larger than the %d bytes a scenario may have", MaxFileSize))
		return nil, &Errors{Problems: d.problems}
	}
	var s *Scenario
	if raw := d.parse(src); raw != nil {
		s = validate(d, raw, cat)
	}
	if len(d.problems) > 0 {
		sortProblems(d.problems)
		return nil, &Errors{Problems: d.problems}
	}
	return s, nil
}

// rawScenario is a scenario as written: variants keep their config
// overrides and faults their mapping, to be decoded once the pattern and
// each fault's kind are known.
type rawScenario struct {
	Scenario `yaml:",inline"`
	Variants []rawVariant `yaml:"variants"`
	Faults   []ast.Node   `yaml:"faults"`
	Actions  []ast.Node   `yaml:"actions"`
	Sweep    *rawSweep    `yaml:"sweep"`
}

type rawVariant struct {
	Variant `yaml:",inline"`
	Config  ast.Node `yaml:"config"`
}

// parseYAML parses src, turning a panic in the parser into an error.
func parseYAML(src []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("cannot parse YAML: %v", r)
		}
	}()
	return parser.ParseBytes(src, 0)
}

// parse parses src and decodes it as written, or returns nil when it is not
// a YAML mapping of scenario fields.
func (d *specDecoder) parse(src []byte) *rawScenario {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if p, ok := prescan(src); !ok {
		d.addProblem(p, "", fmt.Sprintf("collections nested more than %d deep: a scenario needs far fewer", maxDepth))
		return nil
	}
	f, err := parseYAML(src)
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			p := yamlPos{1, 1}
			if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
				p = yamlPos{tk.Position.Line, tk.Position.Column}
			}
			d.addProblem(p, pathAt(src, p), yerr.GetMessage())
		} else {
			d.addProblem(yamlPos{1, 1}, "", err.Error())
		}
		return nil
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && !isNilNode(doc.Body) && doc.Body.Type() != ast.NullType {
			docs = append(docs, doc.Body)
		}
	}
	if len(docs) == 0 {
		d.addProblem(yamlPos{1, 1}, "", "empty scenario file")
		return nil
	}
	if len(docs) > 1 {
		d.addProblem(nodePos(docs[1]), "", "more than one YAML document: a scenario file holds one")
	}
	root := docs[0]
	d.collectAnchors(root, 0)
	if !d.checkExpansion(root) {
		return nil
	}
	d.pos[""] = nodePos(root)

	r := d.resolve(root, "")
	if r == nil {
		return nil
	}
	if _, ok := mapPairs(r); !ok {
		d.problemAt(r, "", "want a mapping of scenario fields, got %s", describe(r))
		return nil
	}
	var raw rawScenario
	d.decode(r, reflect.ValueOf(&raw).Elem(), "")
	return &raw
}
