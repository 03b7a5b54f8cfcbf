package eventstore

import "context"

// Loaded is a stream as an aggregate loads it: its newest snapshot, if
// any, and the events after it.
type Loaded struct {
	Snapshot *Snapshot `json:"snapshot,omitempty"`
	Events   []Event   `json:"events"`
}

// Load returns the stream's newest snapshot and the events after it (every
// event when it has none): one call where a reader would otherwise make two.
func (s *Store) Load(ctx context.Context, stream string) (Loaded, error) {
	snap, ok, err := s.LastSnapshot(ctx, stream)
	if err != nil {
		return Loaded{}, err
	}
	var l Loaded
	after := uint64(0)
	if ok {
		l.Snapshot, after = &snap, snap.Seq
	}
	l.Events, err = s.Read(ctx, stream, Range{After: after})
	return l, err
}
