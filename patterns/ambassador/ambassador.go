// Package ambassador is the Ambassador pattern as a topology:
// client → app → ambassador → remote. The ambassador is an outbound proxy
// deployed beside the app: the app sends it every call meant for the remote
// service, and the ambassador owns what it takes to call a remote service
// well — per-attempt timeouts, retries with exponential backoff and full
// jitter (patterns/policy/retry), a retry budget, and a circuit breaker
// (patterns/policy/breaker) — so the app's code does not have to.
//
// The ambassador runs in one of three modes:
//
//   - "passthrough" forwards each call once, with no timeout, retry or
//     breaker of its own: the app's own timeout bounds it. It stands in for
//     the app calling the remote directly (the topology is fixed, so the
//     hop stays; an extra loopback hop adds well under a millisecond and no
//     policy).
//   - "retry" is what most client libraries do out of the box: per-attempt
//     timeouts and a fixed number of attempts with backoff, but no budget
//     and no breaker, whatever the retry.budget and breaker settings say.
//   - "resilient" is the pattern: timeouts, backoff with jitter, a retry
//     budget, and a breaker in front of each attempt (an open breaker fails
//     the call at once and is not retried).
//
// The remote is a patterns/kit/dependency service with bounded capacity that,
// by default, finishes the work of callers that have gone (ignore_cancel),
// as real servers do. That is what lets naive retries turn a brief slowdown
// into a lasting overload: attempts time out, are retried, and every
// abandoned attempt still costs the remote its full service time, so the
// retry-amplified load stays above capacity after the slowdown is gone —
// the metastable failure of Bronson et al. (HotOS 2021). A budget caps the
// amplification at 1 + ratio and the breaker sheds load while the remote
// fails, so it recovers as soon as the trigger ends.
//
// It must not import scenarios, reports, testbeds or cmd.
package ambassador

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
	"github.com/faultline/faultline/patterns/policy/breaker"
	"github.com/faultline/faultline/patterns/policy/breaker/breakerprom"
	"github.com/faultline/faultline/patterns/policy/retry"
)

// Service names.
const (
	App        = "app"
	Ambassador = "ambassador"
	Remote     = "remote"
)

// Ambassador modes.
const (
	Passthrough = "passthrough"
	Retry       = "retry"
	Resilient   = "resilient"
)

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `ambassador: {mode: retry}`.
type Config struct {
	App        AppConfig         `yaml:"app" json:"app"`
	Ambassador AmbassadorConfig  `yaml:"ambassador" json:"ambassador"`
	Remote     dependency.Config `yaml:"remote" json:"remote"`
}

// AppConfig is the application's side: its capacity and the timeout of its
// call to the ambassador (every attempt the ambassador makes included).
type AppConfig struct {
	Timeout  time.Duration    `yaml:"timeout" json:"timeout"`
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
}

// AmbassadorConfig configures the outbound proxy.
type AmbassadorConfig struct {
	// Mode is "passthrough", "retry" or "resilient" (see the package doc).
	Mode string `yaml:"mode" json:"mode"`
	// Timeout bounds each attempt (retry and resilient modes); 0 (the
	// default) lets each attempt take what remains of the call's deadline
	// (the app sends it in the X-Request-Timeout-Ms header), less 50ms to
	// answer in. Every attempt stops at that deadline either way.
	Timeout  time.Duration    `yaml:"timeout" json:"timeout"`
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
	// Retry configures attempts and backoff (retry and resilient modes) and
	// the budget (resilient mode only).
	Retry retry.Config `yaml:"retry" json:"retry"`
	// Breaker guards each attempt (resilient mode only).
	Breaker breaker.Config `yaml:"breaker" json:"breaker"`
}

// New returns the ambassador pattern. Its defaults are chosen so that
// the remote is comfortably sized for the app's load but not for that load
// multiplied by retries (see scenarios/ambassador.yaml):
//
//   - app: 1.5s timeout on its call to the ambassador, long enough for every
//     attempt; 256 workers, a queue of 64 waiting at most 1s.
//   - ambassador: resilient; each attempt may take what remains of the
//     app's deadline (no fixed attempt timeout: one shorter than a slowdown
//     the remote still answers through would turn slowness into failure,
//     which the direct call does not suffer); 4 attempts at most, backoff
//     from 10ms doubling to at most 200ms with full jitter; a budget of 10%
//     of calls plus 5 retries a second over 10s; a breaker over the
//     attempts of the last 2s that trips when at least 40 were seen and half
//     failed (a time window, so that a CPU stall of a few hundred
//     milliseconds does not trip it), stays open 500ms and closes after 3
//     successful probes; 256 workers, queue 64.
//   - remote: ~50ms log-normal service time (spread 10ms), 10 workers (a
//     capacity of ~200 requests a second), a queue of 100 waiting at most
//     2s, 256-byte answers, and it finishes the work of callers that left.
//
// Its baseline is the ambassador in passthrough mode, as if the app called
// the remote directly.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "ambassador",
		Description: "client → app → ambassador → remote; an outbound proxy beside the app owns timeouts, retries with backoff and jitter, a retry budget and a breaker",
		Topology: patterns.Topology{
			Services: []string{Remote, Ambassador, App},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: App},
				{From: App, To: Ambassador},
				{From: Ambassador, To: Remote},
			},
			Entry:        App,
			Downstream:   Remote,
			StateService: Ambassador,
			StateMetric:  breakerprom.StateMetric,
			StateNames:   breakerprom.StateNames,
			Gauges:       []string{"faultline_capacity_waiting", "faultline_ambassador_budget_available"},
			Counters: []string{
				"faultline_ambassador_attempts_total",
				"faultline_ambassador_retries_total",
				"faultline_ambassador_budget_exhausted_total",
				"faultline_capacity_rejected_total",
			},
		},
		Defaults: defaults,
		Baseline: func(c *Config) { c.Ambassador.Mode = Passthrough },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Remote:     dependency.Service(Remote, func(c *Config) dependency.Config { return c.Remote }),
			Ambassador: newAmbassador,
			App:        newApp,
		},
	})
}

