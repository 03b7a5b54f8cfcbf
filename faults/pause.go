package faults

import (
	"context"
	"fmt"
)

// Pause freezes a service for the fault's duration, as a hung process: it
// accepts connections but answers nothing, health checks and metrics
// included; Revert unpauses it and what was held is then served. Callers
// see timeouts, not errors. The Target must be a Pauser.
type Pause struct {
	Common `yaml:",inline"`
}

func (f *Pause) On() On { return OnService }

func (f *Pause) Validate() error { return f.Common.validate(OnService, false) }

func (f *Pause) Apply(ctx context.Context, t Target) error {
	p, ok := t.(Pauser)
	if !ok {
		return fmt.Errorf("pause %q: this testbed cannot pause a service", f.Target)
	}
	if err := p.Pause(ctx, f.Target); err != nil {
		return fmt.Errorf("pause %q: %w", f.Target, err)
	}
	return nil
}

// Revert unpauses the service; unpausing a running service does nothing.
func (f *Pause) Revert(ctx context.Context, t Target) error {
	p, ok := t.(Pauser)
	if !ok {
		return nil // Apply could not pause it either
	}
	if err := p.Unpause(ctx, f.Target); err != nil {
		return fmt.Errorf("unpause %q: %w", f.Target, err)
	}
	return nil
}
