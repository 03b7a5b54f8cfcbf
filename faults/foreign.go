package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// ForeignToxic is a toxic found on one of a run's edges that the run did
// not create (one added with toxiproxy-cli during the run, say): it skews
// what the run measures, so the report names it.
type ForeignToxic struct {
	Edge string        `json:"edge"`
	Name string        `json:"name"`
	Type string        `json:"type"`
	At   time.Duration `json:"at"` // when it was first seen, from the run's start
}

// ForeignWatch looks for toxics a run did not create on the run's edges:
// at each fault revert and at the end (Scan), and removes them at teardown
// (Remove). Its methods are safe for concurrent use.
type ForeignWatch struct {
	target Target
	edges  []string
	ours   map[string]bool // "edge/name" of the toxics the run's faults add
	start  time.Time

	mu    sync.Mutex
	found []ForeignToxic
}

// NewForeignWatch watches edges of target, where the run's faults fs add
// toxics named after themselves; offsets count from start.
func NewForeignWatch(target Target, edges []string, fs []Fault, start time.Time) *ForeignWatch {
	w := &ForeignWatch{target: target, edges: slices.Clone(edges), ours: map[string]bool{}, start: start}
	for _, f := range fs {
		if f.On() == OnEdge {
			c := f.Base()
			w.ours[c.Target+"/"+c.Name] = true
		}
	}
	return w
}

// Scan lists every watched edge's toxics and records those the run did not
// create. An edge without a proxy is skipped; one whose toxics cannot be
// listed is too, its error returned.
func (w *ForeignWatch) Scan(ctx context.Context) error {
	var errs []error
	for _, e := range w.edges {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		ps, err := Proxies(w.target, e)
		if err != nil {
			continue // an edge the testbed does not proxy has no toxics
		}
		for _, p := range ps {
			ts, err := p.Toxics()
			if err != nil {
				errs = append(errs, fmt.Errorf("foreign toxics on %q: %w", e, err))
				continue
			}
			for _, t := range ts {
				if !w.ours[e+"/"+t.Name] {
					w.add(ForeignToxic{Edge: e, Name: t.Name, Type: t.Type, At: time.Since(w.start)})
				}
			}
		}
	}
	return errors.Join(errs...)
}

// add records t unless it was seen before.
func (w *ForeignWatch) add(t ForeignToxic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.ContainsFunc(w.found, func(f ForeignToxic) bool { return f.Edge == t.Edge && f.Name == t.Name }) {
		w.found = append(w.found, t)
	}
}

// Found returns the foreign toxics seen so far, in the order seen.
func (w *ForeignWatch) Found() []ForeignToxic {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.found)
}

// Remove scans once more and removes every foreign toxic; one already gone
// is not an error.
func (w *ForeignWatch) Remove(ctx context.Context) error {
	errs := []error{w.Scan(ctx)}
	for _, t := range w.Found() {
		ps, err := Proxies(w.target, t.Edge)
		for _, p := range ps {
			if err := p.RemoveToxic(t.Name); err != nil && apiStatus(err) != http.StatusNotFound {
				errs = append(errs, fmt.Errorf("remove foreign toxic %q from %q: %w", t.Name, t.Edge, err))
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("remove foreign toxic %q from %q: %w", t.Name, t.Edge, err))
		}
	}
	return errors.Join(errs...)
}
