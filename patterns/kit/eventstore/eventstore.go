// Package eventstore is the event store the data patterns share: an
// embedded NATS JetStream server (CGO-free, so it runs in-process on the
// local testbed and inside the scratch image on the docker testbed) holding
// one stream of events whose subjects name the event streams ("ev.acct-1").
//
// What it gives a pattern: Append with the expected last sequence of the
// event stream (optimistic concurrency: a concurrent writer gets
// ErrConflict), idempotent by the event's client-supplied id (JetStream's
// Nats-Msg-Id within the dedup window: a retried append answers the first
// one's position), Read of one event stream (from a position, up to a
// position or a time), ReadAll of every event after a position, snapshots
// beside the events, and durable consumers (a projection's subscription,
// acknowledged once applied: at-least-once delivery).
//
// Storage is a file store synced on every write (SyncAlways: JetStream's
// default syncs every two minutes, and an acknowledged event must survive a
// SIGKILL). Memory storage is there for the durability baseline, which
// acknowledges what a crash loses.
//
// Handler serves a Store over HTTP and Client calls it, so a pattern's
// services reach the store through the topology's Toxiproxy edges.
//
// It must not import patterns/catalog, patterns/policy, scenarios, reports, testbeds or cmd.
package eventstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the JetStream stream holding every event and snapshot.
const StreamName = "EVENTS"

// Subject prefixes of events and snapshots.
const (
	eventPrefix    = "ev."
	snapshotPrefix = "snap."
)

// DefaultDedupWindow is how long an event id is remembered by JetStream: a
// retry of the same append within it is answered, not stored again.
const DefaultDedupWindow = 2 * time.Minute

// Options configure a Store.
type Options struct {
	// Dir holds the file store; it must survive a restart of the process.
	// Required unless Memory.
	Dir string
	// Memory keeps the events in memory only: a crash loses them. It is
	// the durability baseline, never a pattern's default.
	Memory bool
	// DedupWindow is how long an event id is remembered; default
	// DefaultDedupWindow.
	DedupWindow time.Duration
}

// Store is an open embedded event store.
type Store struct {
	srv    *server.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
}

// ErrConflict is returned by Append when the event stream has moved past
// the expected position: another writer appended first.
var ErrConflict = errors.New("eventstore: the stream has moved past the expected position")

// Open starts an embedded JetStream server on o.Dir (or in memory) with no
// network listener, connects to it in-process and creates (or finds) the
// events stream. Close releases it.
func Open(ctx context.Context, o Options) (*Store, error) {
	if !o.Memory && o.Dir == "" {
		return nil, errors.New("eventstore: no data directory")
	}
	if o.DedupWindow <= 0 {
		o.DedupWindow = DefaultDedupWindow
	}
	srv, err := startServer(o)
	if err != nil {
		return nil, err
	}
	s := &Store{srv: srv}
	if err := s.connect(ctx, o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// startServer starts the embedded server and waits until it is ready.
func startServer(o Options) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "eventstore",
		JetStream:  true,
		DontListen: true,
		SyncAlways: true,
		NoLog:      true,
		NoSigs:     true,
	}
	if o.Dir != "" {
		if err := os.MkdirAll(o.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("eventstore: data directory: %w", err)
		}
		opts.StoreDir = o.Dir
	} else {
		opts.StoreDir = os.TempDir() // unused by a memory stream, but JetStream wants one
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("eventstore: server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("eventstore: server not ready after 10s")
	}
	return srv, nil
}

// connect connects in-process and creates or updates the events stream.
func (s *Store) connect(ctx context.Context, o Options) error {
	nc, err := nats.Connect("", nats.InProcessServer(s.srv), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("eventstore: connect: %w", err)
	}
	s.nc = nc
	if s.js, err = jetstream.New(nc); err != nil {
		return fmt.Errorf("eventstore: jetstream: %w", err)
	}
	storage := jetstream.FileStorage
	if o.Memory {
		storage = jetstream.MemoryStorage
	}
	s.stream, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       StreamName,
		Subjects:   []string{eventPrefix + ">", snapshotPrefix + ">"},
		Storage:    storage,
		Duplicates: o.DedupWindow,
	})
	if err != nil {
		return fmt.Errorf("eventstore: create stream: %w", err)
	}
	return nil
}

// Close disconnects and shuts the embedded server down. What was
// acknowledged is on disk (file storage); a memory store loses everything.
func (s *Store) Close() {
	if s.nc != nil {
		s.nc.Close()
	}
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}
