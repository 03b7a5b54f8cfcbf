package patterns_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
)

// toyConfig configures toy, a two-service pattern: front → back.
type toyConfig struct {
	On      bool
	Workers int
}

// toySpec returns a consistent spec; built counts the builders' calls.
func toySpec(built map[string]*toyConfig) patterns.Spec[toyConfig] {
	builder := func(name string, stop func()) patterns.Builder[toyConfig] {
		return func(_ context.Context, c *toyConfig, _ patterns.Env) (http.Handler, func(), error) {
			built[name] = c
			return http.NotFoundHandler(), stop, nil
		}
	}
	return patterns.Spec[toyConfig]{
		Name:        "toy",
		Description: "client → front → back",
		Topology: patterns.Topology{
			Services: []string{"back", "front"},
			Edges:    []patterns.Edge{{From: patterns.Client, To: "front"}, {From: "front", To: "back"}},
			Entry:    "front",
		},
		Defaults: func() *toyConfig { return &toyConfig{On: true, Workers: 4} },
		Baseline: func(c *toyConfig) { c.On = false },
		Validate: func(c *toyConfig) error {
			if c.Workers <= 0 {
				return field.Errorf("workers", "must be > 0, got %d", c.Workers)
			}
			return nil
		},
		Services: map[string]patterns.Builder[toyConfig]{
			"back":  builder("back", nil), // nothing to stop
			"front": builder("front", func() {}),
		},
	}
}

func TestDefinedPattern(t *testing.T) {
	built := map[string]*toyConfig{}
	p := patterns.Define(toySpec(built))
	env := patterns.Env{}
	tests := []struct {
		name    string
		service string
		cfg     any
		wantErr string // substring; "" means it builds
	}{
		{"builds from the defaults", "front", p.DefaultConfig(), ""},
		{"builds from the baseline", "back", p.BaselineConfig(), ""},
		{"unknown service", "middle", p.DefaultConfig(), `toy: no service "middle"`},
		{"client is no service", patterns.Client, p.DefaultConfig(), `toy: no service "client"`},
		{"wrong config type", "front", &struct{}{}, "toy: configuration is *struct {}, want *patterns_test.toyConfig"},
		{"config by value", "front", toyConfig{}, "want *patterns_test.toyConfig"},
		{"nil config", "front", (*toyConfig)(nil), "toy: configuration is a nil *patterns_test.toyConfig"},
		{"no config", "front", nil, "toy: configuration is <nil>"},
		{"invalid config", "front", &toyConfig{Workers: 0}, "workers: must be > 0, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clear(built)
			h, stop, err := p.Handler(context.Background(), tt.service, tt.cfg, env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Handler = %v, want an error containing %q", err, tt.wantErr)
				}
				if h != nil || stop != nil || len(built) != 0 {
					t.Errorf("Handler failed but returned a handler or stop, or built %v", built)
				}
				return
			}
			if err != nil || h == nil || stop == nil {
				t.Fatalf("Handler = %v, %v, stop nil: %v; want a handler and a stop function", h, err, stop == nil)
			}
			stop()
			if built[tt.service] != tt.cfg {
				t.Errorf("the builder of %s got %p, want the configuration handed to Handler (%p)", tt.service, built[tt.service], tt.cfg)
			}
		})
	}
}

func TestDefinedConfigs(t *testing.T) {
	p := patterns.Define(toySpec(map[string]*toyConfig{}))
	def, base := p.DefaultConfig().(*toyConfig), p.BaselineConfig().(*toyConfig)
	if *def != (toyConfig{On: true, Workers: 4}) {
		t.Errorf("DefaultConfig = %+v, want the spec's Defaults", *def)
	}
	if *base != (toyConfig{On: false, Workers: 4}) {
		t.Errorf("BaselineConfig = %+v, want Baseline applied to the defaults", *base)
	}
	if def == p.DefaultConfig().(*toyConfig) || base == p.BaselineConfig().(*toyConfig) {
		t.Error("two calls returned the same configuration; want a fresh one each")
	}
	if d := p.DefaultConfig().(*toyConfig); !d.On {
		t.Error("BaselineConfig changed the defaults")
	}

	var fe *field.Error
	if err := p.Validate(&toyConfig{}); !errors.As(err, &fe) || fe.Path != "workers" {
		t.Errorf("Validate = %v, want the spec's field error at workers", err)
	}
	if err := p.Validate(struct{}{}); err == nil {
		t.Error("Validate accepted a foreign configuration type")
	}
	s := toySpec(map[string]*toyConfig{})
	s.Validate = nil
	if err := patterns.Define(s).Validate(&toyConfig{Workers: -1}); err != nil {
		t.Errorf("without a Validate, Validate = %v, want nil", err)
	}

	if p.Name() != "toy" || p.Description() != "client → front → back" {
		t.Errorf("Name, Description = %q, %q", p.Name(), p.Description())
	}
	topo := p.Topology()
	topo.Services[0] = "changed"
	topo.Edges[0].To = "changed"
	if again := p.Topology(); again.Services[0] != "back" || again.Edges[0].To != "front" {
		t.Errorf("changing a returned topology changed the pattern's: %+v", again)
	}
}

