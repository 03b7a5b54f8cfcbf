// Package bff is the Backend-for-Frontend pattern as a topology: client →
// ingress → web-bff or mobile-bff → catalog, reviews, inventory, and
// recommendations (which only the web experience shows). The client is two
// kinds of client, web and mobile; the ingress routes each kind's requests
// by path prefix (/web/, /mobile/).
//
// Each BFF owns its client's experience: which downstreams it calls (web
// four, mobile three: no recommendations), how much of each answer it keeps
// (mobile keeps a summary, so its answer is a few hundred bytes against the
// web's ~5 KB), its per-call timeout and its own capacity (workers and a
// queue) and connection pool. A slow recommendations service then only
// holds web requests, and a burst of mobile requests (a retry storm) fills
// only the mobile BFF, which sheds its overflow at once.
//
// The baseline is what teams ship before they split: one general-purpose
// API that both kinds call (the ingress routes both prefixes to api), with
// one capacity and pool the size of the two BFFs' together, one timeout
// (the web's, the longer: it must serve the richest page) and one answer,
// the web's rich one, for both. A slow recommendations service then holds
// every request, mobile ones too, and a mobile burst takes the workers web
// requests need. The unused services of each variant (api in the pattern,
// the BFFs in the baseline) stay idle, so both variants share one static
// topology and the same hops: client → ingress → one service → downstreams.
//
// It must not import scenarios, reports, testbeds or cmd.
package bff

import (
	"errors"
	"time"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Service names.
const (
	Ingress         = "ingress"
	API             = "api" // the baseline's general-purpose API
	WebBFF          = "web-bff"
	MobileBFF       = "mobile-bff"
	Catalog         = "catalog"
	Reviews         = "reviews"
	Inventory       = "inventory"
	Recommendations = "recommendations" // only the web experience uses it
)

// Client kinds, as route prefixes (/web/product) and metric labels.
const (
	Web    = "web"
	Mobile = "mobile"
)

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `bffs: {mobile: {capacity: {workers: 8}}}`.
type Config struct {
	BFFs BFFsConfig `yaml:"bffs" json:"bffs"`
	// Ingress bounds the requests the ingress forwards at once; it is
	// generous: the services behind it are what is under test.
	Ingress         service.Capacity  `yaml:"ingress" json:"ingress"`
	Catalog         dependency.Config `yaml:"catalog" json:"catalog"`
	Reviews         dependency.Config `yaml:"reviews" json:"reviews"`
	Inventory       dependency.Config `yaml:"inventory" json:"inventory"`
	Recommendations dependency.Config `yaml:"recommendations" json:"recommendations"`
}

// BFFsConfig switches the BFFs on (the ingress routes each client kind to
// its own) and sizes each. Off, the general-purpose API serves both kinds
// with the BFFs' resources added up (see APIConfig).
type BFFsConfig struct {
	Enabled bool      `yaml:"enabled" json:"enabled"`
	Web     BFFConfig `yaml:"web" json:"web"`
	Mobile  BFFConfig `yaml:"mobile" json:"mobile"`
}

// BFFConfig is one BFF's own resources and deadline.
type BFFConfig struct {
	// Timeout bounds each downstream call. An optional part that misses
	// it is left out (a degraded answer); a required one fails the answer.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Capacity bounds the client requests the BFF serves at once; its
	// connection pool holds one connection per worker to each downstream.
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
}

// APIConfig returns the general-purpose API's configuration in c: the two
// BFFs' resources added up (workers, queues) and the longer of their
// timeouts and queue timeouts, so the baseline has exactly the pattern's
// resources.
func (c *Config) APIConfig() BFFConfig {
	w, m := c.BFFs.Web, c.BFFs.Mobile
	return BFFConfig{
		Timeout: max(w.Timeout, m.Timeout),
		Capacity: service.Capacity{
			Workers:      w.Capacity.Workers + m.Capacity.Workers,
			Queue:        w.Capacity.Queue + m.Capacity.Queue,
			QueueTimeout: max(w.Capacity.QueueTimeout, m.Capacity.QueueTimeout),
		},
	}
}

// New returns the bff pattern. Its defaults:
//
//   - web BFF: 600ms per downstream call; 12 workers, a queue of 12
//     (250ms). It calls all four downstreams and keeps their whole answers.
//   - mobile BFF: 300ms per call; 5 workers, a queue of 5 (100ms). It calls
//     catalog, reviews and inventory and keeps a summary of each.
//   - api (baseline): 17 workers, a queue of 17 (250ms), 600ms per call:
//     the two BFFs' together; the web's answer for both kinds.
//   - ingress: 256 workers, a queue of 256 (1s).
//   - catalog, reviews, inventory: ~100ms log-normal service time, 32
//     workers, a queue of 64; answers of 1500, 2000 and 200 bytes.
//   - recommendations: ~250ms (a model scoring), 32 workers, a queue of 64;
//     1200-byte answers.
//
// Its baseline is the general-purpose API: BFFs off.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "bff",
		Description: "client → ingress → a web and a mobile BFF over catalog, reviews, inventory and (web only) recommendations; each BFF owns its calls, payload, timeouts and capacity, so a slow web-only dependency or a mobile burst stays with its own client kind",
		Topology:    topology(),
		Defaults:    defaults,
		Baseline:    func(c *Config) { c.BFFs.Enabled = false },
		Validate:    validate,
		Services: map[string]patterns.Builder[Config]{
			Catalog:         dependency.Service(Catalog, func(c *Config) dependency.Config { return c.Catalog }),
			Reviews:         dependency.Service(Reviews, func(c *Config) dependency.Config { return c.Reviews }, dependency.SeedOffset(1)),
			Inventory:       dependency.Service(Inventory, func(c *Config) dependency.Config { return c.Inventory }, dependency.SeedOffset(2)),
			Recommendations: dependency.Service(Recommendations, func(c *Config) dependency.Config { return c.Recommendations }, dependency.SeedOffset(3)),
			API:             newAPI,
			WebBFF:          newBFF(Web),
			MobileBFF:       newBFF(Mobile),
			Ingress:         newIngress,
		},
	})
}

