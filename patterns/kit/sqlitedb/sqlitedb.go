// Package sqlitedb opens the SQLite databases the data patterns keep (a
// CRUD table, a read model) through modernc.org/sqlite (CGO-free, so it
// runs in the scratch image): in a service's data directory, in WAL mode,
// synced on every commit (synchronous=FULL: a committed row survives a
// SIGKILL), one connection (SQLite serializes writers anyway).
//
// It must not import patterns/catalog, patterns/policy, scenarios, reports, testbeds or cmd.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Open opens (or creates) dir/file and applies schema.
func Open(dir, file, schema string) (*sql.DB, error) {
	if dir == "" {
		return nil, errors.New("sqlitedb: the testbed gave the service no data directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlitedb: %w", err)
	}
	dsn := "file:" + filepath.Join(dir, file) + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitedb: schema: %w", err)
	}
	return db, nil
}

// Tx runs f in a transaction, committed when f returns nil.
func Tx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(t); err != nil {
		_ = t.Rollback()
		return err
	}
	return t.Commit()
}