func TestDefineRejectsInconsistentSpecs(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *patterns.Spec[toyConfig])
		want   string // substring of the panic message
	}{
		{"no name", func(s *patterns.Spec[toyConfig]) { s.Name = "" }, "no Name"},
		{"no defaults", func(s *patterns.Spec[toyConfig]) { s.Defaults = nil }, "no Defaults"},
		{"no baseline", func(s *patterns.Spec[toyConfig]) { s.Baseline = nil }, "no Baseline"},
		{"missing builder", func(s *patterns.Spec[toyConfig]) { delete(s.Services, "back") }, `service "back" has no builder`},
		{"nil builder", func(s *patterns.Spec[toyConfig]) { s.Services["back"] = nil }, `service "back" has no builder`},
		{"builder for an unknown service", func(s *patterns.Spec[toyConfig]) { s.Services["middle"] = s.Services["back"] },
			`builder for "middle", which is not a service of the topology [back front]`},
		{"no services", func(s *patterns.Spec[toyConfig]) { s.Topology.Services = nil }, "no services"},
		{"service listed twice", func(s *patterns.Spec[toyConfig]) { s.Topology.Services = append(s.Topology.Services, "back") },
			`"back" is listed twice`},
		{"service called client", func(s *patterns.Spec[toyConfig]) {
			s.Topology.Services = append(s.Topology.Services, patterns.Client)
			s.Services[patterns.Client] = s.Services["back"]
		}, `called "client", which is reserved`},
		{"unknown entry", func(s *patterns.Spec[toyConfig]) { s.Topology.Entry = "middle" }, `entry "middle" is not a service`},
		{"no client edge", func(s *patterns.Spec[toyConfig]) { s.Topology.Edges = s.Topology.Edges[1:] }, "no edge client->front to the entry"},
		{"edge to nowhere", func(s *patterns.Spec[toyConfig]) {
			s.Topology.Edges = append(s.Topology.Edges, patterns.Edge{From: "front", To: "middle"})
		}, "edge front->middle names a service"},
		{"edge listed twice", func(s *patterns.Spec[toyConfig]) { s.Topology.Edges = append(s.Topology.Edges, s.Topology.Edges[1]) },
			"edge front->back is listed twice"},
		{"unknown downstream", func(s *patterns.Spec[toyConfig]) { s.Topology.Downstream = "middle" }, `downstream "middle"`},
		{"half a state band", func(s *patterns.Spec[toyConfig]) { s.Topology.StateMetric = "faultline_toy_state" }, "a state band needs"},
		{"every problem at once", func(s *patterns.Spec[toyConfig]) { s.Name, s.Defaults = "", nil }, "no Name\nno Defaults"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := toySpec(map[string]*toyConfig{})
			tt.change(&s)
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if r == nil || !strings.HasPrefix(msg, "patterns.Define(") || !strings.Contains(msg, tt.want) {
					t.Errorf("Define panicked with %v, want a message containing %q", r, tt.want)
				}
			}()
			patterns.Define(s)
		})
	}

	t.Run("a consistent spec", func(t *testing.T) {
		s := toySpec(map[string]*toyConfig{})
		s.Topology.Downstream = "back"
		s.Topology.StateService, s.Topology.StateMetric, s.Topology.StateNames = "front", "faultline_toy_state", []string{"on", "off"}
		patterns.Define(s) // must not panic
	})
}
