package faults

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/internal/field"
)

// nameRE is what a fault's name may look like: it names a Toxiproxy toxic
// and an HTTP fault rule, both of which end up in URL paths.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validate checks the common fields of a fault aimed at on. An instant
// fault (restart) happens at At and must have no Duration; every other fault
// needs one.
func (c *Common) validate(on On, instant bool) error {
	switch {
	case c.Name == "":
		return field.Errorf("name", "required")
	case !nameRE.MatchString(c.Name):
		return field.Errorf("name", "%q must be letters, digits, '_', '.' or '-'", c.Name)
	case c.At < 0:
		return field.Errorf("at", "must be >= 0, got %v", c.At)
	case instant && c.Duration != 0:
		return field.Errorf("duration", "must be 0 or omitted (the fault is instant), got %v", c.Duration)
	case !instant && c.Duration <= 0:
		return field.Errorf("duration", "must be > 0, got %v", c.Duration)
	case c.Target == "":
		return field.Errorf("target", "required")
	}
	caller, callee, isEdge := strings.Cut(c.Target, "->")
	switch {
	case on == OnEdge && (!isEdge || caller == "" || callee == ""):
		return field.Errorf("target", `%q must be an edge "caller->callee"`, c.Target)
	case on == OnService && isEdge:
		return field.Errorf("target", "%q must be a service, not an edge", c.Target)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// millis checks that d, the field name, is a whole number of milliseconds
// (Toxiproxy's unit) and at least min.
func millis(name string, d, min time.Duration) error {
	if d < min {
		if min == 0 {
			return field.Errorf(name, "must be >= 0, got %v", d)
		}
		return field.Errorf(name, "must be > 0, got %v", d)
	}
	if d%time.Millisecond != 0 {
		return field.Errorf(name, "must be a whole number of milliseconds, got %v", d)
	}
	return nil
}

// apiStatus returns the HTTP status of a Toxiproxy API error, or 0.
func apiStatus(err error) int {
	var ae *toxiproxy.ApiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// eachProxy calls f with every proxy of c's edge (one, or one per node of
// a clustered callee: see FanOut), going on after an error, and returns
// the errors joined. The Toxiproxy client takes no context, so ctx is only
// checked before each call; its requests are bounded by the client's own
// 30s timeout.
func eachProxy(ctx context.Context, t Target, c *Common, f func(*toxiproxy.Proxy) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ps, err := Proxies(t, c.Target)
	if err != nil {
		return fmt.Errorf("proxy for %q: %w", c.Target, err)
	}
	var errs []error
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		if err := f(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
