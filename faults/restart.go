package faults

import (
	"context"
	"fmt"
)

// Restart stops a service and starts it again at once: in-memory state is
// lost. A Target that is a Stopper stops it gracefully (the docker testbed:
// SIGTERM, then start); any other kills it, and requests in flight fail. It
// is instant: its duration must be 0 (omitted), and Revert does nothing
// unless Apply left the service down.
type Restart struct {
	Common `yaml:",inline"`

	down bool // Apply stopped (or may have stopped) the service but did not start it again
}

func (f *Restart) On() On { return OnService }

func (f *Restart) Validate() error { return f.Common.validate(OnService, true) }

func (f *Restart) Apply(ctx context.Context, t Target) error {
	stop, how := t.Kill, "kill"
	if s, ok := t.(Stopper); ok {
		stop, how = s.Stop, "stop"
	}
	// Down from here on: a stop that fails half-way (the container stopped,
	// the wait for it timed out) may still have stopped the service, and
	// Revert must then start it again.
	f.down = true
	if err := stop(ctx, f.Target); err != nil {
		return fmt.Errorf("restart %q: %s: %w", f.Target, how, err)
	}
	if err := t.Restart(ctx, f.Target); err != nil {
		return fmt.Errorf("restart %q: start: %w", f.Target, err)
	}
	f.down = false
	return nil
}

// Revert starts the service again if Apply stopped it, or failed while
// stopping it, and did not start it again; otherwise it does nothing.
func (f *Restart) Revert(ctx context.Context, t Target) error {
	if !f.down {
		return nil
	}
	if err := t.Restart(ctx, f.Target); err != nil {
		return fmt.Errorf("restart %q: start: %w", f.Target, err)
	}
	f.down = false
	return nil
}
