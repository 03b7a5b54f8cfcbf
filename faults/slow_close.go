package faults

import (
	"context"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// SlowClose delays closing a connection on an edge by Delay (Toxiproxy's
// slow_close toxic).
type SlowClose struct {
	Common `yaml:",inline"`
	Toxic  `yaml:",inline"`
	Delay  time.Duration `yaml:"delay" json:"delay"`
}

func (f *SlowClose) On() On { return OnEdge }

func (f *SlowClose) Validate() error {
	return firstErr(
		f.Common.validate(OnEdge, false),
		f.Toxic.validate(),
		millis("delay", f.Delay, time.Millisecond),
	)
}

func (f *SlowClose) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "slow_close", toxiproxy.Attributes{"delay": f.Delay.Milliseconds()})
}

func (f *SlowClose) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
