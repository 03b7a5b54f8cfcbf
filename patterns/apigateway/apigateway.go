// Package apigateway is the API Gateway pattern as a topology: client →
// gateway → catalog, pricing and recommendations. The gateway is the one
// entry point: it routes by path prefix to a backend, and it serves
// aggregation routes (GET /product/{id}) by calling several backends in
// parallel and merging their answers. Each part of an aggregation is
// required or optional: when an optional part fails or is late, the answer
// is partial and marked degraded (patterns.DegradedHeader, as KrakenD marks
// an incomplete answer); only a failed required part makes it an error.
// Every route has a timeout, every backend call a per-try timeout, and the
// route's deadline travels to the backends in the call's context and in
// DeadlineHeader (as Envoy's x-envoy-expected-rq-timeout-ms).
//
// Before any backend is called, the gateway verifies the caller's JWT
// locally (HMAC, golang-jwt): a missing or bad token gets 401. It then
// limits each tenant (the token's subject, or a header) with its own token
// bucket (golang.org/x/time/rate): over its quota, a tenant gets 429 with
// Retry-After; a request without a key is refused.
//
// The baseline is the plain reverse proxy engineers ship first: the same
// routes, backends and connection pools, but the aggregation calls its
// backends one after the other and fails when any of them fails, nothing
// has a timeout but the client's, and there is neither a limiter nor
// authentication (it still reads the token, only to count each request
// under its tenant, so that both designs' metrics say the same thing). A slow optional backend then makes every product answer
// slow, a noisy tenant takes the backends' capacity from everyone, and
// requests with forged tokens reach the backends.
//
// It must not import scenarios, reports, testbeds or cmd.
package apigateway

import (
	"time"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Service names.
const (
	Gateway         = "gateway"
	Catalog         = "catalog"
	Pricing         = "pricing"
	Recommendations = "recommendations"
)

// Backends are the services the gateway may route to, in start order.
var Backends = []string{Catalog, Pricing, Recommendations}

// DeadlineHeader carries, on every backend call, the milliseconds left of
// the route's budget, so a backend can give up on work nobody will wait for.
const DeadlineHeader = "X-Request-Timeout-Ms"

// TestSecret is the default HMAC key the gateway verifies tokens with. It
// is a test value, public by design: the built-in scenario's targets carry
// tokens signed with it (see Mint). Never use it outside faultline.
const TestSecret = "faultline-test-secret-not-for-production"

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `gateway: {rate_limit: {rate: 50}}`.
type Config struct {
	Gateway         GatewayConfig     `yaml:"gateway" json:"gateway"`
	Catalog         dependency.Config `yaml:"catalog" json:"catalog"`
	Pricing         dependency.Config `yaml:"pricing" json:"pricing"`
	Recommendations dependency.Config `yaml:"recommendations" json:"recommendations"`
}

// GatewayConfig is the gateway's side.
type GatewayConfig struct {
	// Enabled switches the pattern on: parallel aggregation with partial
	// answers, timeouts, the limiter and authentication. Off, the gateway
	// is the baseline's plain proxy.
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Capacity bounds the requests the gateway serves at once.
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
	// Connections sizes the connection pool to each backend.
	Connections  int           `yaml:"connections" json:"connections"`
	Routes       []Route       `yaml:"routes" json:"routes"`
	Aggregations []Aggregation `yaml:"aggregations" json:"aggregations"`
	Auth         Auth          `yaml:"auth" json:"auth"`
	RateLimit    RateLimit     `yaml:"rate_limit" json:"rate_limit"`
}

// Route forwards every request under Prefix to one backend, with the path
// unchanged.
type Route struct {
	Name    string `yaml:"name" json:"name"`
	Prefix  string `yaml:"prefix" json:"prefix"`
	Backend string `yaml:"backend" json:"backend"`
	// Timeout bounds the whole route, retries included.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	Try     Try           `yaml:"try" json:"try"`
}

// Try bounds each backend call and says how often a failed one is made
// again (within the route's timeout).
type Try struct {
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Attempts is the number of calls at most, the first included.
	Attempts int `yaml:"attempts" json:"attempts"`
}

// Aggregation serves every GET under Prefix by calling each part's backend
// in parallel and merging their answers into one JSON object.
type Aggregation struct {
	Name    string        `yaml:"name" json:"name"`
	Prefix  string        `yaml:"prefix" json:"prefix"`
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	Parts   []Part        `yaml:"parts" json:"parts"`
}

// Part is one backend call of an aggregation. Path is the backend's path;
// the rest of the client's path (the id) is appended to it.
type Part struct {
	Backend  string `yaml:"backend" json:"backend"`
	Path     string `yaml:"path" json:"path"`
	Required bool   `yaml:"required" json:"required"`
	Try      Try    `yaml:"try" json:"try"`
}

// Auth verifies the bearer token of every request with an HMAC key
// (HS256). Tokens without an expiry are accepted; an expired one is not.
type Auth struct {
	Secret string `yaml:"secret" json:"secret"`
}

// RateLimit gives each tenant a token bucket of Rate requests per second
// and Burst requests at once.
type RateLimit struct {
	// Key names the tenant: "sub" (the token's subject) or
	// "header:<Name>" (a request header).
	Key   string  `yaml:"key" json:"key"`
	Rate  float64 `yaml:"rate" json:"rate"`
	Burst int     `yaml:"burst" json:"burst"`
	// Tenants are the tenants the metrics name; any other tenant is
	// limited the same way and counted as "other".
	Tenants []string `yaml:"tenants" json:"tenants"`
}

// New returns the API gateway pattern. Its defaults:
//
//   - gateway: on; 256 workers and a queue of 256 (1s), more than the load
//     needs, so the backends are what is scarce; 64 connections to each
//     backend.
//   - routes: /catalog/, /pricing/ and /recommendations/ to their backend,
//     each 500ms, 250ms a try, 2 tries.
//   - aggregation "product" (/product/{id}): 500ms in all (a page's budget
//     for its data); catalog and pricing required, one try with the whole
//     budget (a required part that is late fails the page anyway: retrying
//     it would only add load); recommendations optional, 200ms a try and 2 tries,
//     so two slow tries still end inside the budget. The budgets are wide
//     for ~30ms backends, so that a loaded 2-core machine does not time
//     healthy calls out.
//   - auth: HS256 with TestSecret.
//   - rate limit: by the token's subject, 15 requests/s with a burst of 15
//     per tenant (a tenant's plan); tenants tenant-a, tenant-b and tenant-c.
//   - catalog, pricing, recommendations: ~30ms log-normal service time, 2
//     workers and a queue of 32 (500ms): about 66 requests/s each, about
//     twice what the scenario's tenants may send within their quotas.
//
// Its baseline is the plain proxy: Enabled off.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "api-gateway",
		Description: "client → gateway → catalog, pricing, recommendations; the gateway aggregates in parallel with partial answers, per-route timeouts, per-tenant rate limits and JWT authentication at the edge",
		Topology: patterns.Topology{
			Services: []string{Catalog, Pricing, Recommendations, Gateway},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: Gateway},
				{From: Gateway, To: Catalog},
				{From: Gateway, To: Pricing},
				{From: Gateway, To: Recommendations},
			},
			Entry:      Gateway,
			Downstream: Catalog,
			// The refusals are drawn over time (as rates), and listed.
			Gauges:   []string{LimitedMetric, UnauthorizedMetric},
			Counters: []string{RequestsMetric, PartialMetric, LimitedMetric, UnauthorizedMetric, CallsMetric},
		},
		Defaults: defaults,
		Baseline: func(c *Config) { c.Gateway.Enabled = false },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Catalog:         dependency.Service(Catalog, func(c *Config) dependency.Config { return c.Catalog }),
			Pricing:         dependency.Service(Pricing, func(c *Config) dependency.Config { return c.Pricing }, dependency.SeedOffset(1)),
			Recommendations: dependency.Service(Recommendations, func(c *Config) dependency.Config { return c.Recommendations }, dependency.SeedOffset(2)),
			Gateway:         newGateway,
		},
	})
}