// defaults returns the defaults New documents.
func defaults() *Config {
	b := breaker.DefaultConfig()
	b.Window = breaker.TimeWindow
	b.Period = 2 * time.Second
	b.MinCalls = 40
	b.FailureRatio = 0.5
	b.OpenWait = 500 * time.Millisecond
	b.HalfOpenCalls = 3
	return &Config{
		App: AppConfig{
			Timeout:  1500 * time.Millisecond,
			Capacity: service.Capacity{Workers: 256, Queue: 64, QueueTimeout: time.Second},
		},
		Ambassador: AmbassadorConfig{
			Mode:     Resilient,
			Capacity: service.Capacity{Workers: 256, Queue: 64, QueueTimeout: time.Second},
			Retry: retry.Config{
				MaxAttempts: 4,
				BaseDelay:   10 * time.Millisecond,
				MaxDelay:    200 * time.Millisecond,
				Jitter:      retry.JitterFull,
				Budget:      retry.BudgetConfig{Enabled: true, Ratio: 0.1, MinPerSecond: 5, Window: 10 * time.Second},
			},
			Breaker: b,
		},
		Remote: dependency.Config{
			Latency:       dependency.Latency{Dist: dependency.LogNormal, Mean: 50 * time.Millisecond, Spread: 10 * time.Millisecond},
			Capacity:      service.Capacity{Workers: 10, Queue: 100, QueueTimeout: 2 * time.Second},
			ResponseBytes: 256,
			IgnoreCancel:  true,
		},
	}
}

// validate checks a configuration, and of the ambassador only what its
// mode uses.
func validate(c *Config) error {
	var errs []error
	if c.App.Timeout <= 0 {
		errs = append(errs, field.Errorf("app.timeout", "must be > 0, got %s", c.App.Timeout))
	}
	errs = append(errs, field.In("app.capacity", c.App.Capacity.Validate()))
	a := &c.Ambassador
	switch a.Mode {
	case Passthrough, Retry, Resilient:
	default:
		errs = append(errs, field.Errorf("ambassador.mode", "must be %q, %q or %q, got %q", Passthrough, Retry, Resilient, a.Mode))
	}
	errs = append(errs, field.In("ambassador.capacity", a.Capacity.Validate()))
	if a.Mode == Retry || a.Mode == Resilient {
		if a.Timeout < 0 {
			errs = append(errs, field.Errorf("ambassador.timeout", "must be >= 0 (0: the call's deadline), got %s", a.Timeout))
		}
		rc := a.Retry
		rc.Budget.Enabled = rc.Budget.Enabled && a.Mode == Resilient
		errs = append(errs, field.In("ambassador.retry", rc.Validate()))
	}
	if a.Mode == Resilient {
		errs = append(errs, field.In("ambassador.breaker", a.Breaker.Validate()))
	}
	errs = append(errs, field.In("remote", c.Remote.Validate()))
	return errors.Join(errs...)
}

// app serves every path by forwarding it to the ambassador within its
// timeout. It answers 200 when the ambassador did, the ambassador's status
// when that is an error, 504 when its own timeout expired and 502 when the
// ambassador could not be reached.
type app struct {
	ambassador string
	timeout    time.Duration
	client     *http.Client
}

func newApp(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	a := &app{
		ambassador: env.Upstream(Ambassador),
		timeout:    c.App.Timeout,
		client:     service.NewClient(c.App.Capacity.Workers),
	}
	limiter := service.NewLimiter(c.App.Capacity, App, env.Registry)
	return limiter.Wrap(a), a.client.CloseIdleConnections, nil
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.ambassador+r.URL.Path, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set(DeadlineHeader, strconv.FormatInt(a.timeout.Milliseconds(), 10))
	resp, err := a.client.Do(req)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client left
		}
		if errors.Is(err, context.DeadlineExceeded) {
			http.Error(w, "remote call timed out", http.StatusGatewayTimeout)
			return
		}
		http.Error(w, "ambassador unreachable", http.StatusBadGateway)
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		http.Error(w, "ambassador answer cut short", http.StatusBadGateway)
		return
	}
	if resp.StatusCode >= 300 {
		http.Error(w, "remote call failed", resp.StatusCode)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(body)
}
