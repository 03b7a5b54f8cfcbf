// Package traffic drives a scenario's client traffic with the Vegeta library
// and aggregates the results into per-route time windows (model.Window).
//
// It paces hits along stages (steps and linear ramps), picks targets by
// weight from a seeded source, streams every raw result to a writer in
// Vegeta's own format (so `vegeta report` reads it) and streams the windows
// on a channel as they close, so memory stays flat however long the run.
//
// It takes plain parameters. Of faultline it imports only reports/model, the
// report's data, and not the renderers in reports, which link the plotting
// library.
//
// It must not import scenarios, patterns, faults, testbeds, cmd or gonum.org/v1/plot.
package traffic

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/reports/model"
)

// Defaults for a Plan's zero fields. They are a scenario's defaults too:
// the scenario validator applies them to a load that leaves them out.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultWorkers     = 64
	DefaultConnections = 64
)

// initialWorkers is how many workers an attack starts with; Vegeta adds
// more, up to Plan.Workers, when they are all busy.
const initialWorkers = 8

// Target is one route the client calls. Weight is relative (0 counts as 1).
// Name is the route name in windows; default "METHOD URL".
type Target struct {
	Name   string
	Method string // default GET
	URL    string
	Header http.Header
	Body   []byte
	Weight int
	// Template, when set, renders URL, headers and body per request
	// (URL then holds the template as written, naming the route).
	Template *Template
	// BurstOnly keeps the target out of the stages' load: only the plan's
	// bursts on its route send it (a flood that arrives later).
	BurstOnly bool
}

// Stage is one step of the load: Rate (per second) held for Duration or,
// with Ramp, reached linearly from the previous stage's rate (0 for the
// first stage).
type Stage struct {
	Duration time.Duration
	Rate     float64
	Ramp     bool
}

// Plan is the load of one attack.
type Plan struct {
	Stages  []Stage // a constant load is one stage
	Targets []Target
	// Bursts add load on one route for a while, on top of the stages.
	Bursts []Burst
	// Timeout is the client's per-request timeout (whole request, body
	// included); default 2s. It also bounds how late a result can arrive.
	Timeout time.Duration
	// Workers bounds Vegeta's workers, Connections the connections per
	// host; defaults 64 and 64.
	Workers     uint64
	Connections int
	Seed        int64         // target picks
	Window      time.Duration // aggregation window; default 1s
	// Start is when the load begins; windows and offsets are relative to
	// it. Zero means when Run is called; a future time makes Run wait for
	// it, so a caller can align other timelines (faults) with the load.
	Start time.Time
	// Name is Vegeta's attack name (Result.Attack, X-Vegeta-Attack header).
	Name string
}

// Duration returns the planned length of the load: the sum of its stages.
func (p Plan) Duration() time.Duration {
	var d time.Duration
	for _, s := range p.Stages {
		d += max(s.Duration, 0)
	}
	return d
}

