// Package consistency checks what a data pattern promised against what it
// did, in the manner of Jepsen's set and total-queue checkers: from the
// history of every operation the load attempted (its id, what it asked for,
// and whether it was acknowledged) and a final read of the store, it counts
//
//   - lost: acknowledged, yet not in the store (must be 0);
//   - unexpected: in the store, yet never attempted, or refused (must be 0);
//   - recovered: attempted without an answer (a timeout, a 5xx), yet in the
//     store. Legal: the client cannot know whether an unanswered write
//     happened, so either outcome is correct; it is reported, not a
//     violation;
//   - duplicates: applied more than once (must be 0);
//   - order violations: per stream, versions not 1, 2, 3... in store order
//     (a gap or a repeat means two writers won the same version);
//   - invariant violations: a stream whose final state is not the fold of
//     its stored operations, whose fold goes below the floor (an
//     overdraft), or whose projection differs from the fold.
//
// It must not import scenarios, patterns, faults, testbeds, cmd or gonum.org/v1/plot.
package consistency

import (
	"slices"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// Result is the checker's verdict (model.Consistency: the report holds it).
type Result = model.Consistency

// Counts are the counts of operations (model.ConsistencyCounts).
type Counts = model.ConsistencyCounts

// Outcome is what the client learnt of an operation.
type Outcome int

const (
	// OK: acknowledged (2xx): it must be in the store.
	OK Outcome = iota
	// Fail: refused (4xx, a conflict or the invariant): it must not be.
	Fail
	// Info: no definite answer (timeout, connection error, 5xx): either.
	Info
)

// Op is one operation of the history.
type Op struct {
	ID      string
	Stream  string
	Delta   int64 // its effect on the stream's state
	Outcome Outcome
	At      time.Duration // when it was sent, from the load's start
}

// Event is one operation as the store holds it, in store order.
type Event struct {
	ID      string `json:"id"`
	Stream  string `json:"stream"`
	Version uint64 `json:"version"` // 0 when the store keeps no versions
	Delta   int64  `json:"delta"`
}

// Store is the final read of the store.
type Store struct {
	Events []Event
	// State is each stream's state as the store answers it (a balance).
	State map[string]int64
	// Projection is a read model's state per stream (CQRS); nil when none.
	Projection map[string]int64
	// Versioned: the events carry versions, and their order is checked.
	Versioned bool
	// Floor, when set, bounds every stream's fold from below after each
	// event (0: no overdraft).
	Floor *int64
}

// Window is a span of the load (a fault) whose operations are also counted
// on their own.
type Window struct {
	Name     string
	From, To time.Duration
}

// maxExamples bounds the ids kept per kind.
const maxExamples = 5

// Check checks history against the final read of store.
func Check(history []Op, store Store, windows []Window) Result {
	r := &Result{Stored: len(store.Events), Versioned: store.Versioned, Examples: map[string][]string{}}
	present := make(map[string]int, len(store.Events))
	for _, ev := range store.Events {
		present[ev.ID]++
	}
	seen := map[string]bool{}
	for _, ev := range store.Events {
		if n := present[ev.ID]; n > 1 && !seen[ev.ID] {
			seen[ev.ID] = true
			r.Duplicates += n - 1
			example(r, "duplicates", ev.ID)
		}
	}
	attempted := make(map[string]bool, len(history))
	r.Windows = make([]model.ConsistencyWindow, len(windows))
	for i, w := range windows {
		r.Windows[i].Name = w.Name
	}
	for _, op := range history {
		attempted[op.ID] = true
		kind := add(&r.ConsistencyCounts, op, present[op.ID] > 0)
		if kind != "" {
			example(r, kind, op.ID)
		}
		for i, w := range windows {
			if op.At >= w.From && op.At < w.To {
				add(&r.Windows[i].ConsistencyCounts, op, present[op.ID] > 0)
			}
		}
	}
	for _, ev := range store.Events {
		if !attempted[ev.ID] {
			r.Unexpected++
			example(r, "unexpected", ev.ID)
		}
	}
	if store.Versioned {
		order(r, store.Events)
	}
	invariant(r, store)
	return *r
}

// add counts one operation, present or not in the store, and returns the
// kind of problem it is ("" for none, or a recovered one).
func add(c *Counts, op Op, present bool) string {
	c.Attempted++
	switch op.Outcome {
	case OK:
		c.Acknowledged++
		if !present {
			c.Lost++
			return "lost"
		}
	case Fail:
		c.Refused++
		if present {
			c.Unexpected++
			return "unexpected"
		}
	default:
		c.Indeterminate++
		if present {
			c.Recovered++
			return "recovered"
		}
	}
	return ""
}

// order counts, per stream, events whose version is not the previous
// one's plus one.
func order(r *Result, events []Event) {
	last := map[string]uint64{}
	for _, ev := range events {
		if ev.Version != last[ev.Stream]+1 {
			r.OrderViolations++
			example(r, "order", ev.ID)
		}
		last[ev.Stream] = ev.Version
	}
}

// invariant folds each stream's stored events and compares the fold with
// the store's state, the projection and the floor.
func invariant(r *Result, store Store) {
	fold := map[string]int64{}
	overdrawn := map[string]bool{}
	for _, ev := range store.Events {
		fold[ev.Stream] += ev.Delta
		if store.Floor != nil && fold[ev.Stream] < *store.Floor && !overdrawn[ev.Stream] {
			overdrawn[ev.Stream] = true
			r.Overdrafts++
			example(r, "overdraft", ev.ID)
		}
	}
	streams := map[string]bool{}
	for s := range fold {
		streams[s] = true
	}
	for s := range store.State {
		streams[s] = true
	}
	for _, s := range sortedKeys(streams) {
		bad := overdrawn[s]
		if st := store.State[s]; store.State != nil && st != fold[s] {
			r.Drift += abs(st - fold[s])
			bad = true
		}
		if store.Projection != nil && store.Projection[s] != fold[s] {
			bad = true
		}
		if bad {
			r.InvariantViolations++
			example(r, "invariant", s)
		}
	}
}

func example(r *Result, kind, id string) {
	if len(r.Examples[kind]) < maxExamples {
		r.Examples[kind] = append(r.Examples[kind], id)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
