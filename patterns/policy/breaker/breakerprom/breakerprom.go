// Package breakerprom exports a breaker's state and transitions as
// Prometheus metrics, under the names reports draw the state band from:
// faultline_breaker_state (0 closed, 1 open, 2 half-open) and
// faultline_breaker_transitions_total{from,to}.
//
// It lives beside the breaker so that the breaker itself stays free of any
// dependency.
//
// It must not import scenarios, reports, testbeds or cmd.
package breakerprom

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns/policy/breaker"
)

// StateMetric is the gauge carrying the breaker's state.
const StateMetric = "faultline_breaker_state"

// StateNames names the state gauge's values, in order.
var StateNames = []string{breaker.Closed.String(), breaker.Open.String(), breaker.HalfOpen.String()}

// New returns a breaker for cfg whose state and transitions are registered
// with reg.
func New(cfg breaker.Config, reg prometheus.Registerer, opts ...breaker.Option) (*breaker.Breaker, error) {
	o := &observer{
		state: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: StateMetric,
			Help: "Breaker state: 0 closed, 1 open, 2 half-open.",
		}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_breaker_transitions_total",
			Help: "State transitions.",
		}, []string{"from", "to"}),
	}
	b, err := breaker.New(cfg, append(opts, breaker.WithObserver(o))...)
	if err != nil {
		return nil, err
	}
	if err := reg.Register(o.state); err != nil {
		return nil, fmt.Errorf("breakerprom: %w", err)
	}
	if err := reg.Register(o.transitions); err != nil {
		return nil, fmt.Errorf("breakerprom: %w", err)
	}
	o.state.Set(float64(b.State()))
	return b, nil
}

// observer implements breaker.Observer.
type observer struct {
	state       prometheus.Gauge
	transitions *prometheus.CounterVec
}

func (o *observer) OnStateChange(from, to breaker.State) {
	o.state.Set(float64(to))
	o.transitions.WithLabelValues(from.String(), to.String()).Inc()
}

func (*observer) OnPermit(breaker.State) {}
func (*observer) OnReject(breaker.State) {}
func (*observer) OnResult(bool, bool)    {}
