package cqrs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

// consumer is the projector's durable consumer on the store.
const consumer = "projector"

// projector applies the store's events to the read model: fetch from the
// durable consumer, apply the batch with the checkpoint in one
// transaction, then ack what the checkpoint covers. A crash between apply
// and ack redelivers the batch, which the checkpoint skips.
type projector struct {
	store   *eventstore.Client
	queries string
	client  *http.Client
	timeout time.Duration
	batch   int
	applied prometheus.Counter
}

func newProjector(ctx context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	client := service.NewClient(4)
	p := &projector{
		store: eventstore.NewClient(client, env.Nodes(Store)...), queries: env.Upstream(Queries),
		client: client, timeout: c.Timeout, batch: c.Batch,
		applied: prometheus.NewCounter(prometheus.CounterOpts{Name: AppliedMetric, Help: "Events the projector applied to the read model."}),
	}
	env.Registry.MustRegister(p.applied)
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if c.Projection == Async {
		wg.Go(func() { p.run(lctx) })
	}
	stop := func() { cancel(); wg.Wait(); client.CloseIdleConnections() }
	return http.NotFoundHandler(), stop, nil
}

// run projects until ctx ends; a failed step is tried again shortly.
func (p *projector) run(ctx context.Context) {
	for ctx.Err() == nil {
		if err := p.step(ctx); err != nil {
			_ = clock.Sleep(ctx, 100*time.Millisecond)
		}
	}
}

// step projects one batch.
func (p *projector) step(ctx context.Context) error {
	fctx, cancel := context.WithTimeout(ctx, p.timeout+time.Second)
	evs, err := p.store.Fetch(fctx, consumer, p.batch, 500*time.Millisecond)
	cancel()
	if err != nil || len(evs) == 0 {
		return err
	}
	batch := make([]applied, 0, len(evs))
	seqs := make([]uint64, 0, len(evs))
	for _, ev := range evs {
		var d struct{ Amount int64 }
		_ = json.Unmarshal(ev.Data, &d)
		batch = append(batch, applied{Seq: ev.Seq, Stream: ev.Stream, Delta: d.Amount})
		seqs = append(seqs, ev.Seq)
	}
	actx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var cp struct{ Seq uint64 }
	if err := service.CallJSON(actx, p.client, http.MethodPost, p.queries+"/apply?checkpoint=1", batch, &cp); err != nil {
		return err
	}
	// Ack what the checkpoint covers; hand back what arrived ahead of a
	// gap, to come again after it.
	ahead := slices.DeleteFunc(slices.Clone(seqs), func(s uint64) bool { return s <= cp.Seq })
	done := slices.DeleteFunc(seqs, func(s uint64) bool { return s > cp.Seq })
	p.applied.Add(float64(len(done)))
	return errors.Join(p.store.Ack(actx, consumer, done...), p.store.Nak(actx, consumer, ahead...))
}
