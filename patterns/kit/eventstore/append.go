package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Append is one append: an event for Stream, written only if the stream's
// last event is still at ExpectedSeq (0: the stream is empty).
type Append struct {
	Stream      string
	ExpectedSeq uint64
	// Anywhere appends whatever the stream's position (no concurrency
	// check: for streams whose writers never conflict).
	Anywhere bool
	// Version is the event's position in its stream (the loaded version
	// plus one).
	Version uint64
	ID      string // the client-supplied id: required
	Type    string
	Data    []byte
}

// Appended is what an append did.
type Appended struct {
	Seq uint64 `json:"seq"`
	// Duplicate is true when an event with the same id was already stored
	// within the dedup window: nothing new was written, Seq is the first's.
	Duplicate bool `json:"duplicate"`
}

// Append writes one event and returns once the store has synced it to disk.
// It returns ErrConflict when the stream moved past a.ExpectedSeq.
func (s *Store) Append(ctx context.Context, a Append) (Appended, error) {
	if err := validName(a.Stream); err != nil {
		return Appended{}, err
	}
	if a.ID == "" {
		return Appended{}, errors.New("eventstore: an event needs an id")
	}
	if _, err := s.events(); err != nil {
		return Appended{}, err
	}
	msg := nats.NewMsg(eventPrefix + a.Stream)
	msg.Data = a.Data
	msg.Header.Set(typeHeader, a.Type)
	msg.Header.Set(versionHeader, strconv.FormatUint(a.Version, 10))
	opts := []jetstream.PublishOpt{jetstream.WithMsgID(a.ID)}
	if !a.Anywhere {
		opts = append(opts, jetstream.WithExpectLastSequencePerSubject(a.ExpectedSeq))
	}
	ack, err := s.js.PublishMsg(ctx, msg, opts...)
	if err != nil {
		if isConflict(err) {
			return s.probe(ctx, msg.Subject, a.ID)
		}
		return Appended{}, fmt.Errorf("eventstore: append to %s: %w", a.Stream, err)
	}
	return Appended{Seq: ack.Sequence, Duplicate: ack.Duplicate}, nil
}

// impossibleMsgID is never an event's id: expecting it as the stream's last
// id fails every publish that is not a duplicate.
const impossibleMsgID = "\x00faultline-probe"

// probe tells a retry from a conflict. JetStream checks the expected
// position before the id, so a retry of a stored append (its expectation
// now stale) first looks like a conflict. The probe republishes the id
// expecting an impossible last id, a check JetStream makes after the id's:
// a duplicate is answered as one, anything else is refused, and nothing is
// ever written.
func (s *Store) probe(ctx context.Context, subject, id string) (Appended, error) {
	msg := nats.NewMsg(subject)
	ack, err := s.js.PublishMsg(ctx, msg, jetstream.WithMsgID(id), jetstream.WithExpectLastMsgID(impossibleMsgID))
	if err == nil && ack.Duplicate {
		return Appended{Seq: ack.Sequence, Duplicate: true}, nil
	}
	return Appended{}, ErrConflict
}

// isConflict reports whether err is JetStream's wrong-last-sequence answer.
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
