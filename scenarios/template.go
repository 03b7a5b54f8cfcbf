package scenarios

import (
	"errors"
	"net/url"
	"strings"

	"github.com/faultline/faultline/scenarios/traffic"
)

// templated reports whether the target's path, headers or body hold
// template actions ({{.Seq}}, {{.ID}}, {{.Rand n}}).
func (t *Target) templated() bool {
	if traffic.IsTemplate(t.Path) || traffic.IsTemplate(t.Body) {
		return true
	}
	for _, v := range t.Headers {
		if traffic.IsTemplate(v) {
			return true
		}
	}
	return false
}

// template is the target's template aimed at entry, nil when it has none.
// The validator has parsed it.
func (t *Target) template(entry string) *traffic.Template {
	if !t.templated() {
		return nil
	}
	tpl, err := traffic.ParseTemplate(entry+t.Path, t.Headers, t.Body)
	if err != nil {
		panic("scenarios: a validated template does not parse: " + err.Error())
	}
	return tpl
}

// template checks a templated target at path p: each part parses and
// runs, and its first rendering is a valid path and valid header values.
// It reports whether the target is templated.
func (v *validator) template(p string, t *Target) bool {
	if !t.templated() {
		return false
	}
	tpl, err := traffic.ParseTemplate(t.Path, t.Headers, t.Body)
	var te *traffic.TemplateError
	if errors.As(err, &te) {
		part := te.Part
		if part == "url" {
			part = "path"
		}
		v.report(p+"."+part, "template does not parse: %v", te.Err)
		return true
	}
	path, header, _, _ := tpl.Render(0, v.s.Seed)
	if _, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n") {
		v.report(p+".path", "template renders an invalid path %q", path)
	}
	for name, vals := range header {
		if strings.ContainsAny(strings.Join(vals, ""), "\r\n\x00") {
			v.report(p+".headers."+name, "template renders a line break or NUL")
		}
	}
	return true
}
