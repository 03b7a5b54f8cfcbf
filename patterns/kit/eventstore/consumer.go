package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ackWait is how long a delivered event waits for its ack before JetStream
// delivers it again.
const ackWait = 2 * time.Second

// Consumer is a durable subscription to every event: it survives a restart
// of the store and of its reader, delivers each event until it is acked
// (at least once), in store order.
type Consumer struct {
	c       jetstream.Consumer
	mu      sync.Mutex
	pending map[uint64]jetstream.Msg // delivered, not yet acked, by Seq
}

// Durable creates (or finds) the durable consumer called name.
func (s *Store) Durable(ctx context.Context, name string) (*Consumer, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	st, err := s.events()
	if err != nil {
		return nil, err
	}
	c, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       name,
		FilterSubject: eventPrefix + ">",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("eventstore: consumer %s: %w", name, err)
	}
	return &Consumer{c: c, pending: map[uint64]jetstream.Msg{}}, nil
}

// Fetch returns up to max events, waiting up to wait for the first.
func (c *Consumer) Fetch(ctx context.Context, max int, wait time.Duration) ([]Event, error) {
	batch, err := c.c.Fetch(max, jetstream.FetchMaxWait(wait))
	if err != nil {
		return nil, fmt.Errorf("eventstore: fetch: %w", err)
	}
	var out []Event
	for m := range batch.Messages() {
		ev, err := toEvent(m)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.pending[ev.Seq] = m
		c.mu.Unlock()
		out = append(out, ev)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
		return out, fmt.Errorf("eventstore: fetch: %w", err)
	}
	return out, ctx.Err()
}

// Ack acknowledges delivered events by position: they are not delivered
// again. An unknown position (delivered before a restart) is skipped: its
// redelivery will be acked.
func (c *Consumer) Ack(ctx context.Context, seqs ...uint64) error {
	return c.settle(seqs, func(m jetstream.Msg) error { return m.DoubleAck(ctx) })
}

// Nak hands delivered events back: they are delivered again at once,
// before newer ones (a reader that must apply in order gives back what
// arrived ahead of a gap).
func (c *Consumer) Nak(seqs ...uint64) error {
	return c.settle(seqs, func(m jetstream.Msg) error { return m.Nak() })
}

// settle calls f on each pending delivery of seqs and forgets it.
func (c *Consumer) settle(seqs []uint64, f func(jetstream.Msg) error) error {
	var errs []error
	for _, seq := range seqs {
		c.mu.Lock()
		m, ok := c.pending[seq]
		delete(c.pending, seq)
		c.mu.Unlock()
		if ok {
			errs = append(errs, f(m))
		}
	}
	return errors.Join(errs...)
}

// Behind returns how many events the consumer has not had acked yet.
func (c *Consumer) Behind(ctx context.Context) (uint64, error) {
	info, err := c.c.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("eventstore: consumer info: %w", err)
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}