// defaults returns the defaults New documents.
func defaults() *Config {
	try := Try{Timeout: 250 * time.Millisecond, Attempts: 2}
	backend := dependency.Config{
		Latency:       dependency.Latency{Dist: dependency.LogNormal, Mean: 30 * time.Millisecond, Spread: 8 * time.Millisecond},
		Capacity:      service.Capacity{Workers: 2, Queue: 32, QueueTimeout: 500 * time.Millisecond},
		ResponseBytes: 256,
	}
	const budget = 500 * time.Millisecond
	required := Try{Timeout: budget, Attempts: 1}
	return &Config{
		Gateway: GatewayConfig{
			Enabled:     true,
			Capacity:    service.Capacity{Workers: 256, Queue: 256, QueueTimeout: time.Second},
			Connections: 64,
			Routes: []Route{
				{Name: Catalog, Prefix: "/catalog/", Backend: Catalog, Timeout: budget, Try: try},
				{Name: Pricing, Prefix: "/pricing/", Backend: Pricing, Timeout: budget, Try: try},
				{Name: Recommendations, Prefix: "/recommendations/", Backend: Recommendations, Timeout: budget, Try: try},
			},
			Aggregations: []Aggregation{{
				Name: "product", Prefix: "/product/", Timeout: budget,
				Parts: []Part{
					{Backend: Catalog, Path: "/items/", Required: true, Try: required},
					{Backend: Pricing, Path: "/prices/", Required: true, Try: required},
					{Backend: Recommendations, Path: "/for/", Try: Try{Timeout: 200 * time.Millisecond, Attempts: 2}},
				},
			}},
			Auth:      Auth{Secret: TestSecret},
			RateLimit: RateLimit{Key: "sub", Rate: 15, Burst: 15, Tenants: []string{"tenant-a", "tenant-b", "tenant-c"}},
		},
		Catalog:         backend,
		Pricing:         backend,
		Recommendations: backend,
	}
}
