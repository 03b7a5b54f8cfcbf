// Package httpfault injects HTTP-level faults inside a service: answering an
// error status, delaying a request, or aborting its connection without an
// answer. Toxiproxy works on TCP and cannot do any of this per request.
//
// It can also corrupt one field of a JSON answer, as a new implementation
// with a bug would: the answer is well-formed, its status 200, its value wrong.
//
// An Injector wraps a service's application handler. It serves a small admin
// API under Prefix and applies the active rules to every other request:
//
//	PUT    /_faultline/faults/{name}  body: Rule as JSON  → 204
//	DELETE /_faultline/faults/{name}                      → 204 (idempotent)
//	GET    /_faultline/faults                             → 200, JSON map of active rules
//	DELETE /_faultline/faults                             → 204, clears every rule
//
// Only what the Injector wraps is subject to faults: wrap the application
// handler and mount health and metrics endpoints beside it, not inside it, so
// that probes and scrapes keep working while faults are active.
//
// Put, Delete, List and Clear are the client side of the admin API.
//
// Services (patterns/kit/service) and faults both import this package, so of
// faultline it imports only the leaf internal/field.
//
// It must not import patterns, faults, scenarios, reports, testbeds or cmd.
package httpfault

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/internal/field"
)

// Prefix is the path under which an Injector serves its admin API.
const Prefix = "/_faultline/faults"

// Rule kinds.
const (
	KindError   = "error"   // answer Status with body "injected fault"
	KindDelay   = "delay"   // wait Delay ± Jitter before serving
	KindAbort   = "abort"   // close the connection without an answer
	KindCorrupt = "corrupt" // change Field of the JSON answer to a wrong value
)

// Body is the body of an injected error answer.
const Body = "injected fault"

// Rule is one named fault, as sent over the admin API. Durations are JSON
// integers in nanoseconds (encoding/json's time.Duration).
type Rule struct {
	Kind   string        `json:"kind"`
	Rate   float64       `json:"rate"` // probability a request is hit, 0..1
	Status int           `json:"status,omitempty"`
	Delay  time.Duration `json:"delay,omitempty"`
	Jitter time.Duration `json:"jitter,omitempty"`
	Field  string        `json:"field,omitempty"` // KindCorrupt: a top-level key of the JSON answer
}

// Validate checks r. A problem is a *field.Error naming the offending
// field by its JSON key.
func (r Rule) Validate() error {
	if !(r.Rate >= 0 && r.Rate <= 1) { // also rejects NaN
		return field.Errorf("rate", "must be within [0, 1], got %v", r.Rate)
	}
	switch r.Kind {
	case KindError:
		if r.Status < 100 || r.Status > 599 {
			return field.Errorf("status", "must be an HTTP status within [100, 599], got %d", r.Status)
		}
	case KindDelay:
		if r.Delay <= 0 {
			return field.Errorf("delay", "must be > 0, got %v", r.Delay)
		}
		if r.Jitter < 0 {
			return field.Errorf("jitter", "must be >= 0, got %v", r.Jitter)
		}
	case KindAbort:
	case KindCorrupt:
		if r.Field == "" {
			return field.Errorf("field", "required: the key of the JSON answer to corrupt")
		}
	default:
		return field.Errorf("kind", "must be %q, %q, %q or %q, got %q", KindError, KindDelay, KindAbort, KindCorrupt, r.Kind)
	}
	return nil
}

// Injector is an http.Handler serving the admin API under Prefix and applying
// the active rules to every other request before handing it to the wrapped
// handler.
//
// For each request, every active rule draws from a PCG source seeded at
// construction, in rule-name order and a fixed number of times whatever the
// outcome, so that a sequence of requests meets the same faults run after
// run (concurrent requests draw in the order they arrive).
// Then, in this order:
//   - the delays of every delay rule hit are added up and waited out (the
//     wait ends early, without an answer, if the request's context is done);
//   - if an abort rule hit, the connection is closed without an answer;
//   - if an error rule hit, the first such rule by name answers its status;
//   - otherwise the wrapped handler serves the request; if a corrupt rule
//     hit, the first such rule by name changes its field in the answer
//     (see corrupt.go).
//
// Note that Go's http.Transport transparently retries an idempotent request
// whose reused keep-alive connection is closed before any answer, so Go
// clients may mask part of an abort rate, as they would mask a crashed
// server's closed idle connections.
type Injector struct {
	next http.Handler
	mux  *http.ServeMux

	mu     sync.Mutex
	rng    *rand.Rand
	rules  map[string]Rule
	sorted []Rule       // rules in name order, rebuilt on every change
	active atomic.Int32 // len(sorted), read without the lock
}

