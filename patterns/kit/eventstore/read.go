package eventstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Range bounds a read: events after After, up to and including UpTo (0: no
// bound) and no later than Until (zero: no bound).
type Range struct {
	After uint64
	UpTo  uint64
	Until time.Time
}

// fetchBatch is how many messages a read asks the server for at a time.
const fetchBatch = 512

// Read returns the events of one stream within r, in order.
func (s *Store) Read(ctx context.Context, stream string, r Range) ([]Event, error) {
	if err := validName(stream); err != nil {
		return nil, err
	}
	return s.read(ctx, eventPrefix+stream, r)
}

// ReadAll returns the events of every stream after position after, at most
// max of them (0: all), in store order.
func (s *Store) ReadAll(ctx context.Context, after uint64, max int) ([]Event, error) {
	evs, err := s.read(ctx, eventPrefix+">", Range{After: after})
	if max > 0 && len(evs) > max {
		evs = evs[:max]
	}
	return evs, err
}

// LastSeq returns the position of the store's newest event (0: empty).
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	st, err := s.events()
	if err != nil {
		return 0, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("eventstore: stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

// read reads the messages of subject filter within r with an ordered
// consumer, stopping at the last message the filter had when it began.
func (s *Store) read(ctx context.Context, filter string, r Range) ([]Event, error) {
	last, err := s.lastFor(ctx, filter)
	if err != nil || last <= r.After {
		return nil, err
	}
	// A short tail (what follows a snapshot) is cheaper fetched message by
	// message than through a consumer the server must create and delete.
	out, next, done, err := s.getEach(ctx, filter, last, r)
	if err != nil || done {
		return out, err
	}
	r.After = next - 1
	rest, err := s.consume(ctx, filter, last, r)
	return append(out, rest...), err
}

// directGets bounds the messages a read gets one by one before it turns to
// a consumer.
const directGets = 32

// getEach gets up to directGets messages of filter after r.After, each
// the next one at or after a position. done is true when it reached last
// or the end of r; next is the position to go on from.
func (s *Store) getEach(ctx context.Context, filter string, last uint64, r Range) (out []Event, next uint64, done bool, err error) {
	st, err := s.events()
	if err != nil {
		return nil, 0, false, err
	}
	next = r.After + 1
	for range directGets {
		m, err := st.GetMsg(ctx, next, jetstream.WithGetMsgSubject(filter))
		if err != nil {
			return nil, 0, false, fmt.Errorf("eventstore: read %s: %w", filter, err)
		}
		ev := rawEvent(m)
		if ev.Seq > last || r.UpTo > 0 && ev.Seq > r.UpTo || !r.Until.IsZero() && ev.Time.After(r.Until) {
			return out, 0, true, nil
		}
		out = append(out, ev)
		if ev.Seq >= last {
			return out, 0, true, nil
		}
		next = ev.Seq + 1
	}
	return out, next, false, nil
}

// consume reads the rest with an ordered consumer.
func (s *Store) consume(ctx context.Context, filter string, last uint64, r Range) ([]Event, error) {
	st, err := s.events()
	if err != nil {
		return nil, err
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    r.After + 1,
	})
	if err != nil {
		return nil, fmt.Errorf("eventstore: read %s: %w", filter, err)
	}
	// An ordered consumer is ephemeral: remove it now rather than leave it
	// to the server's inactivity timer.
	defer func() {
		_ = s.js.DeleteConsumer(context.WithoutCancel(ctx), StreamName, cons.CachedInfo().Name)
	}()
	return s.drain(ctx, cons, filter, last, r)
}

// drain fetches the consumer's messages until the one at last, or the
// first beyond r.
func (s *Store) drain(ctx context.Context, cons jetstream.Consumer, filter string, last uint64, r Range) ([]Event, error) {
	var out []Event
	for {
		batch, err := cons.Fetch(fetchBatch, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, fmt.Errorf("eventstore: read %s: %w", filter, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			ev, err := toEvent(m)
			if err != nil {
				return nil, err
			}
			if ev.Seq > last || r.UpTo > 0 && ev.Seq > r.UpTo || !r.Until.IsZero() && ev.Time.After(r.Until) {
				return out, nil
			}
			out = append(out, ev)
			if ev.Seq == last {
				return out, nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("eventstore: read %s: %w", filter, err)
		}
		if n == 0 {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// lastFor returns the sequence of the newest message on filter (0: none).
func (s *Store) lastFor(ctx context.Context, filter string) (uint64, error) {
	st, err := s.events()
	if err != nil {
		return 0, err
	}
	m, err := st.GetLastMsgForSubject(ctx, filter)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("eventstore: last of %s: %w", filter, err)
	}
	return m.Sequence, nil
}

// rawEvent decodes a message got directly.
func rawEvent(m *jetstream.RawStreamMsg) Event {
	return Event{
		Stream:  m.Subject[len(eventPrefix):],
		Seq:     m.Sequence,
		Version: parseVersion(m.Header.Get(versionHeader)),
		ID:      m.Header.Get(msgIDHeader),
		Type:    m.Header.Get(typeHeader),
		Data:    m.Data,
		Time:    m.Time,
	}
}

// toEvent decodes a delivered message.
func toEvent(m jetstream.Msg) (Event, error) {
	md, err := m.Metadata()
	if err != nil {
		return Event{}, fmt.Errorf("eventstore: metadata: %w", err)
	}
	h := m.Headers()
	return Event{
		Stream:  m.Subject()[len(eventPrefix):],
		Seq:     md.Sequence.Stream,
		Version: parseVersion(h.Get(versionHeader)),
		ID:      h.Get(msgIDHeader),
		Type:    h.Get(typeHeader),
		Data:    m.Data(),
		Time:    md.Timestamp,
	}, nil
}
