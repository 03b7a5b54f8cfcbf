// Package catalog lists every pattern faultline ships: a new pattern is
// added to All (see patterns/CREATING_PATTERNS.md). It exists so that the
// patterns package itself stays free of its implementations.
//
// It must not import scenarios, reports, testbeds or cmd.
package catalog

import (
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/ambassador"
	"github.com/faultline/faultline/patterns/apigateway"
	"github.com/faultline/faultline/patterns/bff"
	"github.com/faultline/faultline/patterns/bulkhead"
	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/patterns/cqrs"
	"github.com/faultline/faultline/patterns/eventsourcing"
	"github.com/faultline/faultline/patterns/sidecar"
	"github.com/faultline/faultline/patterns/stranglerfig"
)

// All returns every pattern.
func All() patterns.Catalog {
	return patterns.Catalog{
		circuitbreaker.New(),
		ambassador.New(),
		sidecar.New(),
		bulkhead.New(),
		apigateway.New(),
		stranglerfig.New(),
		bff.New(),
		eventsourcing.New(),
		cqrs.New(),
	}
}
