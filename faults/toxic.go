package faults

import (
	"context"
	"fmt"
	"net/http"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/internal/field"
)

// Toxic holds the attributes every Toxiproxy toxic has. Toxic kinds embed
// it inline.
type Toxic struct {
	// Direction is "downstream" (callee to caller, the default) or
	// "upstream" (caller to callee).
	Direction string `yaml:"direction" json:"direction"`
	// Toxicity is the probability, 0..1, that a connection is affected;
	// default 1.
	Toxicity float64 `yaml:"toxicity" json:"toxicity"`
}

func defaultToxic() Toxic { return Toxic{Direction: "downstream", Toxicity: 1} }

func (x *Toxic) validate() error {
	if x.Direction != "downstream" && x.Direction != "upstream" {
		return field.Errorf("direction", `must be "downstream" or "upstream", got %q`, x.Direction)
	}
	if !(x.Toxicity >= 0 && x.Toxicity <= 1) { // also rejects NaN
		return field.Errorf("toxicity", "must be within [0, 1], got %v", x.Toxicity)
	}
	return nil
}

// addToxic adds the toxic named c.Name to c's edge. A toxic of that name
// already there (left over from an interrupted run) is replaced.
func addToxic(ctx context.Context, t Target, c *Common, x Toxic, typ string, attrs toxiproxy.Attributes) error {
	err := eachProxy(ctx, t, c, func(p *toxiproxy.Proxy) error {
		_, err := p.AddToxic(c.Name, typ, x.Direction, float32(x.Toxicity), attrs)
		if apiStatus(err) == http.StatusConflict {
			if err = p.RemoveToxic(c.Name); err == nil || apiStatus(err) == http.StatusNotFound {
				_, err = p.AddToxic(c.Name, typ, x.Direction, float32(x.Toxicity), attrs)
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("add %s toxic %q on %q: %w", typ, c.Name, c.Target, err)
	}
	return nil
}

// removeToxic removes the toxic named c.Name from c's edge; a toxic (or
// proxy) that is already gone is not an error.
func removeToxic(ctx context.Context, t Target, c *Common) error {
	err := eachProxy(ctx, t, c, func(p *toxiproxy.Proxy) error {
		if err := p.RemoveToxic(c.Name); apiStatus(err) != http.StatusNotFound {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove toxic %q from %q: %w", c.Name, c.Target, err)
	}
	return nil
}
