package traffic

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
)

// DegradedHeader marks an answer served from a fallback; its value is "1".
// It is patterns.DegradedHeader, which this package must not import.
const DegradedHeader = "X-Faultline-Degraded"

// Error classes of results that got no HTTP status.
const (
	ErrTimeout    = "timeout"    // client timeout, deadline exceeded
	ErrConnection = "connection" // refused, reset, EOF, broken pipe
	ErrOther      = "other"
)

// DefaultWindow is the aggregation window when a Plan sets none.
const DefaultWindow = time.Second

// grace is how long after the lateness bound a window stays open, for
// results that were delayed on their way to the aggregator.
const grace = 500 * time.Millisecond

// routeKey identifies a route in results, which carry method and URL.
type routeKey struct{ method, url string }

// Aggregator folds results into one model.Window per route per window.
// Windows are aligned to the attack start and a result counts in the window
// its request was sent in (Result.Timestamp), like vegeta's own reports.
//
// A result arrives at most lateness (the client timeout) after it was sent,
// so a window is emitted once results (or Advance) show that lateness plus a
// grace has passed since its end; only those windows stay open, so memory
// does not grow with the run. Windows are emitted in order of Start, then of
// route name, and every route gets a window every window, with Count 0 when
// it had no result. A result for an already emitted window is dropped and
// counted as late.
//
// An Aggregator is not safe for concurrent use, except Progress.
type Aggregator struct {
	start    time.Time
	window   time.Duration
	lateness time.Duration
	last     int64 // index of the last planned window; -1: unbounded
	emit     func(model.Window)

	names  []string         // route names, sorted
	routes map[routeKey]int // → index into names
	// templates are the templated routes, matched in order.
	templates []templateRoute
	slots     [][]slot      // ring of open windows: slots[k%len][route]
	lo        int64         // oldest open window
	hi        int64         // newest window with a result
	mark      time.Duration // watermark: latest result end (or Advance) seen
	done      bool
	all       *model.Histogram // scratch, to merge a window's routes

	// intended is the pacer's schedule when latencies are measured from
	// the intended send time (see MeasureFromIntended); nil: from the
	// actual send time.
	intended *stagePacer
	base     time.Time // when the pacer's schedule starts
	planned  *stagePacer
	share    []float64   // each route's share of the stages' hits, by weight
	plan     Plan        // for the hits of its bursts
	steady   *stagePacer // the stages alone, without the bursts

	requests, success, late, lateSuccess atomic.Int64
	lastRate, lastPlanned                atomic.Uint64 // float64 bits
	lastSuccess                          atomic.Uint64 // float64 bits; NaN before the first non-empty window
	lastP99                              atomic.Int64
}

// slot accumulates one route over one window.
type slot struct {
	count, success, degraded   int64
	bytes                      int64 // body bytes of the 2xx answers
	timeout, connection, other int64
	codes                      map[uint16]int64
	hist                       *model.Histogram // from the intended send time
	sent                       *model.Histogram // from the actual send time
	lag                        time.Duration    // largest lag behind the intended send time
}

// NewAggregator returns an Aggregator for the results of an attack of plan p
// that started at start; it calls emit with each closed window. It uses
// p.Targets (route names), p.Window, p.Timeout as the lateness bound and
// p.Duration() as the end: results sent after the end (scheduling delay)
// count in the last window.
func NewAggregator(p Plan, start time.Time, emit func(model.Window)) (*Aggregator, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Aggregator{
		start:    start,
		window:   p.Window,
		lateness: p.Timeout,
		last:     -1,
		emit:     emit,
		routes:   make(map[routeKey]int, len(p.Targets)),
		hi:       -1,
		all:      model.NewHistogram(),
	}
	if total := p.Duration(); total > 0 {
		a.last = int64((total+p.Window-1)/p.Window) - 1
	}
	for _, t := range p.Targets {
		if !slices.Contains(a.names, t.Name) {
			a.names = append(a.names, t.Name)
		}
	}
	slices.Sort(a.names)
	a.lastSuccess.Store(math.Float64bits(math.NaN()))
	a.share = make([]float64, len(a.names))
	var weights float64
	for _, t := range p.Targets {
		i := slices.Index(a.names, t.Name)
		a.routes[routeKey{t.Method, t.URL}] = i
		if !t.BurstOnly {
			a.share[i] += float64(t.Weight)
			weights += float64(t.Weight)
		}
		if t.Template != nil {
			a.templates = append(a.templates, templateRoute{t.Method, t.Template, i})
		}
	}
	for i := range a.share {
		a.share[i] /= weights
	}
	a.planned = NewPacer(p.schedule()).(*stagePacer)
	a.steady, a.plan = NewPacer(p.Stages).(*stagePacer), p
	n := int((a.lateness+grace+a.window-1)/a.window) + 2
	a.slots = make([][]slot, n)
	for i := range a.slots {
		a.slots[i] = make([]slot, len(a.names))
	}
	return a, nil
}

