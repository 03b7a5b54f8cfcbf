package faults

import (
	"context"
	"fmt"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// Down disables an edge's proxy: its listener closes and every connection
// through it drops, so callers see connections refused until it is reverted.
type Down struct {
	Common `yaml:",inline"`
}

func (f *Down) On() On { return OnEdge }

func (f *Down) Validate() error { return f.Common.validate(OnEdge, false) }

func (f *Down) Apply(ctx context.Context, t Target) error {
	err := eachProxy(ctx, t, &f.Common, func(p *toxiproxy.Proxy) error { return p.Disable() })
	if err != nil {
		return fmt.Errorf("disable proxy %q: %w", f.Target, err)
	}
	return nil
}

// Revert enables the proxy again; enabling an enabled proxy is a no-op.
func (f *Down) Revert(ctx context.Context, t Target) error {
	err := eachProxy(ctx, t, &f.Common, func(p *toxiproxy.Proxy) error { return p.Enable() })
	if err != nil {
		return fmt.Errorf("enable proxy %q: %w", f.Target, err)
	}
	return nil
}
