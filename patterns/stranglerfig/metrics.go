package stranglerfig

import "github.com/prometheus/client_golang/prometheus"

// Metric names the facade exports.
const (
	// StateMetric is the migration's state (StateNames).
	StateMetric = "faultline_stranglerfig_state"
	// PercentMetric is each route's share of users sent to modern.
	PercentMetric       = "faultline_stranglerfig_route_percent"
	RequestsMetric      = "faultline_stranglerfig_requests_total" // by route and backend
	ShadowSentMetric    = "faultline_stranglerfig_shadow_sent_total"
	ShadowDroppedMetric = "faultline_stranglerfig_shadow_dropped_total"
	// ComparedMetric counts shadow answers compared with legacy's; of
	// those, DiffsMetric the ones with a real difference, NoiseMetric the
	// ones whose differences were all noise.
	ComparedMetric      = "faultline_stranglerfig_shadow_compared_total"
	DiffsMetric         = "faultline_stranglerfig_shadow_diffs_total"
	NoiseMetric         = "faultline_stranglerfig_shadow_noise_total"
	ModernErrorsMetric  = "faultline_stranglerfig_modern_errors_total" // real and shadow calls
	RollbacksMetric     = "faultline_stranglerfig_rollbacks_total"     // by route
	IgnoredShiftsMetric = "faultline_stranglerfig_ignored_shifts_total"
)

// States of the migration, as StateMetric's values: the furthest any route
// has gone (rolled back wins, then migrating, then migrated).
const (
	stateLegacy = iota
	stateMigrating
	stateMigrated
	stateRolledBack
)

// StateNames names StateMetric's values.
var StateNames = []string{"legacy", "migrating", "migrated", "rolled back"}

// metrics are the facade's own metrics; every series exists from the start.
type metrics struct {
	requests      *prometheus.CounterVec
	percent       *prometheus.GaugeVec
	rollbacks     *prometheus.CounterVec
	shadowSent    prometheus.Counter
	shadowDropped prometheus.Counter
	compared      prometheus.Counter
	diffs         prometheus.Counter
	noise         prometheus.Counter
	modernErrors  prometheus.Counter
	ignored       prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, state func() float64) *metrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: RequestsMetric,
			Help: "Requests the facade sent on, by route and backend."}, []string{"route", "backend"}),
		percent: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: PercentMetric,
			Help: "Share of a route's users sent to modern, in percent."}, []string{"route"}),
		rollbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: RollbacksMetric,
			Help: "Automatic rollbacks of a route to legacy."}, []string{"route"}),
		shadowSent:    counter(ShadowSentMetric, "Shadow copies sent to modern."),
		shadowDropped: counter(ShadowDroppedMetric, "Shadow copies dropped: every slot was taken."),
		compared:      counter(ComparedMetric, "Shadow answers compared with legacy's."),
		diffs:         counter(DiffsMetric, "Compared answers with a real difference."),
		noise:         counter(NoiseMetric, "Compared answers whose differences were all noise."),
		modernErrors:  counter(ModernErrorsMetric, "Modern calls that failed (5xx or no answer), shadows included."),
		ignored:       counter(IgnoredShiftsMetric, "Shifts ignored because the route had rolled back."),
	}
	for _, r := range routes {
		m.percent.WithLabelValues(r)
		m.rollbacks.WithLabelValues(r)
		for _, b := range []string{Legacy, Modern} {
			m.requests.WithLabelValues(r, b)
		}
	}
	reg.MustRegister(m.requests, m.percent, m.rollbacks, m.shadowSent, m.shadowDropped, m.compared,
		m.diffs, m.noise, m.modernErrors, m.ignored,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: StateMetric, Help: "The migration's state (0 legacy, 1 migrating, 2 migrated, 3 rolled back)."}, state))
	return m
}