// Add folds one result in. It does not allocate, except histograms for the
// first result of a route in a window.
func (a *Aggregator) Add(r *vegeta.Result) {
	a.requests.Add(1)
	ok := r.Code >= 200 && r.Code < 300
	if ok {
		a.success.Add(1)
	}
	s := a.place(r)
	if s == nil {
		a.late.Add(1)
		if ok {
			a.lateSuccess.Add(1)
		}
	} else {
		a.record(s, r, ok)
	}
	if !a.done {
		a.advance(r.End().Sub(a.start))
	}
}

// place returns the slot of r's route in its send-time window; nil when
// r fits no window: an unknown route, a window already emitted, or a
// result after Flush.
func (a *Aggregator) place(r *vegeta.Result) *slot {
	route, known := a.routes[routeKey{r.Method, r.URL}]
	if !known {
		route, known = a.templated(r.Method, r.URL)
	}
	if a.done || !known {
		return nil
	}
	k := a.index(r.Timestamp.Sub(a.start))
	if k < a.lo {
		return nil
	}
	for k-a.lo >= int64(len(a.slots)) {
		a.close() // cannot happen while results respect the lateness
	}
	a.hi = max(a.hi, k)
	return &a.slots[k%int64(len(a.slots))][route]
}

// record counts r, a 2xx answer when ok, in s.
func (a *Aggregator) record(s *slot, r *vegeta.Result, ok bool) {
	s.count++
	if s.hist == nil {
		s.hist, s.sent = model.NewHistogram(), model.NewHistogram()
	}
	lat := a.fromIntended(r)
	s.hist.Record(lat)
	s.sent.Record(r.Latency)
	s.lag = max(s.lag, lat-r.Latency)
	switch {
	case ok:
		s.success++
		s.bytes += int64(r.BytesIn)
		if v := r.Headers[DegradedHeader]; len(v) > 0 && v[0] == "1" {
			s.degraded++
		}
	case r.Code != 0:
		if s.codes == nil {
			s.codes = make(map[uint16]int64)
		}
		s.codes[r.Code]++
	default:
		switch Classify(r.Error) {
		case ErrTimeout:
			s.timeout++
		case ErrConnection:
			s.connection++
		default:
			s.other++
		}
	}
}

// Advance tells the Aggregator that now has come, so windows can be emitted
// while no results arrive (a pause, or a stalled target).
func (a *Aggregator) Advance(now time.Time) {
	if !a.done {
		a.advance(now.Sub(a.start))
	}
}

// Flush emits every window that starts before until (at least up to the
// last window with a result, at most up to the planned end), then ends the
// aggregation: later results count as late.
func (a *Aggregator) Flush(until time.Duration) {
	if a.done {
		return
	}
	a.done = true
	end := a.index(until-1) + 1
	if until <= 0 {
		end = 0
	}
	end = max(end, a.hi+1)
	for a.lo < end {
		a.close()
	}
}

// Progress returns the totals so far, and the rate, success and p99 of the
// last closed window (all routes together). It is safe for concurrent use.
// Elapsed and Target are left to the caller.
func (a *Aggregator) Progress() Progress {
	req := a.requests.Load()
	p := Progress{
		Requests:    req,
		Rate:        math.Float64frombits(a.lastRate.Load()),
		PlannedRate: math.Float64frombits(a.lastPlanned.Load()),
		Success:     math.Float64frombits(a.lastSuccess.Load()),
		P99:         time.Duration(a.lastP99.Load()),
		Late:        a.late.Load(),
	}
	secs := a.window.Seconds()
	p.Short = model.Short(p.Rate*secs, p.PlannedRate*secs)
	if req > 0 {
		p.TotalSuccess = float64(a.success.Load()) / float64(req)
	}
	return p
}

// index returns the window of offset off, clamped to the plan.
func (a *Aggregator) index(off time.Duration) int64 {
	k := int64(max(off, 0) / a.window)
	if a.last >= 0 && k > a.last {
		k = a.last
	}
	return k
}

