package cqrs

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

// commands is the write side: it appends deposits to the store (and, in
// the dual write, updates the read model), and measures the projection's
// lag from the store's head and the read model's checkpoint.
type commands struct {
	store   *eventstore.Client
	queries string
	client  *http.Client
	timeout time.Duration
	dual    bool

	mu      sync.Mutex
	written map[uint64]time.Time // when each position not yet projected was appended

	lagEvents, lagSeconds prometheus.Gauge
}

// lagEvery is how often the lag is measured.
const lagEvery = 250 * time.Millisecond

func newCommands(ctx context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	client := service.NewClient(4 * c.Capacity.Workers)
	s := &commands{
		store: eventstore.NewClient(client, env.Nodes(Store)...), queries: env.Upstream(Queries),
		client: client, timeout: c.Timeout, dual: c.Projection == DualWrite, written: map[uint64]time.Time{},
		lagEvents:  prometheus.NewGauge(prometheus.GaugeOpts{Name: LagEventsMetric, Help: "Events the read model is behind the store."}),
		lagSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Name: LagSecondsMetric, Help: "Age of the oldest event the read model has not applied."}),
	}
	env.Registry.MustRegister(s.lagEvents, s.lagSeconds)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /accounts/{account}/deposit", s.deposit)
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if !s.dual {
		wg.Go(func() { s.measureLag(lctx) })
	}
	stop := func() { cancel(); wg.Wait(); client.CloseIdleConnections() }
	audit := http.NewServeMux()
	audit.HandleFunc("GET "+patterns.AuditPath, s.audit)
	return service.WithControl(service.NewLimiter(c.Capacity, Commands, env.Registry).Wrap(mux), audit), stop, nil
}

func (s *commands) deposit(w http.ResponseWriter, r *http.Request) {
	amount, err := strconv.ParseInt(r.URL.Query().Get("amount"), 10, 64)
	op := r.URL.Query().Get("op")
	if err != nil || amount <= 0 || op == "" {
		http.Error(w, "want ?op=ID&amount=N", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	data, _ := json.Marshal(map[string]int64{"amount": amount})
	acct := r.PathValue("account")
	res, err := s.store.Append(ctx, eventstore.Append{Stream: acct, Anywhere: true, ID: op, Type: "deposited", Data: data})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if s.dual && !res.Duplicate {
		// The synchronous dual write: the read model is updated in the
		// request, and a failure here fails the command (the event stays).
		if err := s.post(ctx, "/apply", []applied{{Seq: res.Seq, Stream: acct, Delta: amount}}, nil); err != nil {
			http.Error(w, "read model: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	} else if !s.dual {
		s.mu.Lock()
		s.written[res.Seq] = time.Now()
		s.mu.Unlock()
	}
	writeJSON(w, map[string]uint64{"seq": res.Seq})
}

// measureLag sets the lag gauges every lagEvery until ctx ends.
func (s *commands) measureLag(ctx context.Context) {
	t := time.NewTicker(lagEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		head, cp, err := s.positions(ctx)
		if err != nil {
			continue // unknown: keep the last value
		}
		s.lagEvents.Set(float64(head - min(cp, head)))
		s.lagSeconds.Set(s.oldestUnapplied(cp).Seconds())
	}
}

// positions returns the store's head and the read model's checkpoint.
func (s *commands) positions(ctx context.Context) (head, cp uint64, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if head, err = s.store.LastSeq(ctx); err != nil {
		return 0, 0, err
	}
	var res struct{ Seq uint64 }
	err = s.get(ctx, "/checkpoint", &res)
	return head, res.Seq, err
}

// oldestUnapplied forgets positions up to cp and returns the age of the
// oldest one left (0 when none).
func (s *commands) oldestUnapplied(cp uint64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest time.Time
	for seq, at := range s.written {
		if seq <= cp {
			delete(s.written, seq)
		} else if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	if oldest.IsZero() {
		return 0
	}
	return time.Since(oldest)
}

// audit answers every stored event and the read model's balances; it has
// settled once the checkpoint reached the store's head.
func (s *commands) audit(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*s.timeout)
	defer cancel()
	evs, err := s.store.ReadAll(ctx, 0, 0)
	out := patterns.Audit{Projection: map[string]int64{}, Settled: true}
	if err == nil {
		err = s.get(ctx, "/balances", &out.Projection)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	for _, ev := range evs {
		var d struct{ Amount int64 }
		_ = json.Unmarshal(ev.Data, &d)
		out.Events = append(out.Events, patterns.AuditEvent{ID: ev.ID, Stream: ev.Stream, Delta: d.Amount})
	}
	if !s.dual && len(evs) > 0 {
		var cp struct{ Seq uint64 }
		err := s.get(ctx, "/checkpoint", &cp)
		out.Settled = err == nil && cp.Seq >= evs[len(evs)-1].Seq
	}
	writeJSON(w, out)
}

func (s *commands) get(ctx context.Context, path string, out any) error {
	return service.CallJSON(ctx, s.client, http.MethodGet, s.queries+path, nil, out)
}

func (s *commands) post(ctx context.Context, path string, body, out any) error {
	return service.CallJSON(ctx, s.client, http.MethodPost, s.queries+path, body, out)
}
