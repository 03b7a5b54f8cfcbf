package scenarios

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/invopop/jsonschema"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/configdoc"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/reports/model"
)

// SchemaID is the $id of the scenario format's JSON Schema.
const SchemaID = "https://github.com/faultline/faultline/scenario.schema.json"

// Patterns in a schema: a duration ("800ms", "1m30s", or 0) and a rate
// ("200/s", "50/100ms").
const (
	durationPattern = `^\s*-?([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+\s*$`
	ratePattern     = `^\s*[0-9]+\s*/\s*([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+\s*$`
)

// Schema returns the JSON Schema (draft 2020-12) of the scenario format,
// reflected from the types the parser decodes into (the scenario's, each
// fault kind's, each pattern's configuration) and the names the validator
// accepts (metrics, phases, kinds, patterns), with their doc comments as
// descriptions. Decoding is strict, so unknown keys are refused.
func Schema(cat patterns.Catalog) ([]byte, error) {
	r := reflector()
	s := r.ReflectFromType(reflect.TypeFor[rawScenario]())
	s.ID, s.Title = SchemaID, "faultline scenario"
	props := s.Properties
	var names []any
	for _, p := range cat {
		names = append(names, p.Name())
		s.AllOf = append(s.AllOf, patternConfig(r, p))
	}
	props.Value("pattern").Enum = names
	props.Value("faults").Items = faultSchema(r)
	slo := props.Value("slo").Items.Properties
	var metrics []any
	for _, m := range model.Metrics {
		metrics = append(metrics, m.Name)
	}
	slo.Value("metric").Enum = metrics
	slo.Value("phase").Enum = enum(phases...)
	v := props.Value("variants").Items.Properties
	v.Value("expect").Enum = enum("pass", "violate")
	sw := props.Value("sweep")
	sw.Properties.Value("params").Type = "object"
	sw.Properties.Value("params").AdditionalProperties = &jsonschema.Schema{Type: "array", MinItems: ptr(uint64(1))}
	sw.Properties.Value("mode").Enum = enum("grid", "each")
	sw.Properties.Value("rank_by").Properties.Value("order").Enum = enum("asc", "desc")
	sw.Properties.Value("rank_by").Properties.Value("metric").Enum = metrics
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	return append(b, '\n'), nil
}

// reflector reflects Go types as the parser decodes YAML: yaml keys, no key
// required (defaults fill them), none unknown, comments as descriptions.
func reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		DoNotReference:             true,
		ExpandedStruct:             true,
		Anonymous:                  true,
		RequiredFromJSONSchemaTags: true,
		CommentMap:                 configdoc.Map(),
		Mapper:                     mapType,
		// Types are told apart by package: every pattern has a Config.
		Namer: func(t reflect.Type) string { return strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + t.Name() },
	}
}

// mapType is the schema of the types the parser reads from text.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[time.Duration]():
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "string", Pattern: durationPattern, Description: "a duration: 800ms, 1.5s, 2m"},
			{Const: 0},
		}}
	case reflect.TypeFor[Rate]():
		return &jsonschema.Schema{Type: "string", Pattern: ratePattern, Description: "requests per period: 200/s, 600/m, 50/100ms"}
	case reflect.TypeFor[Threshold]():
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "number"},
			{Type: "string", Description: "a percentage (95%) or a duration (300ms), in the metric's unit"},
		}}
	case reflect.TypeFor[ast.Node]():
		return &jsonschema.Schema{} // filled in by Schema
	}
	return nil
}

// faultSchema is one fault of the timeline: its kind picks its fields.
func faultSchema(r *jsonschema.Reflector) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "object", Required: []string{"kind"}}
	s.Properties = jsonschema.NewProperties()
	s.Properties.Set("kind", &jsonschema.Schema{Enum: enum(faults.Kinds()...)})
	for _, k := range faults.Kinds() {
		f, _ := faults.New(k)
		cond := &jsonschema.Schema{Properties: jsonschema.NewProperties(), Required: []string{"kind"}}
		cond.Properties.Set("kind", &jsonschema.Schema{Const: k})
		s.AllOf = append(s.AllOf, &jsonschema.Schema{If: cond, Then: reflectPart(r, reflect.TypeOf(f).Elem())})
	}
	return s
}

// patternConfig says that, with pattern p, a variant's config holds p's
// configuration keys.
func patternConfig(r *jsonschema.Reflector, p patterns.Pattern) *jsonschema.Schema {
	cond := &jsonschema.Schema{Properties: jsonschema.NewProperties(), Required: []string{"pattern"}}
	cond.Properties.Set("pattern", &jsonschema.Schema{Const: p.Name()})
	cfg := reflectPart(r, reflect.TypeOf(p.DefaultConfig()).Elem())
	variant := &jsonschema.Schema{Properties: jsonschema.NewProperties()}
	variant.Properties.Set("config", cfg)
	then := &jsonschema.Schema{Properties: jsonschema.NewProperties()}
	then.Properties.Set("variants", &jsonschema.Schema{Items: variant})
	return &jsonschema.Schema{If: cond, Then: then}
}

// reflectPart is the schema of t as part of another (no $schema of its own).
func reflectPart(r *jsonschema.Reflector, t reflect.Type) *jsonschema.Schema {
	s := r.ReflectFromType(t)
	s.Version = ""
	return s
}

func enum(names ...string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

func ptr[T any](v T) *T { return &v }
