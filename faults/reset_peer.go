package faults

import (
	"context"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// ResetPeer resets connections on an edge (TCP RST) Timeout after data
// first flows, or at once with Timeout 0 (Toxiproxy's reset_peer toxic).
type ResetPeer struct {
	Common  `yaml:",inline"`
	Toxic   `yaml:",inline"`
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
}

func (f *ResetPeer) On() On { return OnEdge }

func (f *ResetPeer) Validate() error {
	return firstErr(
		f.Common.validate(OnEdge, false),
		f.Toxic.validate(),
		millis("timeout", f.Timeout, 0),
	)
}

func (f *ResetPeer) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "reset_peer", toxiproxy.Attributes{"timeout": f.Timeout.Milliseconds()})
}

func (f *ResetPeer) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
