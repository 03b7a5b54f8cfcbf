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
// It imports nothing of faultline.
package consistency

import (
	"slices"
	"time"
)

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

// Counts are what the checker counts.
type Counts struct {
	Attempted     int `json:"attempted"`
	Acknowledged  int `json:"acknowledged"`
	Refused       int `json:"refused"`
	Indeterminate int `json:"indeterminate"`
	Lost          int `json:"lost"`
	Unexpected    int `json:"unexpected"`
	Recovered     int `json:"recovered"`
}

// Result is the checker's verdict on one variant.
type Result struct {
	Counts
	Stored              int `json:"stored"`
	Duplicates          int `json:"duplicates"`
	OrderViolations     int `json:"order_violations"`
	InvariantViolations int `json:"invariant_violations"`
	// Drift is the sum over streams of |state - fold of stored events|:
	// how much the store's answer is off (lost updates).
	Drift int64 `json:"drift"`
	// Overdrafts counts the streams whose fold went below the floor.
	Overdrafts int `json:"overdrafts"`
	// Versioned says whether order was checked.
	Versioned bool `json:"versioned"`
	// Windows counts the operations attempted within each window.
	Windows []WindowCounts `json:"windows,omitempty"`
	// Examples names a few offending ids per kind, for the report.
	Examples map[string][]string `json:"examples,omitempty"`
}

// WindowCounts are the counts of the operations attempted in one window.
type WindowCounts struct {
	Name string `json:"name"`
	Counts
}

// Valid reports whether nothing the pattern must prevent happened.
func (r Result) Valid() bool {
	return r.Lost == 0 && r.Unexpected == 0 && r.Duplicates == 0 && r.OrderViolations == 0 && r.InvariantViolations == 0
}

// maxExamples bounds the ids kept per kind.
const maxExamples = 5

// Check checks history against the final read of store.
func Check(history []Op, store Store, windows []Window) Result {
	r := Result{Stored: len(store.Events), Versioned: store.Versioned, Examples: map[string][]string{}}
	present := make(map[string]int, len(store.Events))
	for _, ev := range store.Events {
		present[ev.ID]++
	}
	seen := map[string]bool{}
	for _, ev := range store.Events {
		if n := present[ev.ID]; n > 1 && !seen[ev.ID] {
			seen[ev.ID] = true
			r.Duplicates += n - 1
			r.example("duplicates", ev.ID)
		}
	}
	attempted := make(map[string]bool, len(history))
	r.Windows = make([]WindowCounts, len(windows))
	for i, w := range windows {
		r.Windows[i].Name = w.Name
	}
	for _, op := range history {
		attempted[op.ID] = true
		kind := r.Counts.add(op, present[op.ID] > 0)
		if kind != "" {
			r.example(kind, op.ID)
		}
		for i, w := range windows {
			if op.At >= w.From && op.At < w.To {
				r.Windows[i].Counts.add(op, present[op.ID] > 0)
			}
		}
	}
	for _, ev := range store.Events {
		if !attempted[ev.ID] {
			r.Unexpected++
			r.example("unexpected", ev.ID)
		}
	}
	if store.Versioned {
		r.order(store.Events)
	}
	r.invariant(store)
	return r
}

// add counts one operation, present or not in the store, and returns the
// kind of problem it is ("" for none, or a recovered one).
func (c *Counts) add(op Op, present bool) string {
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
func (r *Result) order(events []Event) {
	last := map[string]uint64{}
	for _, ev := range events {
		if ev.Version != last[ev.Stream]+1 {
			r.OrderViolations++
			r.example("order", ev.ID)
		}
		last[ev.Stream] = ev.Version
	}
}

// invariant folds each stream's stored events and compares the fold with
// the store's state, the projection and the floor.
func (r *Result) invariant(store Store) {
	fold := map[string]int64{}
	overdrawn := map[string]bool{}
	for _, ev := range store.Events {
		fold[ev.Stream] += ev.Delta
		if store.Floor != nil && fold[ev.Stream] < *store.Floor && !overdrawn[ev.Stream] {
			overdrawn[ev.Stream] = true
			r.Overdrafts++
			r.example("overdraft", ev.ID)
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
			r.example("invariant", s)
		}
	}
}

func (r *Result) example(kind, id string) {
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
