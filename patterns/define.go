package patterns

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
)

// Builder builds the HTTP handler of one service for a configuration that
// the pattern's Validate accepted. The stop function releases what the
// handler holds (goroutines, idle connections); it may be nil when there is
// nothing to release. On error the builder must release what it took.
type Builder[C any] func(ctx context.Context, c *C, env Env) (http.Handler, func(), error)

// Spec is what a pattern package states about its pattern, and all it
// states: Define does the rest (the type checks of a configuration, finding
// a service's builder, the baseline from the defaults).
type Spec[C any] struct {
	// Name is the pattern's identifier in scenario files ("circuit-breaker").
	Name string
	// Description says in one sentence what the pattern contains.
	Description string
	Topology    Topology
	// Defaults returns a new configuration holding the pattern's documented
	// defaults. Scenario variants decode their overrides onto it (YAML keys
	// are C's yaml tags).
	Defaults func() *C
	// Baseline switches the pattern off in a configuration: applied to the
	// defaults, it gives the naive design the pattern is compared with.
	Baseline func(c *C)
	// Validate checks a configuration after overrides were applied. It
	// returns internal/field errors whose paths are C's YAML keys (several
	// joined with errors.Join). Nil: every configuration is valid.
	Validate func(c *C) error
	// Services holds one builder per service of the topology.
	Services map[string]Builder[C]
}

// Define returns the Pattern a spec states. It panics when the spec is not
// consistent, a programmer error: no name, no defaults or baseline, a
// topology service without a builder, a builder for a service the topology
// does not have, or a topology whose entry, edges, downstream or state
// service name services it does not have.
func Define[C any](s Spec[C]) Pattern {
	if err := s.check(); err != nil {
		panic(fmt.Sprintf("patterns.Define(%q): %v", s.Name, err))
	}
	return &defined[C]{s}
}

// check lists every inconsistency of the spec.
func (s *Spec[C]) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.Name == "" {
		bad("no Name")
	}
	if s.Defaults == nil {
		bad("no Defaults")
	}
	if s.Baseline == nil {
		bad("no Baseline: every pattern is compared with the naive design")
	}
	if err := s.Topology.check(); err != nil {
		errs = append(errs, err)
	}
	for _, name := range s.Topology.Services {
		if b, ok := s.Services[name]; !ok || b == nil {
			bad("service %q has no builder in Services", name)
		}
	}
	var unknown []string
	for name := range s.Services {
		if !s.Topology.HasService(name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		bad("Services has a builder for %q, which is not a service of the topology %v", name, s.Topology.Services)
	}
	return errors.Join(errs...)
}

// check lists every inconsistency of the topology.
func (t Topology) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(t.Services) == 0 {
		bad("the topology has no services")
	}
	for i, name := range t.Services {
		if name == "" || name == Client {
			bad("topology service %d is called %q, which is reserved", i, name)
		} else if slices.Index(t.Services, name) != i {
			bad("topology service %q is listed twice", name)
		}
	}
	for i, e := range t.Edges {
		if e.From != Client && !t.HasService(e.From) || !t.HasService(e.To) {
			bad("edge %s names a service the topology does not have", e)
		} else if slices.Index(t.Edges, e) != i {
			bad("edge %s is listed twice", e)
		}
	}
	if !t.HasService(t.Entry) {
		bad("entry %q is not a service of the topology", t.Entry)
	} else if !t.HasEdge(Edge{From: Client, To: t.Entry}) {
		bad("no edge %s to the entry", Edge{From: Client, To: t.Entry})
	}
	if t.Downstream != "" && !t.HasService(t.Downstream) {
		bad("downstream %q is not a service of the topology", t.Downstream)
	}
	for svc := range t.Controls {
		if !t.HasService(svc) {
			bad("controls of %q, which is not a service of the topology", svc)
		}
	}
	if c := t.Consistency; c != nil && (!t.HasService(c.Audit) || c.Op == nil) {
		bad("consistency needs Audit (one of the services) and Op; got %q", c.Audit)
	}
	if t.StateService != "" || t.StateMetric != "" || len(t.StateNames) > 0 {
		if !t.HasService(t.StateService) || t.StateMetric == "" || len(t.StateNames) == 0 {
			bad("a state band needs StateService (one of the services), StateMetric and StateNames; got %q, %q, %v",
				t.StateService, t.StateMetric, t.StateNames)
		}
	}
	return errors.Join(errs...)
}

// defined is a Pattern made from a Spec.
type defined[C any] struct{ s Spec[C] }

func (d *defined[C]) Name() string        { return d.s.Name }
func (d *defined[C]) Description() string { return d.s.Description }

// Topology returns a copy, so a caller cannot change the pattern's.
func (d *defined[C]) Topology() Topology {
	t := d.s.Topology
	t.Services = slices.Clone(t.Services)
	t.Edges = slices.Clone(t.Edges)
	t.StateNames = slices.Clone(t.StateNames)
	t.Gauges = slices.Clone(t.Gauges)
	t.Counters = slices.Clone(t.Counters)
	t.Controls = maps.Clone(t.Controls)
	return t
}

func (d *defined[C]) DefaultConfig() any { return d.s.Defaults() }

func (d *defined[C]) BaselineConfig() any {
	c := d.s.Defaults()
	d.s.Baseline(c)
	return c
}

func (d *defined[C]) Validate(cfg any) error {
	c, err := d.config(cfg)
	if err != nil {
		return err
	}
	if d.s.Validate == nil {
		return nil
	}
	return d.s.Validate(c)
}

// Handler finds the service's builder, checks the configuration and builds
// the handler; the stop function it returns is never nil.
func (d *defined[C]) Handler(ctx context.Context, service string, cfg any, env Env) (http.Handler, func(), error) {
	build, ok := d.s.Services[service]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no service %q", d.s.Name, service)
	}
	if err := d.Validate(cfg); err != nil {
		return nil, nil, err
	}
	h, stop, err := build(ctx, cfg.(*C), env)
	switch {
	case err != nil:
		return nil, nil, err
	case h == nil:
		if stop != nil {
			stop()
		}
		return nil, nil, fmt.Errorf("%s: the builder of service %q returned no handler", d.s.Name, service)
	case stop == nil:
		stop = func() {}
	}
	return h, stop, nil
}

// config is cfg as the pattern's configuration type.
func (d *defined[C]) config(cfg any) (*C, error) {
	c, ok := cfg.(*C)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: configuration is %T, want %T", d.s.Name, cfg, c)
	case c == nil:
		return nil, fmt.Errorf("%s: configuration is a nil %T", d.s.Name, c)
	}
	return c, nil
}