// advance moves the watermark to off and emits the windows it closes.
func (a *Aggregator) advance(off time.Duration) {
	if off <= a.mark {
		return
	}
	a.mark = off
	for (a.last < 0 || a.lo <= a.last) &&
		time.Duration(a.lo+1)*a.window+a.lateness+grace <= a.mark {
		a.close()
	}
}

// close emits the oldest open window, every route of it, and recycles its
// slot.
func (a *Aggregator) close() {
	k := a.lo
	a.lo++
	row := a.slots[k%int64(len(a.slots))]
	a.all.Reset()
	planned := a.plannedIn(k)
	var total, ok int64
	for i := range row {
		s := &row[i]
		w := s.window(a.names[i], time.Duration(k)*a.window)
		w.Planned = a.plannedFor(k, i)
		if w.Latency != nil {
			a.all.Merge(w.Latency)
		}
		total += s.count
		ok += s.success
		s.reset()
		if a.emit != nil {
			a.emit(w)
		}
	}
	a.lastRate.Store(math.Float64bits(float64(total) / a.window.Seconds()))
	a.lastPlanned.Store(math.Float64bits(planned / a.window.Seconds()))
	if total > 0 {
		a.lastSuccess.Store(math.Float64bits(float64(ok) / float64(total)))
	}
	a.lastP99.Store(int64(a.all.Quantile(0.99)))
}

// window is what s accumulated, as the window of route starting at start.
func (s *slot) window(route string, start time.Duration) model.Window {
	w := model.Window{Route: route, Start: start, Count: s.count, Success: s.success, Degraded: s.degraded, Bytes: s.bytes}
	if s.hist != nil && s.hist.Count() > 0 {
		// Read the sparse snapshot: the dense recorder is slow to walk.
		w.Latency = s.hist.Snapshot() // a few KB instead of ~148KB
		w.P50 = w.Latency.Quantile(0.50)
		w.P90 = w.Latency.Quantile(0.90)
		w.P99 = w.Latency.Quantile(0.99)
		w.Max = w.Latency.Max()
		// Latency from the intended send time exceeds the actual by at
		// most the largest lag: only a lag over 1% of p50 can make their
		// quantiles differ by more than 1%.
		if s.lag > w.P50/100 {
			if sent := s.sent.Snapshot(); model.Differ(sent.Quantile(0.50), w.P50) || model.Differ(sent.Quantile(0.99), w.P99) {
				w.Sent = sent
			}
		}
	}
	if n := len(s.codes) + nonZero(s.timeout, s.connection, s.other); n > 0 {
		w.Errors = make(map[string]int64, n)
		for code, c := range s.codes {
			w.Errors[strconv.Itoa(int(code))] = c
		}
		for _, e := range [...]struct {
			class string
			n     int64
		}{{ErrTimeout, s.timeout}, {ErrConnection, s.connection}, {ErrOther, s.other}} {
			if e.n > 0 {
				w.Errors[e.class] = e.n
			}
		}
	}
	return w
}

// reset empties s, keeping its histograms and codes map for reuse.
func (s *slot) reset() {
	codes, hist, sent := s.codes, s.hist, s.sent
	clear(codes)
	if hist != nil {
		hist.Reset() // the recorders are reused window after window
		sent.Reset()
	}
	*s = slot{codes: codes, hist: hist, sent: sent}
}

func nonZero(ns ...int64) int {
	c := 0
	for _, n := range ns {
		if n != 0 {
			c++
		}
	}
	return c
}

// Classify returns the error class of a result that got no HTTP status,
// from its error text: ErrTimeout, ErrConnection or ErrOther.
func Classify(err string) string {
	switch {
	case strings.Contains(err, "timeout"), strings.Contains(err, "Timeout"),
		strings.Contains(err, "deadline exceeded"):
		return ErrTimeout
	case strings.Contains(err, "connection refused"),
		strings.Contains(err, "connection reset"),
		strings.Contains(err, "broken pipe"),
		strings.Contains(err, "EOF"),
		strings.Contains(err, "closed network connection"),
		strings.Contains(err, "server closed idle connection"),
		strings.Contains(err, "no route to host"),
		strings.Contains(err, "network is unreachable"):
		return ErrConnection
	default:
		return ErrOther
	}
}

// templateRoute is a templated target: its results' URLs differ per request.
type templateRoute struct {
	method string
	t      *Template
	route  int
}

// templated finds the route of a result of a templated target.
func (a *Aggregator) templated(method, url string) (int, bool) {
	for _, tr := range a.templates {
		if tr.method == method && tr.t.Matches(url) {
			return tr.route, true
		}
	}
	return 0, false
}
