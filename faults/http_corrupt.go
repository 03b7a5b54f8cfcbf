package faults

import (
	"context"

	"github.com/faultline/faultline/faults/httpfault"
)

// HTTPCorrupt makes a service answer a share Rate of its requests with the
// top-level Field of its JSON answer changed to a wrong value of the same
// type (a number plus one, a string suffixed): a 200 with a wrong value, as
// a buggy new implementation gives. It goes through the service's httpfault
// admin API; its draws are seeded like the other HTTP faults'.
type HTTPCorrupt struct {
	Common `yaml:",inline"`
	Field  string  `yaml:"field" json:"field"`
	Rate   float64 `yaml:"rate" json:"rate"` // 0..1; default 1
}

func (f *HTTPCorrupt) On() On { return OnService }

func (f *HTTPCorrupt) rule() httpfault.Rule {
	return httpfault.Rule{Kind: httpfault.KindCorrupt, Rate: f.Rate, Field: f.Field}
}

func (f *HTTPCorrupt) Validate() error {
	return firstErr(f.Common.validate(OnService, false), f.rule().Validate())
}

func (f *HTTPCorrupt) Apply(ctx context.Context, t Target) error {
	return putRule(ctx, t, &f.Common, f.rule())
}

func (f *HTTPCorrupt) Revert(ctx context.Context, t Target) error {
	return deleteRule(ctx, t, &f.Common)
}
