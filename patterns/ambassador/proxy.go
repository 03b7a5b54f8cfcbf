package ambassador

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
	"github.com/faultline/faultline/patterns/policy/breaker"
	"github.com/faultline/faultline/patterns/policy/breaker/breakerprom"
	"github.com/faultline/faultline/patterns/policy/retry"
)

// Attempt outcomes, the values of faultline_ambassador_attempts_total's
// outcome label.
const (
	OutcomeSuccess     = "success"      // the remote answered 2xx (or 3xx)
	OutcomeTimeout     = "timeout"      // the attempt's timeout expired
	OutcomeConnection  = "connection"   // refused, reset or cut short
	OutcomeServerError = "server_error" // the remote answered 5xx
	OutcomeClientError = "client_error" // the remote answered 4xx: not retried
	OutcomeRejected    = "rejected"     // the breaker was open: not sent, not retried
	OutcomeCancelled   = "cancelled"    // the app gave up during the attempt
)

var outcomes = []string{
	OutcomeSuccess, OutcomeTimeout, OutcomeConnection, OutcomeServerError,
	OutcomeClientError, OutcomeRejected, OutcomeCancelled,
}

// Attempt errors. A remote's error status is a *service.StatusError.
var (
	errTimeout    = errors.New("ambassador: attempt timed out")
	errConnection = errors.New("ambassador: connection to remote failed")
)

// retryable says whether an attempt's error is worth another attempt: not
// when the breaker refused it (the next would be refused too) nor when the
// remote rejected the request itself (4xx).
func retryable(err error) bool {
	if errors.Is(err, breaker.ErrOpen) {
		return false
	}
	var se *service.StatusError
	if errors.As(err, &se) && se.Code < 500 {
		return false
	}
	return true
}

// ambassador forwards every path to the remote under its mode's policies.
type ambassador struct {
	remote   string
	timeout  time.Duration    // per attempt; 0: none (passthrough)
	policy   *retry.Policy    // nil: one attempt (passthrough)
	breaker  *breaker.Breaker // nil: no breaker (passthrough, retry)
	client   *http.Client
	attempts *prometheus.CounterVec
	counted  map[string]prometheus.Counter // attempts by outcome, resolved once
}

func newAmbassador(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	ac := c.Ambassador
	a := &ambassador{
		remote: env.Upstream(Remote),
		client: service.NewClient(ac.Capacity.Workers),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_ambassador_attempts_total",
			Help: "Attempts to call the remote, by outcome: " +
				"success, timeout, connection, server_error, client_error, rejected (breaker open), cancelled (the app gave up).",
		}, []string{"outcome"}),
		counted: map[string]prometheus.Counter{},
	}
	m := newMetrics(env.Registry)
	env.Registry.MustRegister(a.attempts)
	for _, o := range outcomes {
		a.counted[o] = a.attempts.WithLabelValues(o)
	}

	if ac.Mode == Retry || ac.Mode == Resilient {
		a.timeout = ac.Timeout
		rc := ac.Retry
		rc.Budget.Enabled = rc.Budget.Enabled && ac.Mode == Resilient
		p, err := retry.New(rc, retry.WithSeed(env.Seed), retry.WithRetryable(retryable), retry.WithObserver(m))
		if err != nil {
			return nil, nil, err
		}
		a.policy = p
		if b := p.Budget(); b != nil {
			env.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "faultline_ambassador_budget_available",
				Help: "Retries the budget would grant now.",
			}, func() float64 { return float64(b.Available()) }))
		}
	}
	if ac.Mode == Resilient {
		b, err := breakerprom.New(ac.Breaker, env.Registry)
		if err != nil {
			return nil, nil, fmt.Errorf("breaker: %w", err)
		}
		a.breaker = b
	}
	limiter := service.NewLimiter(ac.Capacity, Ambassador, env.Registry)
	return limiter.Wrap(a), func() {
		a.client.CloseIdleConnections()
		if a.breaker != nil {
			a.breaker.Close() // stops its open → half-open timer
		}
	}, nil
}

