package faults

import (
	"context"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/internal/field"
)

// Slicer slices the data on an edge into packets of AverageSize ±
// SizeVariation bytes, waiting Delay between them (Toxiproxy's slicer
// toxic).
type Slicer struct {
	Common        `yaml:",inline"`
	Toxic         `yaml:",inline"`
	AverageSize   int           `yaml:"average_size" json:"average_size"`     // bytes
	SizeVariation int           `yaml:"size_variation" json:"size_variation"` // bytes
	Delay         time.Duration `yaml:"delay" json:"delay"`                   // sent to Toxiproxy in µs
}

func (f *Slicer) On() On { return OnEdge }

func (f *Slicer) Validate() error {
	if err := firstErr(f.Common.validate(OnEdge, false), f.Toxic.validate()); err != nil {
		return err
	}
	switch {
	case f.AverageSize <= 0:
		return field.Errorf("average_size", "must be > 0 bytes, got %d", f.AverageSize)
	case f.SizeVariation < 0 || f.SizeVariation >= f.AverageSize:
		return field.Errorf("size_variation", "must be >= 0 and < average_size (%d), got %d", f.AverageSize, f.SizeVariation)
	case f.Delay < 0:
		return field.Errorf("delay", "must be >= 0, got %v", f.Delay)
	case f.Delay%time.Microsecond != 0:
		return field.Errorf("delay", "must be a whole number of microseconds, got %v", f.Delay)
	}
	return nil
}

func (f *Slicer) Apply(ctx context.Context, t Target) error {
	return addToxic(ctx, t, &f.Common, f.Toxic, "slicer", toxiproxy.Attributes{
		"average_size":   f.AverageSize,
		"size_variation": f.SizeVariation,
		"delay":          f.Delay.Microseconds(),
	})
}

func (f *Slicer) Revert(ctx context.Context, t Target) error {
	return removeToxic(ctx, t, &f.Common)
}
