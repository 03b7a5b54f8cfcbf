// Package cqrs is the CQRS pattern as a topology: client → api, which
// routes writes to commands → store (the event store of
// patterns/kit/eventstore) and reads to queries → its read model (SQLite,
// indexed). A projector, subscribed to the store through a durable
// consumer (across its own Toxiproxy edge), applies the events to the read
// model at least once and idempotently: the read model's balances and its
// checkpoint (the last position applied) change in one transaction, and a
// position at or below the checkpoint is skipped, so a redelivery after a
// crash changes nothing. Writes never wait on the read side; the read
// model lags behind, and commands export how far (events and seconds).
//
// The baseline is a synchronous dual write: commands append the event and
// then update the read model themselves before answering, so a slow or
// failing read model slows or fails the writes, and a read-model write that
// fails after the append leaves the read model wrong for good.
//
// It must not import scenarios, reports, testbeds or cmd.
package cqrs

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
	API       = "api"
	Commands  = "commands"
	Queries   = "queries"
	Projector = "projector"
	Store     = "store"
)

// Metric names.
const (
	LagEventsMetric  = "faultline_cqrs_projection_lag_events"
	LagSecondsMetric = "faultline_cqrs_projection_lag_seconds"
	AppliedMetric    = "faultline_cqrs_projected_events_total"
)

// Config configures the topology.
type Config struct {
	// Projection is async (the pattern: a projector) or dual_write (the
	// baseline: commands update the read model themselves).
	Projection string           `yaml:"projection" json:"projection"`
	Capacity   service.Capacity `yaml:"capacity" json:"capacity"`
	// Timeout bounds each call a service makes.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Batch is how many events the projector applies per transaction.
	Batch int `yaml:"batch" json:"batch"`
}

// Projection modes.
const (
	Async     = "async"
	DualWrite = "dual_write"
)

// New returns the CQRS pattern. Its defaults: every service 32 workers and
// a queue of 64 (1s); calls time out after 1s (a healthy call takes a few
// ms); the projector applies up to 100 events per transaction (a second of
// writes at the scenario's rate). Its baseline is the synchronous dual write.
func New() patterns.Pattern {
	return patterns.Define(patterns.Spec[Config]{
		Name:        "cqrs",
		Description: "client → api → commands → store and api → queries → read model; a projector applies the store's events to the read model at least once, idempotently",
		Topology: patterns.Topology{
			Services: []string{Store, Queries, Projector, Commands, API},
			Edges: []patterns.Edge{
				{From: patterns.Client, To: API},
				{From: API, To: Commands}, {From: API, To: Queries},
				{From: Commands, To: Store}, {From: Commands, To: Queries},
				{From: Projector, To: Store}, {From: Projector, To: Queries},
			},
			Entry:      API,
			Downstream: Queries,
			Gauges:     []string{LagEventsMetric, LagSecondsMetric},
			Counters:   []string{AppliedMetric},
			// Where a testbed runs clusters (docker), the event store is
			// three JetStream nodes replicating the stream.
			Clusters: map[string]patterns.Cluster{Store: {Nodes: 3, PeerPort: eventstore.PeerPort}},
			Consistency: &patterns.Consistency{
				Audit:    Commands,
				Op:       ParseOp,
				LagGauge: LagEventsMetric,
			},
		},
		Defaults: func() *Config {
			return &Config{
				Projection: Async,
				Capacity:   service.Capacity{Workers: 32, Queue: 64, QueueTimeout: time.Second},
				Timeout:    time.Second,
				Batch:      100,
			}
		},
		Baseline: func(c *Config) { c.Projection = DualWrite },
		Validate: validate,
		Services: map[string]patterns.Builder[Config]{
			Store:     newStore,
			Queries:   newQueries,
			Projector: newProjector,
			Commands:  newCommands,
			API:       newAPI,
		},
	})
}

func validate(c *Config) error {
	var errs []error
	if c.Projection != Async && c.Projection != DualWrite {
		errs = append(errs, field.Errorf("projection", "must be %s or %s, got %q", Async, DualWrite, c.Projection))
	}
	errs = append(errs, field.In("capacity", c.Capacity.Validate()))
	if c.Timeout <= 0 {
		errs = append(errs, field.Errorf("timeout", "must be > 0, got %s", c.Timeout))
	}
	if c.Batch <= 0 {
		errs = append(errs, field.Errorf("batch", "must be > 0, got %d", c.Batch))
	}
	return errors.Join(errs...)
}
