package faults

import (
	"context"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/internal/field"
)

// Bandwidth limits the data on an edge to Rate KB/s (Toxiproxy's bandwidth
// toxic).
type Bandwidth struct {
	Common `yaml:",inline"`
	Toxic  `yaml:",inline"`
	Rate   int64 `yaml:"rate" json:"rate"` // KB/s
}

func (f *Bandwidth) On() On { return OnEdge }

func (f *Bandwidth) Validate() error {
	if err := firstErr(f.Common.validate(OnEdge, false), f.Toxic.validate()); err != nil {
		return err
	}
	if f.Rate <= 0 {
		return field.Errorf("rate", "must be > 0 KB/s, got %d", f.Rate)
	}
	return nil
}

func (f *Bandwidth) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "bandwidth", toxiproxy.Attributes{"rate": f.Rate})
}

func (f *Bandwidth) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