// topology lists the services (callees first) and every edge either
// variant uses.
func topology() patterns.Topology {
	t := patterns.Topology{
		Services: []string{Catalog, Reviews, Inventory, Recommendations, API, WebBFF, MobileBFF, Ingress},
		Edges: []patterns.Edge{
			{From: patterns.Client, To: Ingress},
			{From: Ingress, To: API}, {From: Ingress, To: WebBFF}, {From: Ingress, To: MobileBFF},
		},
		Entry: Ingress,
		// Recommendations requests ÷ client requests: 1 when every client
		// request asks for them, the web share when only web ones do.
		Downstream: Recommendations,
		Gauges:     []string{InUseMetric, WorkersMetric, CallsPerRequestMetric},
		Counters:   []string{RequestsMetric, CallsMetric, RejectedMetric},
	}
	for _, caller := range []string{API, WebBFF, MobileBFF} {
		for _, p := range experiences[kindOf(caller)] {
			t.Edges = append(t.Edges, patterns.Edge{From: caller, To: p.dep})
		}
	}
	return t
}

// kindOf is the experience a service serves: the web's for the API.
func kindOf(service string) string {
	if service == MobileBFF {
		return Mobile
	}
	return Web
}

// defaults returns the defaults New documents.
func defaults() *Config {
	dep := func(mean time.Duration, bytes int) dependency.Config {
		c := dependency.DefaultConfig()
		c.Latency = dependency.Latency{Dist: dependency.LogNormal, Mean: mean, Spread: mean / 4}
		c.ResponseBytes = bytes
		return c
	}
	return &Config{
		BFFs: BFFsConfig{
			Enabled: true,
			Web:     BFFConfig{Timeout: 600 * time.Millisecond, Capacity: service.Capacity{Workers: 12, Queue: 12, QueueTimeout: 250 * time.Millisecond}},
			Mobile:  BFFConfig{Timeout: 300 * time.Millisecond, Capacity: service.Capacity{Workers: 5, Queue: 5, QueueTimeout: 100 * time.Millisecond}},
		},
		Ingress:         service.Capacity{Workers: 256, Queue: 256, QueueTimeout: time.Second},
		Catalog:         dep(100*time.Millisecond, 1500),
		Reviews:         dep(100*time.Millisecond, 2000),
		Inventory:       dep(100*time.Millisecond, 200),
		Recommendations: dep(250*time.Millisecond, 1200),
	}
}

// validate checks a configuration. Both BFFs are checked in either
// variant: the baseline's API is sized from them.
func validate(c *Config) error {
	errs := []error{
		field.In("bffs.web", c.BFFs.Web.validate()),
		field.In("bffs.mobile", c.BFFs.Mobile.validate()),
		field.In("ingress", c.Ingress.Validate()),
		field.In("catalog", c.Catalog.Validate()),
		field.In("reviews", c.Reviews.Validate()),
		field.In("inventory", c.Inventory.Validate()),
		field.In("recommendations", c.Recommendations.Validate()),
	}
	return errors.Join(errs...)
}

func (b BFFConfig) validate() error {
	if b.Timeout <= 0 {
		return field.Errorf("timeout", "must be > 0, got %s", b.Timeout)
	}
	return field.In("capacity", b.Capacity.Validate())
}
