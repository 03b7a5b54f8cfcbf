package scenarios_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/scenarios"
)

// compileSchema compiles the scenario format's schema as an editor would.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := scenarios.Schema(catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(scenarios.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(scenarios.SchemaID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return s
}

// instance reads YAML as the JSON value a schema validator sees.
func instance(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSchemaAcceptsEveryBuiltinScenario keeps the schema and the parser in
// step: every built-in scenario, which the parser accepts, is valid.
func TestSchemaAcceptsEveryBuiltinScenario(t *testing.T) {
	s := compileSchema(t)
	for _, name := range scenarios.Builtin() {
		t.Run(name, func(t *testing.T) {
			src, err := scenarios.BuiltinSource(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(instance(t, src)); err != nil {
				t.Errorf("the schema refuses built-in scenario %s: %v", name, err)
			}
		})
	}
}

// TestSchemaRefusesWhatTheParserRefuses checks, for mistakes the parser
// reports, that the schema reports them too (so an editor underlines them).
func TestSchemaRefusesWhatTheParserRefuses(t *testing.T) {
	s := compileSchema(t)
	base, err := scenarios.BuiltinSource("ambassador")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, from, to string }{
		{"unknown top-level key", "seed: 42", "seed: 42\nseeds: 1"},
		{"unknown pattern", "pattern: ambassador", "pattern: ambassadors"},
		{"unknown config key", "mode: retry ", "mode: retry\n        retries: 3 "},
		{"unknown fault kind", "kind: reset_peer", "kind: reset_peers"},
		{"a field of another fault kind", "rate: 0.1", "rate: 0.1\n    latency: 1s"},
		{"unknown metric", "metric: p99", "metric: p95"},
		{"bad duration", "duration: 20s", "duration: twenty"},
		{"bad rate", "rate: 100/s", "rate: fast"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(string(base), tc.from, tc.to, 1)
			if src == string(base) {
				t.Fatalf("%q is not in the scenario", tc.from)
			}
			if _, err := scenarios.Parse("x.yaml", []byte(src), catalog.All()); err == nil {
				t.Fatalf("the parser accepts it: the case is wrong")
			}
			if err := s.Validate(instance(t, []byte(src))); err == nil {
				t.Errorf("the schema accepts it")
			}
		})
	}
}
