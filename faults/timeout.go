package faults

import (
	"context"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// Timeout stops all data on an edge and closes the connection after
// Timeout; with Timeout 0 the connection stays open, silent, until the
// fault is reverted (Toxiproxy's timeout toxic).
type Timeout struct {
	Common  `yaml:",inline"`
	Toxic   `yaml:",inline"`
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
}

func (f *Timeout) On() On { return OnEdge }

func (f *Timeout) Validate() error {
	return firstErr(
		f.Common.validate(OnEdge, false),
		f.Toxic.validate(),
		millis("timeout", f.Timeout, 0),
	)
}

func (f *Timeout) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "timeout", toxiproxy.Attributes{"timeout": f.Timeout.Milliseconds()})
}

func (f *Timeout) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
