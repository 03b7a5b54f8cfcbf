package eventsourcing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Metric names.
const (
	CommandsMetric = "faultline_eventsourcing_commands_total"
	ReplayedMetric = "faultline_eventsourcing_replayed_events_total"
)

// Command outcomes (the commands counter's outcome label).
var outcomes = []string{"applied", "duplicate", "conflict_retry", "conflict_409", "insufficient_funds", "store_error"}

// command is a parsed deposit or withdrawal.
type command struct {
	account, kind, op string
	amount            int64
}

// parseCommand reads the request's command; ok false answers 400.
func parseCommand(r *http.Request) (command, bool) {
	c := command{account: r.PathValue("account"), kind: r.PathValue("kind"), op: r.URL.Query().Get("op")}
	n, err := strconv.ParseInt(r.URL.Query().Get("amount"), 10, 64)
	c.amount = n
	ok := err == nil && n > 0 && c.op != "" && (c.kind == deposit || c.kind == withdraw)
	return c, ok
}

// routes is the accounts API, whichever the mode.
type routes interface {
	command(w http.ResponseWriter, r *http.Request, c command)
	balance(w http.ResponseWriter, r *http.Request)
	audit(w http.ResponseWriter, r *http.Request)
}

// serve puts the routes behind the limiter.
func serve(rt routes, lim *service.Limiter) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /accounts/{account}/{kind}", func(w http.ResponseWriter, r *http.Request) {
		c, ok := parseCommand(r)
		if !ok {
			http.Error(w, "want POST /accounts/{account}/deposit|withdraw?op=ID&amount=N", http.StatusBadRequest)
			return
		}
		rt.command(w, r, c)
	})
	mux.HandleFunc("GET /accounts/{account}", rt.balance)
	audit := http.NewServeMux()
	audit.HandleFunc("GET "+patterns.AuditPath, rt.audit)
	return service.WithControl(lim.Wrap(mux), audit)
}

// sourced is the accounts service of the pattern.
type sourced struct {
	loader
	cache          *cache
	retries, every int
	timeout        time.Duration
	commands       *prometheus.CounterVec
}

func newAccounts(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	client := service.NewClient(4 * c.Accounts.Capacity.Workers)
	lim := service.NewLimiter(c.Accounts.Capacity, Accounts, env.Registry)
	if c.Mode == CRUD {
		return serve(newCRUD(c, env, client), lim), client.CloseIdleConnections, nil
	}
	s := &sourced{
		retries: c.Accounts.Retries, every: c.Accounts.SnapshotEvery, timeout: c.Accounts.Timeout, cache: newCache(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: CommandsMetric, Help: "Commands by outcome: applied, duplicate, conflict_retry, conflict_409, insufficient_funds, store_error.",
		}, []string{"outcome"}),
	}
	replayed := prometheus.NewCounter(prometheus.CounterOpts{Name: ReplayedMetric, Help: "Events replayed to rebuild accounts."})
	for _, o := range outcomes {
		s.commands.WithLabelValues(o)
	}
	env.Registry.MustRegister(s.commands, replayed)
	s.loader = loader{
		ev:        eventstore.NewClient(client, env.Nodes(Store)...),
		snapshots: c.Accounts.Snapshots,
		replayed:  func(n int) { replayed.Add(float64(n)) },
	}
	return serve(s, lim), client.CloseIdleConnections, nil
}

// command checks the invariant on the account and appends, reloading it
// and retrying on a conflict.
func (s *sourced) command(w http.ResponseWriter, r *http.Request, c command) {
	// One deadline for the whole command, the wait for the account's slot
	// included: while the store is down (or its cluster elects a leader),
	// commands queued behind each other's timeouts would otherwise answer
	// only when the client has given up.
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	e, err := s.cache.acquire(ctx, c.account)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer e.release()
	for range s.retries + 1 {
		res, err := s.try(ctx, e, c)
		switch {
		case errors.Is(err, eventstore.ErrConflict):
			s.commands.WithLabelValues("conflict_retry").Inc()
			e.a = nil // stale: reload
			continue
		case errors.Is(err, errInsufficient):
			s.commands.WithLabelValues("insufficient_funds").Inc()
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		case err != nil:
			s.commands.WithLabelValues("store_error").Inc()
			e.a = nil // the append may or may not have happened
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		default:
			s.commands.WithLabelValues(res).Inc()
			answer(w, e.a)
		}
		return
	}
	s.commands.WithLabelValues("conflict_409").Inc()
	http.Error(w, "conflict: the account kept changing", http.StatusConflict)
}

var errInsufficient = errors.New("insufficient funds")

// try is one attempt: load the account unless cached, check, append. res
// is "applied" or "duplicate" (the operation was already stored).
func (s *sourced) try(ctx context.Context, e *entry, c command) (string, error) {
	if e.a == nil {
		a, err := s.load(ctx, c.account)
		if err != nil {
			return "", err
		}
		e.a = a
	}
	a := e.a
	if a.Applied[c.op] {
		return "duplicate", nil
	}
	if c.kind == withdraw && a.Balance < c.amount {
		return "", errInsufficient
	}
	data, _ := json.Marshal(eventData{Amount: c.amount})
	res, err := s.ev.Append(ctx, eventstore.Append{
		Stream: c.account, ExpectedSeq: a.Seq, Version: a.Version + 1, ID: c.op, Type: c.kind, Data: data,
	})
	if err != nil {
		return "", err
	}
	if res.Duplicate {
		// Stored by an earlier attempt: the cached account is now behind,
		// and the next append's conflict reloads it.
		a.Applied[c.op] = true
		return "duplicate", nil
	}
	a.apply(eventstore.Event{Seq: res.Seq, Version: a.Version + 1, ID: c.op, Type: c.kind, Data: data})
	if s.snapshots && a.Version%uint64(s.every) == 0 {
		s.snapshot(ctx, c.account, a)
	}
	return "applied", nil
}

// balance answers the balance now, or as of ?at= (a position) or ?time=.
func (s *sourced) balance(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	id := r.PathValue("account")
	var (
		a   *account
		err error
	)
	q := r.URL.Query()
	switch {
	case q.Has("at"):
		at, perr := strconv.ParseUint(q.Get("at"), 10, 64)
		if perr != nil || at == 0 {
			http.Error(w, "at: want a position > 0", http.StatusBadRequest)
			return
		}
		a, err = s.loadAsOf(ctx, id, eventstore.Range{UpTo: at})
	case q.Has("time"):
		t, perr := time.Parse(time.RFC3339Nano, q.Get("time"))
		if perr != nil {
			http.Error(w, "time: "+perr.Error(), http.StatusBadRequest)
			return
		}
		a, err = s.loadAsOf(ctx, id, eventstore.Range{Until: t})
	default:
		a, err = s.load(ctx, id)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	answer(w, a)
}

// answer writes the account's balance and version.
func answer(w http.ResponseWriter, a *account) {
	writeJSON(w, map[string]any{"balance": a.Balance, "version": a.Version})
}
