package apigateway

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/internal/field"
)

// validate checks a configuration. The routes are checked in both modes
// (the baseline serves them too); timeouts, auth and the limiter only when
// the pattern is on.
func validate(c *Config) error {
	g := &c.Gateway
	errs := []error{field.In("gateway.capacity", g.Capacity.Validate())}
	if g.Connections <= 0 {
		errs = append(errs, field.Errorf("gateway.connections", "must be > 0, got %d", g.Connections))
	}
	prefixes := map[string]string{} // prefix → the path of its first route
	for i, r := range g.Routes {
		p := fmt.Sprintf("gateway.routes[%d]", i)
		errs = append(errs, checkPrefix(p, r.Name, r.Prefix, prefixes), checkBackend(p+".backend", r.Backend))
		if g.Enabled {
			errs = append(errs, checkBudget(p, r.Timeout, r.Try))
		}
	}
	for i, a := range g.Aggregations {
		p := fmt.Sprintf("gateway.aggregations[%d]", i)
		errs = append(errs, checkPrefix(p, a.Name, a.Prefix, prefixes), checkParts(p, a, g.Enabled))
	}
	if len(g.Routes)+len(g.Aggregations) == 0 {
		errs = append(errs, field.Errorf("gateway.routes", "the gateway has no route and no aggregation"))
	}
	if g.Enabled {
		errs = append(errs, checkAuth(g.Auth), checkLimit(g.RateLimit))
	}
	errs = append(errs,
		field.In("catalog", c.Catalog.Validate()),
		field.In("pricing", c.Pricing.Validate()),
		field.In("recommendations", c.Recommendations.Validate()))
	return errors.Join(errs...)
}

// checkPrefix checks a route's name and prefix, at path p.
func checkPrefix(p, name, prefix string, seen map[string]string) error {
	var errs []error
	if name == "" {
		errs = append(errs, field.Errorf(p+".name", "missing: metrics and reports name routes"))
	}
	switch {
	case !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/"):
		errs = append(errs, field.Errorf(p+".prefix", "must start and end with /, got %q", prefix))
	case seen[prefix] != "":
		errs = append(errs, field.Errorf(p+".prefix", "%q is also the prefix of %s", prefix, seen[prefix]))
	default:
		seen[prefix] = p
	}
	return errors.Join(errs...)
}

// checkBackend checks that a route or part names a backend of the topology.
func checkBackend(p, backend string) error {
	if !slices.Contains(Backends, backend) {
		return field.Errorf(p, "unknown backend %q (the topology has %s)", backend, strings.Join(Backends, ", "))
	}
	return nil
}

// checkBudget checks a route's timeout and its tries, at path p.
func checkBudget(p string, timeout time.Duration, try Try) error {
	var errs []error
	if timeout <= 0 {
		errs = append(errs, field.Errorf(p+".timeout", "must be > 0, got %s", timeout))
	}
	return errors.Join(append(errs, checkTry(p+".try", timeout, try))...)
}

// checkTry checks a per-try timeout against the route's, at path p.
func checkTry(p string, budget time.Duration, try Try) error {
	var errs []error
	if try.Timeout <= 0 {
		errs = append(errs, field.Errorf(p+".timeout", "must be > 0, got %s", try.Timeout))
	} else if budget > 0 && try.Timeout > budget {
		errs = append(errs, field.Errorf(p+".timeout", "%s is longer than the route's timeout %s", try.Timeout, budget))
	}
	if try.Attempts < 1 || try.Attempts > 5 {
		errs = append(errs, field.Errorf(p+".attempts", "must be in [1, 5], got %d", try.Attempts))
	}
	return errors.Join(errs...)
}

// checkParts checks an aggregation's timeout and parts, at path p.
func checkParts(p string, a Aggregation, enabled bool) error {
	var errs []error
	if enabled && a.Timeout <= 0 {
		errs = append(errs, field.Errorf(p+".timeout", "must be > 0, got %s", a.Timeout))
	}
	if len(a.Parts) == 0 {
		errs = append(errs, field.Errorf(p+".parts", "an aggregation needs at least one part"))
	}
	seen := map[string]bool{}
	for j, part := range a.Parts {
		pp := fmt.Sprintf("%s.parts[%d]", p, j)
		errs = append(errs, checkBackend(pp+".backend", part.Backend))
		if seen[part.Backend] {
			errs = append(errs, field.Errorf(pp+".backend", "%q is already a part: the answer holds one field per backend", part.Backend))
		}
		seen[part.Backend] = true
		if !strings.HasPrefix(part.Path, "/") {
			errs = append(errs, field.Errorf(pp+".path", "must start with /, got %q", part.Path))
		}
		if enabled {
			errs = append(errs, checkTry(pp+".try", a.Timeout, part.Try))
		}
	}
	return errors.Join(errs...)
}

// checkAuth checks the token verification key.
func checkAuth(a Auth) error {
	if len(a.Secret) < 16 {
		return field.Errorf("gateway.auth.secret", "must be at least 16 bytes, got %d", len(a.Secret))
	}
	return nil
}

// checkLimit checks the per-tenant limiter.
func checkLimit(l RateLimit) error {
	const p = "gateway.rate_limit"
	var errs []error
	if _, err := parseKey(l.Key); err != nil {
		errs = append(errs, field.Errorf(p+".key", "%v", err))
	}
	if !(l.Rate > 0) {
		errs = append(errs, field.Errorf(p+".rate", "must be > 0 requests per second, got %v", l.Rate))
	}
	if l.Burst < 1 {
		errs = append(errs, field.Errorf(p+".burst", "must be >= 1, got %d", l.Burst))
	}
	for i, t := range l.Tenants {
		if t == "" || t == otherTenant || t == anonymous || slices.Index(l.Tenants, t) != i {
			errs = append(errs, field.Errorf(fmt.Sprintf("%s.tenants[%d]", p, i), "%q is empty, reserved or listed twice", t))
		}
	}
	return errors.Join(errs...)
}
