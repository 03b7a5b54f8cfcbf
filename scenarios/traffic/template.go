package traffic

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// Template is a target whose URL, headers or body hold text/template
// actions, rendered afresh for every request so each carries ids of its
// own. A template sees a Request: {{.Seq}} (the attack's request number,
// from 0), {{.ID}} (a random 16-hex-digit id) and {{.Rand n}} (a random
// integer in [0, n)), all drawn from the attack's seed and the request
// number, so a run with the same seed sends the same requests.
type Template struct {
	url     *template.Template
	headers map[string]*template.Template
	body    *template.Template
	match   *regexp.Regexp // what the URL's renderings look like
}

// Request is what a template renders.
type Request struct {
	Seq uint64
	ID  string
	rng *rand.Rand
}

// Rand returns a random integer in [0, n); 0 when n <= 0.
func (r *Request) Rand(n int) int {
	if n <= 0 {
		return 0
	}
	return r.rng.IntN(n)
}

// IsTemplate reports whether s holds a template action.
func IsTemplate(s string) bool { return strings.Contains(s, "{{") }

// ParseTemplate parses a target's URL, headers and body; parts without
// actions are sent as written. Its error names the part that does not parse.
func ParseTemplate(url string, headers map[string]string, body string) (*Template, error) {
	t := &Template{headers: map[string]*template.Template{}}
	var err error
	if t.url, err = parsePart("url", url); err != nil {
		return nil, err
	}
	if t.body, err = parsePart("body", body); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if t.headers[k], err = parsePart("headers."+k, headers[k]); err != nil {
			return nil, err
		}
	}
	t.match = skeleton(t.url)
	// A template that parses may still fail to run (an unknown field):
	// render one request now, so it fails at validation.
	if _, _, _, err := t.Render(0, 0); err != nil {
		return nil, err
	}
	return t, nil
}

// TemplateError is a part of a target that does not parse or run.
type TemplateError struct {
	Part string // "url", "body" or "headers.<name>"
	Err  error
}

func (e *TemplateError) Error() string { return e.Part + ": " + e.Err.Error() }
func (e *TemplateError) Unwrap() error { return e.Err }

// parsePart parses one part.
func parsePart(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, &TemplateError{Part: name, Err: err}
	}
	return t, nil
}

// execute renders one part into buf.
func execute(t *template.Template, buf *bytes.Buffer, req *Request) error {
	buf.Reset()
	if err := t.Execute(buf, req); err != nil {
		return &TemplateError{Part: t.Name(), Err: err}
	}
	return nil
}

// Render renders request seq of an attack seeded with seed.
func (t *Template) Render(seq uint64, seed int64) (url string, header http.Header, body []byte, err error) {
	rng := rand.New(rand.NewPCG(uint64(seed), seq))
	req := &Request{Seq: seq, ID: fmt.Sprintf("%016x", rng.Uint64()), rng: rng}
	var buf bytes.Buffer
	if err := execute(t.url, &buf, req); err != nil {
		return "", nil, nil, err
	}
	url = buf.String()
	header = http.Header{}
	for k, h := range t.headers {
		if err := execute(h, &buf, req); err != nil {
			return "", nil, nil, err
		}
		header.Set(k, buf.String())
	}
	if err := execute(t.body, &buf, req); err != nil {
		return "", nil, nil, err
	}
	return url, header, bytes.Clone(buf.Bytes()), nil
}

// Matches reports whether url could be a rendering of the template's URL.
func (t *Template) Matches(url string) bool { return t.match.MatchString(url) }

// skeleton is a regexp of the template's literal text with anything
// between: what its renderings look like.
func skeleton(t *template.Template) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, n := range t.Tree.Root.Nodes {
		if txt, ok := n.(*parse.TextNode); ok {
			b.WriteString(regexp.QuoteMeta(string(txt.Text)))
		} else {
			b.WriteString(".*?")
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
