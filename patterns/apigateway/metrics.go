package apigateway

import "github.com/prometheus/client_golang/prometheus"

// Metric names. They are labelled by route (a route's or an aggregation's
// name) and tenant (a configured tenant, "other" or "unauthenticated"),
// the calls also by backend; the limiter's 429s by tenant only (a tenant
// has one bucket for every route), the 401s by route only (before a token
// is verified, nobody is known). Every label set exists from the start.
const (
	// RequestsMetric counts the client requests the gateway received.
	RequestsMetric = "faultline_apigateway_requests_total"
	// PartialMetric counts aggregated answers that lack an optional part.
	PartialMetric = "faultline_apigateway_partial_total"
	// LimitedMetric counts requests refused with 429 (the tenant's quota),
	// by tenant.
	LimitedMetric = "faultline_apigateway_rate_limited_total"
	// UnauthorizedMetric counts requests refused with 401 (no or a bad
	// token, or no tenant key), by route.
	UnauthorizedMetric = "faultline_apigateway_unauthorized_total"
	// CallsMetric counts the calls the gateway made to its backends, tries
	// included; divided by the client requests of one tenant, it says how
	// much of the backends that tenant used.
	CallsMetric = "faultline_apigateway_backend_calls_total"
)

// metrics holds the gateway's counters.
type metrics struct {
	requests, partial, limited, unauthorized, calls *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		reg.MustRegister(v)
		return v
	}
	return &metrics{
		requests:     vec(RequestsMetric, "Client requests by route and tenant.", "route", "tenant"),
		partial:      vec(PartialMetric, "Aggregated answers without an optional part (marked degraded).", "route", "tenant"),
		limited:      vec(LimitedMetric, "Requests refused with 429: over the tenant's quota.", "tenant"),
		unauthorized: vec(UnauthorizedMetric, "Requests refused with 401: no or a bad token, or no tenant key.", "route"),
		calls:        vec(CallsMetric, "Backend calls, tries included, by route, tenant and backend.", "route", "tenant", "backend"),
	}
}

// counters are one route's and one tenant's counters, resolved once so
// that the hot path does not look label values up.
type counters struct {
	requests, partial, limited, unauthorized prometheus.Counter
	calls                                    map[string]prometheus.Counter // by backend
}

// forRoute creates the counters of route for every tenant label.
func (m *metrics) forRoute(route string, tenants []string) map[string]*counters {
	out := map[string]*counters{}
	for _, t := range append([]string{otherTenant, anonymous}, tenants...) {
		c := &counters{
			requests:     m.requests.WithLabelValues(route, t),
			partial:      m.partial.WithLabelValues(route, t),
			limited:      m.limited.WithLabelValues(t),
			unauthorized: m.unauthorized.WithLabelValues(route),
			calls:        map[string]prometheus.Counter{},
		}
		for _, b := range Backends {
			c.calls[b] = m.calls.WithLabelValues(route, t, b)
		}
		out[t] = c
	}
	return out
}
