package faults

import (
	"context"
	"fmt"
)

// Kill stops a service abruptly (listener and connections closed, state
// lost) for the fault's duration; Revert restarts it.
type Kill struct {
	Common `yaml:",inline"`
}

func (f *Kill) On() On { return OnService }

func (f *Kill) Validate() error { return f.Common.validate(OnService, false) }

func (f *Kill) Apply(ctx context.Context, t Target) error {
	if err := t.Kill(ctx, f.Target); err != nil {
		return fmt.Errorf("kill %q: %w", f.Target, err)
	}
	return nil
}

// Revert restarts the service. After a failed Kill the service may still
// be running: Target.Restart decides what restarting a running service does.
func (f *Kill) Revert(ctx context.Context, t Target) error {
	if err := t.Restart(ctx, f.Target); err != nil {
		return fmt.Errorf("restart %q: %w", f.Target, err)
	}
	return nil
}
