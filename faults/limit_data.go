package faults

import (
	"context"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/internal/field"
)

// LimitData closes a connection on an edge once Bytes bytes have gone
// through it (Toxiproxy's limit_data toxic).
type LimitData struct {
	Common `yaml:",inline"`
	Toxic  `yaml:",inline"`
	Bytes  int64 `yaml:"bytes" json:"bytes"`
}

func (f *LimitData) On() On { return OnEdge }

func (f *LimitData) Validate() error {
	if err := firstErr(f.Common.validate(OnEdge, false), f.Toxic.validate()); err != nil {
		return err
	}
	if f.Bytes < 0 {
		return field.Errorf("bytes", "must be >= 0, got %d", f.Bytes)
	}
	return nil
}

func (f *LimitData) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "limit_data", toxiproxy.Attributes{"bytes": f.Bytes})
}

func (f *LimitData) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
