// Package eventsourcing is the Event Sourcing pattern as a topology:
// client → accounts → store. Accounts are aggregates rebuilt from their
// events (deposited, withdrew) in the event store (patterns/kit/eventstore,
// embedded NATS JetStream synced on every write). A command loads its
// account (the newest snapshot, then the events after it), checks the
// invariant (no overdraft), and appends its event expecting the version it
// loaded; on a conflict it reloads and retries a bounded number of times,
// then answers 409. The event carries the client's operation id, so a
// retried request is never applied twice. Balances can be read as of any
// position or time, by replay.
//
// The baseline is CRUD, what most services ship: the store is a SQLite
// table of balances, updated by read-modify-write (the last write wins: no
// version, no idempotency), beside a ledger row per request. Concurrent
// writers on a hot account lose updates and overdraw it, which the
// consistency checker counts. A second baseline, the event store in memory
// (store.memory: it acknowledges before the event is durable), loses what
// it acknowledged when the store is killed.
//
// It must not import scenarios, reports, testbeds or cmd.
package eventsourcing

import (
	"errors"
	"time"

	"github.com/faultline/faultline/internal/field"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Service names.
const (
	Accounts = "accounts"
	Store    = "store"
)

// Modes.
const (
	EventSourced = "eventsourced"
	CRUD         = "crud"
)

// Config configures the topology. YAML keys are what scenario variants
// override, e.g. `accounts: {snapshot_every: 50}`.
type Config struct {
	// Mode is eventsourced (the pattern) or crud (the baseline).
	Mode     string         `yaml:"mode" json:"mode"`
	Accounts AccountsConfig `yaml:"accounts" json:"accounts"`
	Store    StoreConfig    `yaml:"store" json:"store"`
}

// AccountsConfig is the command side.
type AccountsConfig struct {
	Capacity service.Capacity `yaml:"capacity" json:"capacity"`
	// Timeout bounds each command: the wait for its account's turn and
	// every store call it makes, its conflict retries included.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Retries bounds the reloads after a conflict before answering 409.
	Retries int `yaml:"retries" json:"retries"`
	// Snapshots on: a snapshot every SnapshotEvery events of an account.
	Snapshots     bool `yaml:"snapshots" json:"snapshots"`
	SnapshotEvery int  `yaml:"snapshot_every" json:"snapshot_every"`
}

// StoreConfig is the store.
type StoreConfig struct {
	// Memory keeps the events in memory: acknowledged before durable (the
	// durability baseline).
	Memory bool `yaml:"memory" json:"memory"`
}

// New returns the event sourcing pattern. Its defaults:
//
//   - accounts: 32 workers and a queue of 64 (1s), as every entry service;
//     a command times out after 500ms, its wait for the account's turn
//     and its store calls included (a store round trip takes ~1-5ms, an
//     fsync on a loaded disk up to ~100ms: 500ms is only hit under a
//     fault, and a command fails within it while the store is down or its
//     cluster elects a leader); 8 retries on a conflict (with a few hot
//     accounts, a command rarely loses more than 2-3 races in a row); a
//     snapshot every 20 events (a load replays at most 20).
//   - store: the embedded JetStream file store, synced on every write; on
//     a testbed that runs clusters (docker), three nodes replicating the
//     stream (replicas 3), an append acknowledged once two have it.
//
// Its baseline is CRUD: a SQLite balance row updated by read-modify-write.
func New() patterns.Pattern {
	floor := int64(0)
	return patterns.Define(patterns.Spec[Config]{
		Name:        "event-sourcing",
		Description: "client → accounts → store; accounts are rebuilt from their events and appended with the expected version and the client's operation id",
		Topology: patterns.Topology{
			Services:   []string{Store, Accounts},
			Edges:      []patterns.Edge{{From: patterns.Client, To: Accounts}, {From: Accounts, To: Store}},
			Entry:      Accounts,
			Downstream: Store,
			Counters:   []string{CommandsMetric, ReplayedMetric},
			Gauges:     []string{eventstore.LeaderMetric},
			// Where a testbed runs clusters (docker), the event store is
			// three JetStream nodes replicating the stream; CRUD's
			// database and the memory store stay one process.
			Clusters: map[string]patterns.Cluster{Store: {
				Nodes:    3,
				PeerPort: eventstore.PeerPort,
				For: func(cfg any) bool {
					c := cfg.(*Config)
					return c.Mode == EventSourced && !c.Store.Memory
				},
			}},
			Consistency: &patterns.Consistency{
				Audit: Accounts,
				Op:    ParseOp,
				Floor: &floor,
			},
		},
		Defaults: defaults,
		Baseline: func(c *Config) { c.Mode = CRUD },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Store:    newStore,
			Accounts: newAccounts,
		},
	})
}

func defaults() *Config {
	return &Config{
		Mode: EventSourced,
		Accounts: AccountsConfig{
			Capacity:      service.Capacity{Workers: 32, Queue: 64, QueueTimeout: time.Second},
			Timeout:       500 * time.Millisecond,
			Retries:       8,
			Snapshots:     true,
			SnapshotEvery: 20,
		},
	}
}

func validate(c *Config) error {
	var errs []error
	if c.Mode != EventSourced && c.Mode != CRUD {
		errs = append(errs, field.Errorf("mode", "must be %s or %s, got %q", EventSourced, CRUD, c.Mode))
	}
	a := c.Accounts
	errs = append(errs, field.In("accounts.capacity", a.Capacity.Validate()))
	if a.Timeout <= 0 {
		errs = append(errs, field.Errorf("accounts.timeout", "must be > 0, got %s", a.Timeout))
	}
	if c.Mode == EventSourced {
		if a.Retries < 0 {
			errs = append(errs, field.Errorf("accounts.retries", "must be >= 0, got %d", a.Retries))
		}
		if a.Snapshots && a.SnapshotEvery <= 0 {
			errs = append(errs, field.Errorf("accounts.snapshot_every", "must be > 0 with snapshots on, got %d (turn them off with snapshots: false)", a.SnapshotEvery))
		}
	}
	if c.Mode == CRUD && c.Store.Memory {
		errs = append(errs, field.Errorf("store.memory", "only the event store has a memory mode"))
	}
	return errors.Join(errs...)
}
