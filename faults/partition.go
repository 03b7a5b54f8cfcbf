package faults

import (
	"context"
	"fmt"
)

// Partition cuts a service off the topology's network for the fault's
// duration: connections to it and from it fail (through Toxiproxy too),
// and its metrics cannot be scraped; Revert reconnects it. Unlike kill, the
// service keeps running and keeps its state. The Target must be a
// Partitioner.
type Partition struct {
	Common `yaml:",inline"`
}

func (f *Partition) On() On { return OnService }

func (f *Partition) Validate() error { return f.Common.validate(OnService, false) }

func (f *Partition) Apply(ctx context.Context, t Target) error {
	p, ok := t.(Partitioner)
	if !ok {
		return fmt.Errorf("partition %q: this testbed cannot partition a service", f.Target)
	}
	if err := p.Partition(ctx, f.Target); err != nil {
		return fmt.Errorf("partition %q: %w", f.Target, err)
	}
	return nil
}

// Revert reconnects the service; healing a connected service does nothing.
func (f *Partition) Revert(ctx context.Context, t Target) error {
	p, ok := t.(Partitioner)
	if !ok {
		return nil // Apply could not partition it either
	}
	if err := p.Heal(ctx, f.Target); err != nil {
		return fmt.Errorf("heal %q: %w", f.Target, err)
	}
	return nil
}
