package eventsourcing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/sqlitedb"
)

// newStore builds the store service: the event store, or the baseline's
// SQLite database of balances and their ledger.
func newStore(ctx context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
	if c.Mode == EventSourced {
		return eventstore.Service(func(c *Config) eventstore.Options { return eventstore.Options{Memory: c.Store.Memory} })(ctx, c, env)
	}
	return newSQLStore(env.DataDir)
}

// sqlStore is the CRUD baseline's database: SQLite, synced on every
// commit (synchronous=FULL), in the service's data directory.
type sqlStore struct{ db *sql.DB }

const schema = `
CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, account TEXT NOT NULL, delta INTEGER NOT NULL);`

func newSQLStore(dir string) (http.Handler, func(), error) {
	db, err := sqlitedb.Open(dir, "accounts.db", schema)
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	s := &sqlStore{db: db}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /balances/{account}", s.get)
	mux.HandleFunc("PUT /balances/{account}", s.put)
	mux.HandleFunc("GET /audit", s.audit)
	return mux, func() { _ = db.Close() }, nil
}

func (s *sqlStore) get(w http.ResponseWriter, r *http.Request) {
	var row balanceRow
	err := s.db.QueryRowContext(r.Context(), `SELECT balance FROM balances WHERE account = ?`, r.PathValue("account")).Scan(&row.Balance)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, row)
}

// put sets the balance to what the caller computed (the last write wins)
// and records the request in the ledger, in one transaction.
func (s *sqlStore) put(w http.ResponseWriter, r *http.Request) {
	var row balanceRow
	if err := json.NewDecoder(r.Body).Decode(&row); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	acct := r.PathValue("account")
	err := sqlitedb.Tx(r.Context(), s.db, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO balances(account, balance) VALUES(?, ?) ON CONFLICT(account) DO UPDATE SET balance = excluded.balance`, acct, row.Balance); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO ledger(op, account, delta) VALUES(?, ?, ?)`, row.Op, acct, row.Delta)
		return err
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// audit answers the ledger in insert order and every balance.
func (s *sqlStore) audit(w http.ResponseWriter, r *http.Request) {
	out := patterns.Audit{State: map[string]int64{}}
	rows, err := s.db.QueryContext(r.Context(), `SELECT op, account, delta FROM ledger ORDER BY id`)
	if err == nil {
		for rows.Next() {
			var e patterns.AuditEvent
			if err = rows.Scan(&e.ID, &e.Stream, &e.Delta); err != nil {
				break
			}
			out.Events = append(out.Events, e)
		}
		err = errors.Join(err, rows.Err(), rows.Close())
	}
	if err == nil {
		err = s.balances(r.Context(), out.State)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, out)
}

func (s *sqlStore) balances(ctx context.Context, into map[string]int64) error {
	rows, err := s.db.QueryContext(ctx, `SELECT account, balance FROM balances`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var acct string
		var b int64
		if err := rows.Scan(&acct, &b); err != nil {
			return err
		}
		into[acct] = b
	}
	return rows.Err()
}