// withDefaults checks p and fills its zero fields.
func (p Plan) withDefaults() (Plan, error) {
	ts, err := normalize(p.Targets)
	if err != nil {
		return p, err
	}
	p.Targets = ts
	if err := checkBursts(p); err != nil {
		return p, err
	}
	for i, s := range p.Stages {
		if s.Duration < 0 || s.Rate < 0 {
			return p, fmt.Errorf("load: stage %d: negative duration or rate", i)
		}
	}
	switch {
	case p.Timeout < 0, p.Window < 0, p.Connections < 0:
		return p, errors.New("load: negative timeout, window or connections")
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Window == 0 {
		p.Window = DefaultWindow
	}
	if p.Workers == 0 {
		p.Workers = DefaultWorkers
	}
	if p.Connections == 0 {
		p.Connections = DefaultConnections
	}
	return p, nil
}

// Progress is a live view of an attack, for a progress display.
type Progress struct {
	Elapsed  time.Duration // since the load start
	Planned  time.Duration // planned length
	Target   float64       // planned rate at Elapsed, per second
	Requests int64         // results received
	Success  float64       // share of 2xx results in the last closed window (NaN before one closed)
	Rate     float64       // results per second in the last closed window
	// PlannedRate is the rate the plan scheduled for the last closed
	// window; Short says Rate fell more than 1% under it (model.Short).
	PlannedRate float64
	Short       bool
	// TotalSuccess is the share of 2xx results so far.
	TotalSuccess float64
	P99          time.Duration // p99 latency of the last closed window, all routes
	Late         int64         // results that fit no window (see Aggregator.Late)
	Bursts       []string      // the bursts sending at Elapsed
}

// Attack runs one Plan once.
type Attack struct {
	plan      Plan
	pacer     vegeta.Pacer
	targeter  vegeta.Targeter
	transport *http.Transport
	bodies    *bodyCounter // fills each result's BytesIn
	attacker  *vegeta.Attacker

	ran atomic.Bool
	agg atomic.Pointer[Aggregator]
}

// NewAttack checks p, applies its defaults and prepares the attack.
func NewAttack(p Plan) (*Attack, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, err
	}
	if p.Duration() <= 0 {
		return nil, errors.New("load: the plan has no stage with a duration")
	}
	pacer := NewPacer(p.schedule()).(*stagePacer)
	tr, err := NewTargeter(p.Targets, p.Seed)
	if len(p.Bursts) > 0 {
		tr, err = newBurstTargeter(p, pacer)
	}
	if err != nil {
		return nil, err
	}
	transport := newTransport(p)
	bodies := newBodyCounter(transport)
	// The transport sets the connection bounds and keep-alive itself:
	// Vegeta's options for them need its own *http.Transport, not a wrapper.
	client := &http.Client{Transport: bodies, Timeout: p.Timeout}
	return &Attack{
		plan:      p,
		pacer:     pacer,
		targeter:  tr,
		transport: transport,
		bodies:    bodies,
		attacker: vegeta.NewAttacker(
			vegeta.Client(client),             // first: the options below edit it
			vegeta.Redirects(vegeta.NoFollow), // load goes only where the plan says
			vegeta.Timeout(p.Timeout),
			vegeta.Workers(min(p.Workers, initialWorkers)),
			vegeta.MaxWorkers(p.Workers),
			vegeta.MaxBody(0), // bodies are counted (bodies), not kept: raw results stay small
		),
	}, nil
}

