package patterns

import (
	"encoding"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faultline/faultline/internal/configdoc"
)

// ConfigKey is one key a scenario variant's config can set: its dotted
// YAML path, its type, its default, its baseline value and its doc.
type ConfigKey struct {
	Path, Type, Default, Baseline, Doc string
}

// Keys lists every key of p's configuration, depth first in declaration
// order, with the values of DefaultConfig and BaselineConfig.
func Keys(p Pattern) []ConfigKey {
	var out []ConfigKey
	walkConfig(reflect.ValueOf(p.DefaultConfig()), reflect.ValueOf(p.BaselineConfig()), "", &out)
	return out
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	unmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// walkConfig appends the leaves of struct def (and its baseline twin base)
// under prefix.
func walkConfig(def, base reflect.Value, prefix string, out *[]ConfigKey) {
	for def.Kind() == reflect.Pointer {
		def, base = def.Elem(), base.Elem()
	}
	t := def.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		path := name
		if prefix != "" && name != "" {
			path = prefix + "." + name
		} else if name == "" {
			path = prefix // inline
		}
		dv, bv := def.Field(i), base.Field(i)
		if isLeaf(f.Type) {
			*out = append(*out, ConfigKey{
				Path: path, Type: typeName(f.Type), Default: valueText(dv), Baseline: valueText(bv),
				Doc: firstSentence(fieldDoc(t, f.Name)),
			})
			continue
		}
		walkConfig(dv, bv, path, out)
	}
}

// fieldDoc is the comment of t's field name, else t's own: a struct whose
// fields go undocumented says what they are together.
func fieldDoc(t reflect.Type, name string) string {
	if d := configdoc.Field(t, name); d != "" {
		return d
	}
	return configdoc.Type(t)
}

func isLeaf(t reflect.Type) bool {
	return t.Kind() != reflect.Struct || t == durationType || reflect.PointerTo(t).Implements(unmarshalType)
}

func typeName(t reflect.Type) string {
	switch {
	case t == durationType:
		return "duration"
	case t.Kind() == reflect.Slice:
		return "list of " + typeName(t.Elem())
	case t.Kind() == reflect.Map:
		return "map of " + typeName(t.Elem())
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "number"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "integer"
	}
	return t.Kind().String()
}

func valueText(v reflect.Value) string {
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	if v.Kind() == reflect.String {
		return fmt.Sprintf("%q", v.String())
	}
	return fmt.Sprint(v.Interface())
}

// firstSentence is a comment's first sentence, without the field's name
// when it starts with it ("Timeout bounds..." stays: it reads as one).
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// Describe writes what a scenario author needs to know about p: its
// topology (services, edges, entry, downstream), every config key with its
// type, default and doc, what the baseline switches off (the keys whose
// baseline value differs), and the gauges and counters the report shows.
func Describe(w io.Writer, p Pattern) error {
	t := p.Topology()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\nTopology\n", p.Name(), p.Description())
	fmt.Fprintf(&b, "  services    %s\n", strings.Join(t.Services, ", "))
	var edges []string
	for _, e := range t.Edges {
		edges = append(edges, e.String())
	}
	fmt.Fprintf(&b, "  edges       %s   (fault targets: an edge, or a service)\n", strings.Join(edges, ", "))
	fmt.Fprintf(&b, "  entry       %s   (the client's load goes to it)\n", t.Entry)
	fmt.Fprintf(&b, "  downstream  %s   (amplification = its requests ÷ the client's)\n", orNone(t.Downstream))
	if t.StateMetric != "" {
		fmt.Fprintf(&b, "  state       %s on %s: %s\n", t.StateMetric, t.StateService, strings.Join(t.StateNames, ", "))
	}
	for _, name := range slices.Sorted(maps.Keys(t.Clusters)) {
		c := t.Clusters[name]
		fmt.Fprintf(&b, "  cluster     %s: %d nodes on the docker testbed (for the variants that replicate it), one on local (a fault on %s hits its leader; one on an edge to it, every node's edge)\n", name, c.Nodes, name)
	}
	fmt.Fprintf(&b, "  gauges      %s\n  counters    %s\n", orNone(strings.Join(t.Gauges, ", ")), orNone(strings.Join(t.Counters, ", ")))
	keys := Keys(p)
	b.WriteString("\nConfiguration (a variant's config: keys; dotted paths are nested keys)\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  key\ttype\tdefault\tdoc")
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k.Path, k.Type, k.Default, k.Doc)
	}
	tw.Flush()
	b.WriteString("\nBaseline (variant `baseline: true`) changes\n")
	changed := false
	for _, k := range keys {
		if k.Baseline != k.Default {
			fmt.Fprintf(&b, "  %s: %s → %s\n", k.Path, k.Default, k.Baseline)
			changed = true
		}
	}
	if !changed {
		b.WriteString("  nothing\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
