package layout

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    Rule
		wantErr string // a part of the error; "" for none
	}{
		{"nothing", "Package x does x.\n\nIt imports nothing of faultline.\n", Rule{Nothing: true}, ""},
		{"nothing, doc of one paragraph", "It imports nothing of faultline.", Rule{Nothing: true}, ""},
		{"one name", "Package x.\n\nIt must not import scenarios.\n", Rule{Forbidden: []string{"scenarios"}}, ""},
		{"two names", "Package x.\n\nIt must not import scenarios or cmd.", Rule{Forbidden: []string{"scenarios", "cmd"}}, ""},
		{"a list", "Package x.\n\nIt must not import scenarios, reports, testbeds or cmd.",
			Rule{Forbidden: []string{"scenarios", "reports", "testbeds", "cmd"}}, ""},
		{"paths and external modules", "Package x.\n\nIt must not import patterns/kit, gonum.org/v1/plot or cmd.",
			Rule{Forbidden: []string{"patterns/kit", "gonum.org/v1/plot", "cmd"}}, ""},
		{"a rule wrapped over lines", "Package x.\n\nIt must not import scenarios, reports,\ntestbeds or cmd.\n",
			Rule{Forbidden: []string{"scenarios", "reports", "testbeds", "cmd"}}, ""},
		{"no doc", "", Rule{}, "no package doc comment"},
		{"no rule", "Package x does x.\n", Rule{}, `its last paragraph is "Package x does x."`},
		{"a rule not at the end", "Package x.\n\nIt imports nothing of faultline.\n\nMore text.", Rule{}, `its last paragraph is "More text."`},
		{"a rule not on its own", "Package x does x. It imports nothing of faultline.", Rule{}, "does not end with an import rule"},
		{"prose after the rule", "Package x.\n\nIt must not import scenarios: it is a leaf.", Rule{}, `"scenarios: it is a leaf" is not a path`},
		{"old prose", "Package x.\n\nThis package must not import scenarios.", Rule{}, "does not end with an import rule"},
		{"no full stop", "Package x.\n\nIt must not import scenarios", Rule{}, "does not end with an import rule"},
		{"an Oxford comma", "Package x.\n\nIt must not import a, b, or c.", Rule{}, `"b," is not a path`},
		{"a list without or", "Package x.\n\nIt must not import a, b.", Rule{}, `"a, b" is not a path`},
		{"and instead of or", "Package x.\n\nIt must not import a and b.", Rule{}, `"a and b" is not a path`},
		{"an empty list", "Package x.\n\nIt must not import .", Rule{}, `"" is not a path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRule(tt.doc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRule = %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Nothing != tt.want.Nothing || !slices.Equal(got.Forbidden, tt.want.Forbidden) {
				t.Errorf("ParseRule = %+v, want %+v", got, tt.want)
			}
			if again, err := ParseRule(got.String()); err != nil || again.String() != got.String() {
				t.Errorf("String() = %q does not parse back: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	const m = "example.com/m"
	// A small module: cmd → app → (lib, report); report → plot (external);
	// lib → internal/util → internal/util/deep; bad → internal/leaky → app.
	g := Graph{
		m + "/cmd":                {m + "/app"},
		m + "/app":                {m + "/lib", m + "/report", "fmt"},
		m + "/lib":                {m + "/internal/util", "strings"},
		m + "/report":             {"gonum.org/v1/plot"},
		m + "/internal/util":      {m + "/internal/util/deep"},
		m + "/internal/util/deep": {"fmt"},
		m + "/internal/leaky":     {m + "/app"},
		m + "/bad":                {m + "/internal/leaky"},
		m + "/app/part":           {m + "/app/internal/own"},
		m + "/app/internal/own":   {"fmt"},
		m + "/other":              {m + "/app/internal/own"},
		"gonum.org/v1/plot":       {"gonum.org/v1/plot/vg", "image"},
		"gonum.org/v1/plot/vg":    {"image"},
		"fmt":                     nil, "strings": nil, "image": nil,
	}
	nothing := Rule{Nothing: true}
	not := func(names ...string) Rule { return Rule{Forbidden: names} }
	tests := []struct {
		name    string
		pkg     string
		rule    Rule
		want    []string // chains, module prefix trimmed, joined with " → "
		wantErr string
	}{
		{"a leaf", "lib", nothing, nil, ""},
		{"internal packages are leaves", "internal/util", nothing, nil, ""},
		{"internal packages' imports are checked", "bad", nothing, []string{"bad → internal/leaky → app"}, ""},
		{"nothing of the module", "cmd", nothing, []string{"cmd → app"}, ""},
		{"a name covers its subtree", "app", not("internal/util"), []string{"app → lib → internal/util"}, ""},
		{"a transitive import", "cmd", not("report"), []string{"cmd → app → report"}, ""},
		{"several", "app", not("lib", "report"), []string{"app → lib", "app → report"}, ""},
		{"an external module", "cmd", not("gonum.org/v1/plot"), []string{"cmd → app → report → gonum.org/v1/plot"}, ""},
		{"an external package below a name", "report", not("gonum.org/v1/plot/vg"), []string{"report → gonum.org/v1/plot → gonum.org/v1/plot/vg"}, ""},
		{"a rule kept", "report", not("cmd", "app", "lib"), nil, ""},
		{"a name is a path, not a string prefix", "app", not("li"), nil, "no package of the module"},
		{"a name that is no package", "app", not("scenarios"), nil, `"scenarios", which is no package of the module`},
		{"an internal package may be forbidden by name", "lib", not("internal"), []string{"lib → internal/util"}, ""},
		{"a layer's own internals are its parts", "app/part", not("app"), nil, ""},
		{"another layer's internals are not", "other", not("app"), []string{"other → app/internal/own"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chains, err := Check(m, g, m+"/"+tt.pkg, tt.rule)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Check = %v, %v; want an error containing %q", chains, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range chains {
				got = append(got, strings.ReplaceAll(strings.Join(c, " → "), m+"/", ""))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check = %q, want %q", got, tt.want)
			}
		})
	}
}
