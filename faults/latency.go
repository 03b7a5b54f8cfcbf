package faults

import (
	"context"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// Latency delays the data on an edge by Latency ± Jitter (Toxiproxy's
// latency toxic).
type Latency struct {
	Common  `yaml:",inline"`
	Toxic   `yaml:",inline"`
	Latency time.Duration `yaml:"latency" json:"latency"`
	Jitter  time.Duration `yaml:"jitter" json:"jitter"`
}

func (f *Latency) On() On { return OnEdge }

func (f *Latency) Validate() error {
	return firstErr(
		f.Common.validate(OnEdge, false),
		f.Toxic.validate(),
		millis("latency", f.Latency, time.Millisecond),
		millis("jitter", f.Jitter, 0),
	)
}

func (f *Latency) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "latency", toxiproxy.Attributes{
		"latency": f.Latency.Milliseconds(),
		"jitter":  f.Jitter.Milliseconds(),
	})
}

func (f *Latency) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
