package eventsourcing

import (
	"context"
	"encoding/json"

	"github.com/faultline/faultline/patterns/kit/eventstore"
)

// events is what the accounts service needs of the event store: an
// eventstore.Client across the topology's edge, or a Store in-process (in
// benchmarks).
type events interface {
	Append(ctx context.Context, a eventstore.Append) (eventstore.Appended, error)
	Read(ctx context.Context, stream string, r eventstore.Range) ([]eventstore.Event, error)
	ReadAll(ctx context.Context, after uint64, max int) ([]eventstore.Event, error)
	Load(ctx context.Context, stream string) (eventstore.Loaded, error)
	SaveSnapshot(ctx context.Context, stream string, snap eventstore.Snapshot) error
}

// account is the aggregate: its balance, the version and store position of
// its last event, and the operations applied (for idempotency).
type account struct {
	Balance int64           `json:"balance"`
	Version uint64          `json:"version"`
	Seq     uint64          `json:"seq"`
	Applied map[string]bool `json:"applied"`
}

func newAccount() *account { return &account{Applied: map[string]bool{}} }

// eventData is a deposited or withdrew event's data.
type eventData struct {
	Amount int64 `json:"amount"`
}

// delta is the event's effect on the balance.
func delta(ev eventstore.Event) int64 {
	var d eventData
	_ = json.Unmarshal(ev.Data, &d)
	if ev.Type == withdraw {
		return -d.Amount
	}
	return d.Amount
}

// apply folds one event into the account.
func (a *account) apply(ev eventstore.Event) {
	a.Balance += delta(ev)
	a.Version, a.Seq = ev.Version, ev.Seq
	a.Applied[ev.ID] = true
}

// loader rebuilds accounts from the store.
type loader struct {
	ev        events
	snapshots bool
	replayed  func(n int) // counts the events replayed
}

// load rebuilds the account from its newest snapshot (when snapshots are
// on and it has a usable one) and the events after it; without one, or
// when it cannot be read, from every event.
func (l *loader) load(ctx context.Context, id string) (*account, error) {
	if !l.snapshots {
		return l.replay(ctx, id, eventstore.Range{})
	}
	got, err := l.ev.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	a := newAccount()
	if got.Snapshot != nil && (json.Unmarshal(got.Snapshot.Data, a) != nil || a.Applied == nil || a.Seq != got.Snapshot.Seq) {
		return l.replay(ctx, id, eventstore.Range{}) // unreadable: fall back to a full replay
	}
	for _, ev := range got.Events {
		a.apply(ev)
	}
	l.count(len(got.Events))
	return a, nil
}

// replay rebuilds the account from its events within r.
func (l *loader) replay(ctx context.Context, id string, r eventstore.Range) (*account, error) {
	evs, err := l.ev.Read(ctx, id, r)
	if err != nil {
		return nil, err
	}
	a := newAccount()
	for _, ev := range evs {
		a.apply(ev)
	}
	l.count(len(evs))
	return a, nil
}

func (l *loader) count(n int) {
	if l.replayed != nil {
		l.replayed(n)
	}
}

// loadAsOf replays the account up to a position or a time: a
// point-in-time read.
func (l *loader) loadAsOf(ctx context.Context, id string, r eventstore.Range) (*account, error) {
	return l.replay(ctx, id, r)
}

// snapshot saves the account's state; a failure only costs a longer
// replay later.
func (l *loader) snapshot(ctx context.Context, id string, a *account) {
	data, err := json.Marshal(a)
	if err == nil {
		_ = l.ev.SaveSnapshot(ctx, id, eventstore.Snapshot{Seq: a.Seq, Version: a.Version, Data: data})
	}
}
