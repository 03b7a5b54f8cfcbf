// Package actions steers a running topology on a scenario's timeline.
// Where a fault breaks something, an action changes what the system is told
// to do: shift a share of a route's traffic to a new backend (a migration
// step), say. Each kind lives in its own file behind the small Action
// interface and is registered in kinds.go; a Plan applies them on schedule.
//
// An action reaches a service through faults.Target, the topology as
// faults see it: Target.FaultURL is the base of the service's admin
// surface, where the service serves its controls (actions/control) beside
// the fault admin API. A service offers controls by name (a facade its
// routes), which the topology lists so that a scenario naming an unknown
// one is refused before it runs.
//
// It must not import scenarios, reports, testbeds, patterns or cmd.
package actions

import (
	"context"
	"regexp"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/field"
)

// Common holds the fields every action in a scenario file has. Each kind
// embeds it inline, so an action is one flat YAML mapping.
type Common struct {
	Name string        `yaml:"name" json:"name"`
	At   time.Duration `yaml:"at" json:"at"`
	Kind string        `yaml:"kind" json:"kind"`
	// Target is the service the action steers; the scenario loader sets the
	// topology's entry when the file leaves it out.
	Target string `yaml:"target" json:"target"`
}

// Base returns the common fields.
func (c *Common) Base() *Common { return c }

// Action is one kind of step on a scenario's timeline with its attributes.
type Action interface {
	// Base returns the common fields (name, time, kind, target).
	Base() *Common
	// Control names the control of Target the action steers (a route),
	// which the topology must list for Target, and the YAML key it is
	// written under ("route"); name is "" when the file leaves it out.
	Control() (key, name string)
	// Setting says what the action sets, for reports ("40%").
	Setting() string
	// Validate checks the kind's attributes. A problem is a *field.Error
	// (internal/field) whose path is the offending attribute's YAML key.
	Validate() error
	// Apply performs the action on target. An action is instant: there is
	// nothing to revert (the next step of a plan undoes it, if any).
	Apply(ctx context.Context, t faults.Target) error
}

// nameRE is what an action's name may look like.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validate checks the common fields.
func (c *Common) validate() error {
	switch {
	case c.Name == "":
		return field.Errorf("name", "required")
	case !nameRE.MatchString(c.Name):
		return field.Errorf("name", "%q must be letters, digits, '_', '.' or '-'", c.Name)
	case c.At < 0:
		return field.Errorf("at", "must be >= 0, got %v", c.At)
	case c.Target == "":
		return field.Errorf("target", "required")
	}
	return nil
}