// New returns an Injector in front of next, with no active rule, whose draws
// derive from seed.
func New(next http.Handler, seed int64) *Injector {
	in := &Injector{
		next:  next,
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x6661756c746c696e)), // "faultlin"
		rules: make(map[string]Rule),
		mux:   http.NewServeMux(),
	}
	in.mux.HandleFunc("GET "+Prefix, in.list)
	in.mux.HandleFunc("DELETE "+Prefix, in.clear)
	in.mux.HandleFunc("PUT "+Prefix+"/{name}", in.put)
	in.mux.HandleFunc("DELETE "+Prefix+"/{name}", in.delete)
	return in
}

// Set activates (or replaces) the named rule.
func (in *Injector) Set(name string, r Rule) error {
	if name == "" {
		return errors.New("httpfault: empty rule name")
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("httpfault: rule %q: %w", name, err)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("httpfault: rule name is %d bytes long, at most %d", len(name), maxNameLen)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.rules[name]; !ok && len(in.rules) >= MaxRules {
		return fmt.Errorf("httpfault: rule %q: %w", name, ErrTooManyRules)
	}
	in.rules[name] = r
	in.sort()
	return nil
}

// MaxRules bounds the active rules (a scenario's faults on one service are
// a handful), so every request's draw stays a short, bounded scan.
const MaxRules = 32

// maxNameLen bounds a rule's name.
const maxNameLen = 128

// ErrTooManyRules is Set's error when MaxRules rules are active already.
var ErrTooManyRules = fmt.Errorf("at most %d rules may be active on a service", MaxRules)

// Delete removes the named rule; removing an absent rule is not an error.
func (in *Injector) Delete(name string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.rules, name)
	in.sort()
}

// Clear removes every rule.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	clear(in.rules)
	in.sort()
}

// sort rebuilds in.sorted and the active count; in.mu must be held.
func (in *Injector) sort() {
	defer func() { in.active.Store(int32(len(in.sorted))) }()
	names := make([]string, 0, len(in.rules))
	for name := range in.rules {
		names = append(names, name)
	}
	slices.Sort(names)
	in.sorted = in.sorted[:0]
	for _, name := range names {
		in.sorted = append(in.sorted, in.rules[name])
	}
}

// Rules returns a copy of the active rules.
func (in *Injector) Rules() map[string]Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]Rule, len(in.rules))
	for k, v := range in.rules {
		out[k] = v
	}
	return out
}

// ServeHTTP implements http.Handler.
func (in *Injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == Prefix || strings.HasPrefix(r.URL.Path, Prefix+"/") {
		in.mux.ServeHTTP(w, r)
		return
	}
	p := in.draw()
	if p.delay > 0 {
		t := time.NewTimer(p.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client is gone; nobody reads an answer
		}
	}
	switch {
	case p.abort:
		abort(w)
	case p.status != 0:
		http.Error(w, Body, p.status)
	case p.corrupt != "":
		serveCorrupted(in.next, w, r, p.corrupt)
	default:
		in.next.ServeHTTP(w, r)
	}
}

// plan is what the active rules decided for one request.
type plan struct {
	delay   time.Duration
	abort   bool
	status  int
	corrupt string // the JSON field to corrupt
}

func (in *Injector) draw() plan {
	if in.active.Load() == 0 {
		return plan{} // no rule: no lock taken, nothing drawn
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	var p plan
	for _, r := range in.sorted {
		hit := in.rng.Float64() < r.Rate
		switch r.Kind {
		case KindDelay:
			// Draw the jitter even on a miss, so that one rule's draws
			// do not depend on another's outcome.
			d := r.Delay
			if r.Jitter > 0 {
				d += time.Duration((2*in.rng.Float64() - 1) * float64(r.Jitter))
			}
			if hit && d > 0 {
				p.delay += d
			}
		case KindAbort:
			p.abort = p.abort || hit
		case KindError:
			if hit && p.status == 0 {
				p.status = r.Status
			}
		case KindCorrupt:
			if hit && p.corrupt == "" {
				p.corrupt = r.Field
			}
		}
	}
	return p
}

// abort closes the request's connection without an answer, like a crashed
// process. Where the connection cannot be hijacked (HTTP/2), it panics with
// http.ErrAbortHandler, which makes the server reset the stream.
func abort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func (in *Injector) list(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(in.Rules())
}

func (in *Injector) clear(w http.ResponseWriter, r *http.Request) {
	in.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (in *Injector) put(w http.ResponseWriter, r *http.Request) {
	var rule Rule
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rule); err != nil {
		http.Error(w, "bad rule: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := in.Set(r.PathValue("name"), rule); err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, ErrTooManyRules) {
			code = http.StatusConflict
		}
		http.Error(w, err.Error(), code)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (in *Injector) delete(w http.ResponseWriter, r *http.Request) {
	in.Delete(r.PathValue("name"))
	w.WriteHeader(http.StatusNoContent)
}
