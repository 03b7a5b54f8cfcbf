package faults

import (
	"context"
	"fmt"
	"time"

	"github.com/faultline/faultline/faults/httpfault"
)

// HTTPError makes a service answer Status (body "injected fault") to a
// share Rate of its requests, through its httpfault admin API.
type HTTPError struct {
	Common `yaml:",inline"`
	Status int     `yaml:"status" json:"status"`
	Rate   float64 `yaml:"rate" json:"rate"` // 0..1; default 1
}

func (f *HTTPError) On() On { return OnService }

func (f *HTTPError) rule() httpfault.Rule {
	return httpfault.Rule{Kind: httpfault.KindError, Rate: f.Rate, Status: f.Status}
}

func (f *HTTPError) Validate() error {
	return firstErr(f.Common.validate(OnService, false), f.rule().Validate())
}

func (f *HTTPError) Apply(ctx context.Context, t Target) error {
	return putRule(ctx, t, &f.Common, f.rule())
}

func (f *HTTPError) Revert(ctx context.Context, t Target) error {
	return deleteRule(ctx, t, &f.Common)
}

// HTTPDelay makes a service wait Delay ± Jitter before serving a share Rate
// of its requests, through its httpfault admin API.
type HTTPDelay struct {
	Common `yaml:",inline"`
	Delay  time.Duration `yaml:"delay" json:"delay"`
	Jitter time.Duration `yaml:"jitter" json:"jitter"`
	Rate   float64       `yaml:"rate" json:"rate"` // 0..1; default 1
}

func (f *HTTPDelay) On() On { return OnService }

func (f *HTTPDelay) rule() httpfault.Rule {
	return httpfault.Rule{Kind: httpfault.KindDelay, Rate: f.Rate, Delay: f.Delay, Jitter: f.Jitter}
}

func (f *HTTPDelay) Validate() error {
	return firstErr(f.Common.validate(OnService, false), f.rule().Validate())
}

func (f *HTTPDelay) Apply(ctx context.Context, t Target) error {
	return putRule(ctx, t, &f.Common, f.rule())
}

func (f *HTTPDelay) Revert(ctx context.Context, t Target) error {
	return deleteRule(ctx, t, &f.Common)
}

// HTTPAbort makes a service close the connection of a share Rate of its
// requests without answering, like a crashing process, through its
// httpfault admin API.
type HTTPAbort struct {
	Common `yaml:",inline"`
	Rate   float64 `yaml:"rate" json:"rate"` // 0..1; default 1
}

func (f *HTTPAbort) On() On { return OnService }

func (f *HTTPAbort) rule() httpfault.Rule {
	return httpfault.Rule{Kind: httpfault.KindAbort, Rate: f.Rate}
}

func (f *HTTPAbort) Validate() error {
	return firstErr(f.Common.validate(OnService, false), f.rule().Validate())
}

func (f *HTTPAbort) Apply(ctx context.Context, t Target) error {
	return putRule(ctx, t, &f.Common, f.rule())
}

func (f *HTTPAbort) Revert(ctx context.Context, t Target) error {
	return deleteRule(ctx, t, &f.Common)
}

// putRule activates r, named c.Name, on c's service.
func putRule(ctx context.Context, t Target, c *Common, r httpfault.Rule) error {
	u, err := t.FaultURL(c.Target)
	if err == nil {
		err = httpfault.Put(ctx, u, c.Name, r)
	}
	if err != nil {
		return fmt.Errorf("put HTTP %s rule %q on %q: %w", r.Kind, c.Name, c.Target, err)
	}
	return nil
}

// deleteRule removes the rule named c.Name from c's service; a rule already
// gone is not an error.
func deleteRule(ctx context.Context, t Target, c *Common) error {
	u, err := t.FaultURL(c.Target)
	if err == nil {
		err = httpfault.Delete(ctx, u, c.Name)
	}
	if err != nil {
		return fmt.Errorf("delete HTTP rule %q on %q: %w", c.Name, c.Target, err)
	}
	return nil
}
