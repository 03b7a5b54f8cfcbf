package consistency_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model/consistency"
)

func ok(id, stream string, d int64) consistency.Op {
	return consistency.Op{ID: id, Stream: stream, Delta: d, Outcome: consistency.OK}
}
func info(id, stream string, d int64) consistency.Op {
	return consistency.Op{ID: id, Stream: stream, Delta: d, Outcome: consistency.Info}
}
func fail(id, stream string, d int64) consistency.Op {
	return consistency.Op{ID: id, Stream: stream, Delta: d, Outcome: consistency.Fail}
}
func ev(id, stream string, v uint64, d int64) consistency.Event {
	return consistency.Event{ID: id, Stream: stream, Version: v, Delta: d}
}

var zero int64

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		history []consistency.Op
		store   consistency.Store
		want    consistency.Result
	}{
		{
			name:    "every acknowledged write stored once, in order",
			history: []consistency.Op{ok("1", "a", 10), ok("2", "a", -5), ok("3", "b", 7)},
			store: consistency.Store{Versioned: true, Floor: &zero,
				Events: []consistency.Event{ev("1", "a", 1, 10), ev("3", "b", 1, 7), ev("2", "a", 2, -5)},
				State:  map[string]int64{"a": 5, "b": 7}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 3, Acknowledged: 3}, Stored: 3, Versioned: true},
		},
		{
			name:    "lost: acknowledged, not stored (a memory store restarted)",
			history: []consistency.Op{ok("1", "a", 10), ok("2", "a", 10), ok("3", "a", 10)},
			store: consistency.Store{Versioned: true,
				Events: []consistency.Event{ev("3", "a", 1, 10)}, State: map[string]int64{"a": 10}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 3, Acknowledged: 3, Lost: 2}, Stored: 1, Versioned: true},
		},
		{
			name:    "recovered: unanswered yet stored is legal; unanswered and absent too",
			history: []consistency.Op{info("1", "a", 10), info("2", "a", 10)},
			store: consistency.Store{Versioned: true,
				Events: []consistency.Event{ev("1", "a", 1, 10)}, State: map[string]int64{"a": 10}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 2, Indeterminate: 2, Recovered: 1}, Stored: 1, Versioned: true},
		},
		{
			name:    "unexpected: never attempted, or refused yet stored",
			history: []consistency.Op{fail("1", "a", 10)},
			store: consistency.Store{
				Events: []consistency.Event{ev("1", "a", 0, 10), ev("ghost", "a", 0, 3)}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 1, Refused: 1, Unexpected: 2}, Stored: 2},
		},
		{
			name:    "duplicates: a retried append applied twice",
			history: []consistency.Op{ok("1", "a", 10)},
			store: consistency.Store{Versioned: true,
				Events: []consistency.Event{ev("1", "a", 1, 10), ev("1", "a", 2, 10)}, State: map[string]int64{"a": 20}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 1, Acknowledged: 1}, Stored: 2, Duplicates: 1, Versioned: true},
		},
		{
			name:    "order: two writers won version 2, then a gap",
			history: []consistency.Op{ok("1", "a", 1), ok("2", "a", 1), ok("3", "a", 1), ok("4", "a", 1)},
			store: consistency.Store{Versioned: true,
				Events: []consistency.Event{ev("1", "a", 1, 1), ev("2", "a", 2, 1), ev("3", "a", 2, 1), ev("4", "a", 4, 1)},
				State:  map[string]int64{"a": 4}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 4, Acknowledged: 4}, Stored: 4, OrderViolations: 2, Versioned: true},
		},
		{
			name:    "invariant: a lost update (last write wins) drifts the balance from its ledger",
			history: []consistency.Op{ok("1", "a", 10), ok("2", "a", 10)},
			store: consistency.Store{Floor: &zero,
				Events: []consistency.Event{ev("1", "a", 0, 10), ev("2", "a", 0, 10)}, State: map[string]int64{"a": 10}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 2, Acknowledged: 2}, Stored: 2, InvariantViolations: 1, Drift: 10},
		},
		{
			name:    "invariant: an overdraft (two withdrawals checked against the same stale balance)",
			history: []consistency.Op{ok("1", "a", 10), ok("2", "a", -10), ok("3", "a", -10)},
			store: consistency.Store{Floor: &zero,
				Events: []consistency.Event{ev("1", "a", 0, 10), ev("2", "a", 0, -10), ev("3", "a", 0, -10)}, State: map[string]int64{"a": 0}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 3, Acknowledged: 3}, Stored: 3, InvariantViolations: 1, Overdrafts: 1, Drift: 10},
		},
		{
			name:    "invariant: a projection that missed an event",
			history: []consistency.Op{ok("1", "a", 10), ok("2", "b", 5)},
			store: consistency.Store{Versioned: true,
				Events:     []consistency.Event{ev("1", "a", 1, 10), ev("2", "b", 1, 5)},
				Projection: map[string]int64{"a": 10}},
			want: consistency.Result{ConsistencyCounts: consistency.Counts{Attempted: 2, Acknowledged: 2}, Stored: 2, InvariantViolations: 1, Versioned: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := consistency.Check(tt.history, tt.store, nil)
			got.Examples, got.Windows = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if got.Valid() != (tt.want.Lost+tt.want.Unexpected+tt.want.Duplicates+tt.want.OrderViolations+tt.want.InvariantViolations == 0) {
				t.Errorf("Valid() = %v", got.Valid())
			}
		})
	}
}

func TestCheckCountsEachWindow(t *testing.T) {
	at := func(op consistency.Op, d time.Duration) consistency.Op { op.At = d; return op }
	history := []consistency.Op{at(ok("1", "a", 1), time.Second), at(ok("2", "a", 1), 12*time.Second), at(info("3", "a", 1), 13*time.Second)}
	store := consistency.Store{Events: []consistency.Event{ev("1", "a", 0, 1), ev("3", "a", 0, 1)}}
	r := consistency.Check(history, store, []consistency.Window{{Name: "store-killed", From: 10 * time.Second, To: 20 * time.Second}})
	want := consistency.Counts{Attempted: 2, Acknowledged: 1, Indeterminate: 1, Lost: 1, Recovered: 1}
	if len(r.Windows) != 1 || r.Windows[0].ConsistencyCounts != want {
		t.Fatalf("windows = %+v, want store-killed %+v", r.Windows, want)
	}
	if r.Examples["lost"][0] != "2" || r.Examples["recovered"][0] != "3" {
		t.Errorf("examples = %v", r.Examples)
	}
}
