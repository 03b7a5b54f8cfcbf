package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Snapshot is an aggregate's state as of an event: a reader loads it and
// replays only the events after Seq.
type Snapshot struct {
	Seq     uint64 `json:"seq"`     // the last event folded into Data
	Version uint64 `json:"version"` // that event's version
	Data    []byte `json:"data"`
}

const (
	snapSeqHeader     = "Faultline-Snapshot-Seq"
	snapVersionHeader = "Faultline-Snapshot-Version"
)

// SaveSnapshot stores a snapshot of stream beside its events.
func (s *Store) SaveSnapshot(ctx context.Context, stream string, snap Snapshot) error {
	if err := validName(stream); err != nil {
		return err
	}
	msg := nats.NewMsg(snapshotPrefix + stream)
	msg.Data = snap.Data
	msg.Header.Set(snapSeqHeader, strconv.FormatUint(snap.Seq, 10))
	msg.Header.Set(snapVersionHeader, strconv.FormatUint(snap.Version, 10))
	if _, err := s.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("eventstore: snapshot of %s: %w", stream, err)
	}
	return nil
}

// LastSnapshot returns the newest snapshot of stream; ok is false when it
// has none.
func (s *Store) LastSnapshot(ctx context.Context, stream string) (snap Snapshot, ok bool, err error) {
	if err := validName(stream); err != nil {
		return Snapshot{}, false, err
	}
	st, err := s.events()
	if err != nil {
		return Snapshot{}, false, err
	}
	m, err := st.GetLastMsgForSubject(ctx, snapshotPrefix+stream)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return Snapshot{}, false, nil
	case err != nil:
		return Snapshot{}, false, fmt.Errorf("eventstore: snapshot of %s: %w", stream, err)
	}
	return Snapshot{
		Seq:     parseVersion(m.Header.Get(snapSeqHeader)),
		Version: parseVersion(m.Header.Get(snapVersionHeader)),
		Data:    m.Data,
	}, true, nil
}