// newTransport returns a transport for services on loopback: no proxy from
// the environment, no compression (sizes are as sent), HTTP/1.1 keep-alive
// connections bounded per host.
func newTransport(p Plan) *http.Transport {
	dialer := &net.Dialer{Timeout: p.Timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: p.Connections,
		MaxConnsPerHost:     p.Connections,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// Run runs the attack: it sends the plan's load until the plan ends or ctx
// is cancelled, encodes every result to raw (when not nil) with Vegeta's
// encoder, and sends the windows on windows (when not nil) as they close,
// closing the channel when it returns. The caller must keep receiving until
// then: a stalled receiver stalls the attack.
//
// On cancellation it stops the attack, waits for the requests in flight
// (at most the timeout), emits the windows up to the cancellation, flushes
// raw and returns ctx.Err(). Raw results are flushed at every window
// close; the first raw write error (a full disk) stops the attack the same
// way, and is returned.
func (a *Attack) Run(ctx context.Context, raw io.Writer, windows chan<- model.Window) error {
	if windows != nil {
		defer close(windows)
	}
	if !a.ran.CompareAndSwap(false, true) {
		return errors.New("load: an Attack runs only once")
	}
	defer a.transport.CloseIdleConnections()

	start, err := waitStart(ctx, a.plan.Start)
	if err != nil {
		return err
	}
	out := newRawWriter(raw)
	emit := func(model.Window) { out.flush() }
	if windows != nil {
		// Raw results reach the file at every window close, so a killed
		// run leaves whole records up to its last window.
		emit = func(w model.Window) { out.flush(); windows <- w }
	}
	agg, err := NewAggregator(a.plan, start, emit)
	if err != nil {
		return err
	}
	a.agg.Store(agg)

	total := a.plan.Duration()
	stopped := a.drive(ctx, agg, out, start, total)
	until := total
	if stopped >= 0 {
		until = min(stopped, total)
	}
	agg.Flush(until)
	switch err := out.flush(); {
	case err != nil:
		return fmt.Errorf("load: writing raw results: %w", err)
	case stopped >= 0:
		return ctx.Err()
	}
	return nil
}

// waitStart waits until start (now, when zero) and returns it; it returns
// ctx's error when ctx is done first.
func waitStart(ctx context.Context, start time.Time) (time.Time, error) {
	if start.IsZero() {
		return time.Now(), nil
	}
	if err := clock.Sleep(ctx, time.Until(start)); err != nil {
		return start, err
	}
	return start, nil
}

// drive sends the load for total from start, handing every result to out
// and agg and advancing agg's windows as time passes, until the load ends
// or ctx is done. It returns when ctx was cancelled, from start, or -1 when
// the load ran to its end.
func (a *Attack) drive(ctx context.Context, agg *Aggregator, out *rawWriter, start time.Time, total time.Duration) (stopped time.Duration) {
	tick := time.NewTicker(min(a.plan.Window, 250*time.Millisecond))
	defer tick.Stop()
	done := ctx.Done()
	agg.MeasureFromIntended(time.Now()) // Vegeta's attack begins now
	results := a.attacker.Attack(a.targeter, a.pacer, total, a.plan.Name)
	flowing := false
	for results != nil {
		select {
		case r, ok := <-results:
			if !ok {
				results = nil
				continue
			}
			a.bodies.fill(r)
			out.encode(r)
			agg.Add(r)
			flowing = true
			if out.err != nil {
				// A full disk: stop now, keep what was measured.
				a.attacker.Stop()
				return a.drain(results, tick.C, out, agg, time.Since(start))
			}
		case now := <-tick.C:
			// While results flow, their end times move the windows on:
			// the clock would close windows whose results are still
			// queued behind a busy receiver, and make them late.
			if !flowing {
				agg.Advance(now)
			}
			flowing = false
		case <-done:
			a.attacker.Stop() // then drain: workers finish their requests
			return a.drain(results, tick.C, out, agg, time.Since(start))
		}
	}

	// The pacer stops after the last planned hit, which may come before the
	// end of the plan (a final pause): the load lasts until the end.
	end := time.NewTimer(time.Until(start.Add(total)))
	defer end.Stop()
	for {
		select {
		case <-end.C:
			return -1
		case now := <-tick.C:
			agg.Advance(now)
		case <-done:
			return time.Since(start)
		}
	}
}

// drain takes the results of the requests still in flight after a stop,
// advancing agg's windows meanwhile, and returns stopped.
func (a *Attack) drain(results <-chan *vegeta.Result, tick <-chan time.Time, out *rawWriter, agg *Aggregator, stopped time.Duration) time.Duration {
	for {
		select {
		case r, ok := <-results:
			if !ok {
				return stopped
			}
			a.bodies.fill(r)
			out.encode(r)
			agg.Add(r)
		case now := <-tick:
			agg.Advance(now)
		}
	}
}

// rawWriter encodes results with Vegeta's encoder through a buffer. It
// keeps the first write error and writes nothing after it; the attack stops
// on it.
type rawWriter struct {
	bw  *bufio.Writer
	enc vegeta.Encoder
	err error
}

// newRawWriter writes to w; a nil w writes nothing.
func newRawWriter(w io.Writer) *rawWriter {
	if w == nil {
		return &rawWriter{}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	return &rawWriter{bw: bw, enc: vegeta.NewEncoder(bw)}
}

func (w *rawWriter) encode(r *vegeta.Result) {
	if w.enc != nil && w.err == nil {
		w.err = w.enc.Encode(r)
	}
}

// flush writes what is buffered and returns the first error.
func (w *rawWriter) flush() error {
	if w.bw != nil {
		if err := w.bw.Flush(); err != nil && w.err == nil {
			w.err = err
		}
	}
	return w.err
}

// Progress returns a live view of the attack; the zero Progress before Run
// starts the load. It is safe to call from any goroutine, and cheap.
func (a *Attack) Progress() Progress {
	agg := a.agg.Load()
	if agg == nil {
		return Progress{Planned: a.plan.Duration()}
	}
	pr := agg.Progress()
	pr.Planned = a.plan.Duration()
	pr.Elapsed = max(time.Since(agg.start), 0)
	pr.Target = a.pacer.Rate(pr.Elapsed)
	for _, b := range a.plan.Bursts {
		if b.active(pr.Elapsed) {
			pr.Bursts = append(pr.Bursts, b.Name)
		}
	}
	return pr
}

// Window is the attack's aggregation window.
func (a *Attack) Window() time.Duration { return a.plan.Window }

// Routes is how many routes the attack's windows name.
func (a *Attack) Routes() int {
	var names []string
	for _, t := range a.plan.Targets {
		if !slices.Contains(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	return len(names)
}

// Late returns the results that fit no window; see Aggregator.Late.
func (a *Attack) Late() model.Late {
	if agg := a.agg.Load(); agg != nil {
		return agg.Late()
	}
	return model.Late{}
}

// Run runs plan p once; see Attack.Run.
func Run(ctx context.Context, p Plan, raw io.Writer, windows chan<- model.Window) error {
	a, err := NewAttack(p)
	if err != nil {
		if windows != nil {
			close(windows)
		}
		return err
	}
	return a.Run(ctx, raw, windows)
}
