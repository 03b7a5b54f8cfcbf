package cqrs

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
	"github.com/faultline/faultline/patterns/kit/sqlitedb"
)

func newStore(ctx context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	return eventstore.Service(func(*Config) eventstore.Options { return eventstore.Options{} })(ctx, c, env)
}

// applied is an event as the read model applies it.
type applied struct {
	Seq    uint64 `json:"seq"`
	Stream string `json:"stream"`
	Delta  int64  `json:"delta"`
}

// readModel is the queries service: the read model (SQLite, balances keyed
// by account, and the projector's checkpoint) and the queries on it.
type readModel struct{ db *sql.DB }

const schema = `
CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT OR IGNORE INTO checkpoint(id, seq) VALUES (1, 0);`

func newQueries(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	db, err := sqlitedb.Open(env.DataDir, "readmodel.db", schema)
	if err != nil {
		return nil, nil, fmt.Errorf("queries: %w", err)
	}
	m := &readModel{db: db}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /apply", m.apply)
	mux.HandleFunc("GET /checkpoint", m.checkpoint)
	mux.HandleFunc("GET /accounts/{account}", m.balance)
	mux.HandleFunc("GET /balances", m.balances)
	return service.NewLimiter(c.Capacity, Queries, env.Registry).Wrap(mux), func() { _ = db.Close() }, nil
}

// apply applies a batch in one transaction and answers the checkpoint.
// With ?checkpoint=1 (the projector) it applies, in position order, only
// the positions that follow the checkpoint without a gap (a redelivery of
// what it applied is skipped; one that arrives after newer events waits
// for the gap's own redelivery) and moves the checkpoint in the same
// transaction; without (the dual write) it applies each event as it comes.
func (m *readModel) apply(w http.ResponseWriter, r *http.Request) {
	var evs []applied
	if err := json.NewDecoder(r.Body).Decode(&evs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	checkpointed := r.URL.Query().Get("checkpoint") == "1"
	var cp uint64
	err := sqlitedb.Tx(r.Context(), m.db, func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT seq FROM checkpoint WHERE id = 1`).Scan(&cp); err != nil {
			return err
		}
		if checkpointed {
			evs = contiguous(evs, cp)
		}
		for _, ev := range evs {
			if _, err := tx.Exec(`INSERT INTO balances(account, balance) VALUES(?, ?) ON CONFLICT(account) DO UPDATE SET balance = balance + excluded.balance`, ev.Stream, ev.Delta); err != nil {
				return err
			}
			cp = max(cp, ev.Seq)
		}
		if !checkpointed {
			return nil
		}
		_, err := tx.Exec(`UPDATE checkpoint SET seq = ? WHERE id = 1`, cp)
		return err
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]uint64{"seq": cp})
}

// contiguous returns the events of evs that follow cp one after the
// other, in position order: the store's positions are contiguous because
// its stream holds events only.
func contiguous(evs []applied, cp uint64) []applied {
	slices.SortFunc(evs, func(a, b applied) int { return cmp.Compare(a.Seq, b.Seq) })
	var out []applied
	for _, ev := range evs {
		switch {
		case ev.Seq <= cp: // applied already: a redelivery
		case ev.Seq == cp+1:
			out = append(out, ev)
			cp++
		default:
			return out // a gap: what is missing comes again first
		}
	}
	return out
}

func (m *readModel) checkpoint(w http.ResponseWriter, r *http.Request) {
	var cp uint64
	if err := m.db.QueryRowContext(r.Context(), `SELECT seq FROM checkpoint WHERE id = 1`).Scan(&cp); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]uint64{"seq": cp})
}

func (m *readModel) balance(w http.ResponseWriter, r *http.Request) {
	var b int64
	err := m.db.QueryRowContext(r.Context(), `SELECT balance FROM balances WHERE account = ?`, r.PathValue("account")).Scan(&b)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]int64{"balance": b})
}

func (m *readModel) balances(w http.ResponseWriter, r *http.Request) {
	rows, err := m.db.QueryContext(r.Context(), `SELECT account, balance FROM balances`)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var a string
		var b int64
		if err := rows.Scan(&a, &b); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		out[a] = b
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
