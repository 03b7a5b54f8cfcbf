package actions

import (
	"context"
	"fmt"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/faults/actions/control"
	"github.com/faultline/faultline/internal/field"
)

// Shift sends Percent of a route's users to the route's new backend (a
// migration step): the target service (a facade) routes that share of the
// users, chosen by a stable hash of their key, away from the old backend.
type Shift struct {
	Common  `yaml:",inline"`
	Route   string `yaml:"route" json:"route"`
	Percent int    `yaml:"percent" json:"percent"` // 0..100
}

// Control is the route.
func (a *Shift) Control() (key, name string) { return "route", a.Route }

// Setting is the share, as "40%".
func (a *Shift) Setting() string { return fmt.Sprintf("%d%%", a.Percent) }

func (a *Shift) Validate() error {
	if err := a.Common.validate(); err != nil {
		return err
	}
	switch {
	case a.Route == "":
		return field.Errorf("route", "required")
	case a.Percent == -1:
		return field.Errorf("percent", "required: the share of the route's users to send to the new backend, 0 to 100")
	case a.Percent < 0 || a.Percent > 100:
		return field.Errorf("percent", "must be within [0, 100], got %d", a.Percent)
	}
	return nil
}

func (a *Shift) Apply(ctx context.Context, t faults.Target) error {
	u, err := t.FaultURL(a.Target)
	if err == nil {
		err = control.PutRoute(ctx, u, a.Route, control.Route{Percent: a.Percent})
	}
	if err != nil {
		return fmt.Errorf("shift route %q of %q to %d%%: %w", a.Route, a.Target, a.Percent, err)
	}
	return nil
}