// ServeHTTP forwards the request's path to the remote. It answers the
// remote's body on success; on failure 503 when the breaker is open, 504
// when the last attempt timed out, the remote's status when it answered an
// error, and 502 when it could not be reached.
func (a *ambassador) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	app := r.Context()
	ctx, cancel := callContext(r)
	defer cancel()
	path := r.URL.Path
	var body []byte
	call := func(ctx context.Context) error {
		b, err := a.attempt(app, ctx, path)
		body = b
		return err
	}
	var err error
	if a.policy != nil {
		err = a.policy.Do(ctx, call)
	} else {
		err = call(ctx)
	}
	if app.Err() != nil {
		return // the app gave up; nobody reads an answer
	}
	var se *service.StatusError
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(body)
	case errors.Is(err, breaker.ErrOpen):
		http.Error(w, "circuit open", http.StatusServiceUnavailable)
	case errors.Is(err, errTimeout):
		http.Error(w, "remote timed out", http.StatusGatewayTimeout)
	case errors.As(err, &se):
		http.Error(w, "remote failed", se.Code)
	default:
		http.Error(w, "remote unreachable", http.StatusBadGateway)
	}
}

// attempt makes one call to the remote through the breaker, if any, within
// the call's context ctx; app is the app's request (done when it left).
func (a *ambassador) attempt(app, ctx context.Context, path string) ([]byte, error) {
	var permit breaker.Permit // the zero permit ignores Done and Release
	if a.breaker != nil {
		p, err := a.breaker.Allow()
		if err != nil {
			a.counted[OutcomeRejected].Inc()
			return nil, err
		}
		permit = p
	}
	start := time.Now()
	body, outcome, err := a.call(app, ctx, path)
	a.counted[outcome].Inc()
	if outcome == OutcomeCancelled {
		permit.Release() // says nothing about the remote
		return nil, err
	}
	// A 4xx is the request's fault, not the remote's.
	permit.Done(err == nil || outcome == OutcomeClientError, time.Since(start))
	return body, err
}

// call sends one request within the attempt timeout and the call's
// deadline (ctx), and classifies the outcome; app is the app's request.
func (a *ambassador) call(app, ctx context.Context, path string) ([]byte, string, error) {
	actx := ctx
	if a.timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, a.timeout)
		defer cancel()
	}
	// POST: Go's transport would silently resend an idempotent request
	// whose reused connection was reset; the ambassador owns retries.
	req, err := http.NewRequestWithContext(actx, http.MethodPost, a.remote+path, nil)
	if err != nil {
		return nil, OutcomeConnection, err
	}
	resp, err := a.client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
	switch {
	case app.Err() != nil:
		return nil, OutcomeCancelled, app.Err()
	case err != nil && actx.Err() != nil:
		return nil, OutcomeTimeout, errTimeout
	case err != nil:
		return nil, OutcomeConnection, fmt.Errorf("%w: %w", errConnection, err)
	case resp.StatusCode >= 500:
		return nil, OutcomeServerError, service.NewStatusError(resp)
	case resp.StatusCode >= 400:
		return nil, OutcomeClientError, service.NewStatusError(resp)
	}
	return body, OutcomeSuccess, nil
}

// metrics counts the retry policy's decisions.
type metrics struct {
	retries, exhausted prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "faultline_ambassador_retries_total",
			Help: "Retries the ambassador decided to make (attempts after the first).",
		}),
		exhausted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "faultline_ambassador_budget_exhausted_total",
			Help: "Retries the retry budget refused.",
		}),
	}
	reg.MustRegister(m.retries, m.exhausted)
	return m
}

// OnRetry implements retry.Observer.
func (m *metrics) OnRetry(int, time.Duration) { m.retries.Inc() }

// OnThrottled implements retry.Observer.
func (m *metrics) OnThrottled(int) { m.exhausted.Inc() }
