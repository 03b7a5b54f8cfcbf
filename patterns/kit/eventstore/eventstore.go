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
// A Store may be one node of a cluster (Options.Cluster): three nodes
// replicate the stream (JetStream's Raft, replicas 3), an append is
// acknowledged once a majority has it, and the nodes elect a new leader
// when the leader dies (JetStream's election timeout is 4-9s, not
// configurable: writes wait that long after a leader is killed). A node
// answers as soon as its server is up; until its group has a stream, calls
// fail with ErrNotReady.
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
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/internal/clock"
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
	// Cluster, when set, makes the store one node of a cluster.
	Cluster *Cluster
	// Replicas is how many nodes hold the stream; default 1 alone, 3 in a
	// cluster. A memory store has 1 (it is the durability baseline: what
	// it acknowledged lives in one process).
	Replicas int
}

// Cluster configures one node of a cluster.
type Cluster struct {
	Node      string   // the node's name, unique in the cluster
	Listen    string   // host:port the node listens on for its peers
	Advertise string   // host:port the peers reach this node at
	Routes    []string // host:port of every other node
	// Secret, when set, is required of every peer (and presented to them).
	Secret string
}

// PeerPort is the port a cluster node listens on for its peers (NATS's
// route port).
const PeerPort = 6222

// routeUser is the user name a node presents to its peers with the
// cluster's secret.
const routeUser = "faultline"

// ClusterName is the name the nodes of a cluster share.
const ClusterName = "faultline-events"

// Store is an open embedded event store.
type Store struct {
	srv      *server.Server
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   jetstream.Stream // set before ready is closed
	ready    chan struct{}
	readyErr error         // why the stream could not be made, once ready is closed
	stop     func()        // ends the wait for the stream
	done     chan struct{} // closed when that wait is over
}

// ErrNotReady is returned by a cluster node's calls until its group has
// the stream (the nodes have found each other and elected a leader).
var ErrNotReady = errors.New("eventstore: the cluster has no stream yet (its nodes are still electing a leader)")

// events returns the events stream, or ErrNotReady.
func (s *Store) events() (jetstream.Stream, error) {
	select {
	case <-s.ready:
		if s.readyErr != nil {
			return nil, s.readyErr
		}
		return s.stream, nil
	default:
		return nil, ErrNotReady
	}
}

// Leader reports whether this node has the stream and leads its group
// (always true for a store that is no cluster node).
func (s *Store) Leader() bool {
	if _, err := s.events(); err != nil {
		return false
	}
	if !s.srv.JetStreamIsClustered() {
		return true
	}
	return s.srv.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, StreamName)
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
	switch {
	case o.Memory:
		o.Replicas = 1
	case o.Replicas <= 0 && o.Cluster != nil:
		o.Replicas = 1 + len(o.Cluster.Routes)
	case o.Replicas <= 0:
		o.Replicas = 1
	}
	srv, err := startServer(o)
	if err != nil {
		return nil, err
	}
	s := &Store{srv: srv, ready: make(chan struct{}), done: make(chan struct{}), stop: func() {}}
	if err := s.connect(); err != nil {
		close(s.done)
		s.Close()
		return nil, err
	}
	if o.Cluster == nil {
		close(s.done)
		if s.stream, err = s.createStream(ctx, o); err != nil {
			s.Close()
			return nil, err
		}
		close(s.ready)
		return s, nil
	}
	// A cluster node answers at once; its group makes the stream once the
	// nodes have found each other (which may wait for the testbed to open
	// the routes between them).
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go func() {
		defer close(s.done)
		s.stream, s.readyErr = s.waitStream(wctx, o)
		close(s.ready)
	}()
	return s, nil
}

// waitStream creates (or finds) the stream, trying again until the
// cluster has a leader that takes the request, or ctx is done.
func (s *Store) waitStream(ctx context.Context, o Options) (jetstream.Stream, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := s.createStream(actx, o)
		cancel()
		if err == nil {
			return st, nil
		}
		if clock.Sleep(ctx, 100*time.Millisecond) != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotReady, err)
		}
	}
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
	if c := o.Cluster; c != nil {
		if err := clusterOptions(opts, c); err != nil {
			return nil, err
		}
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

// clusterOptions makes opts a node of c's cluster: named, listening for
// its peers, with a route to each of them. It tells its peers its own
// address as c.Advertise (a proxy), never the address it listens on, so
// nodes reach each other only through the routes given.
func clusterOptions(opts *server.Options, c *Cluster) error {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("eventstore: cluster listen address %q: %w", c.Listen, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("eventstore: cluster listen port %q: %w", port, err)
	}
	if c.Node == "" {
		return errors.New("eventstore: a cluster node needs a name")
	}
	opts.ServerName = c.Node
	// The server starts its routes only once its client listener is up, so
	// a cluster node listens for clients, on loopback only (a port of the
	// kernel's choosing): we still connect in-process.
	opts.DontListen = false
	opts.Host = "127.0.0.1"
	opts.Port = server.RANDOM_PORT
	opts.Cluster = server.ClusterOpts{
		Name:        ClusterName,
		Host:        host,
		Port:        p,
		Advertise:   c.Advertise,
		NoAdvertise: true,
	}
	auth := ""
	if c.Secret != "" {
		opts.Cluster.Username, opts.Cluster.Password = routeUser, c.Secret
		auth = url.UserPassword(routeUser, c.Secret).String() + "@"
	}
	for _, r := range c.Routes {
		u := server.RoutesFromStr("nats-route://" + auth + r)
		if len(u) != 1 {
			return fmt.Errorf("eventstore: route %q: not a host:port", r)
		}
		opts.Routes = append(opts.Routes, u...)
	}
	return nil
}

// connect connects in-process.
func (s *Store) connect() error {
	nc, err := nats.Connect("", nats.InProcessServer(s.srv), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("eventstore: connect: %w", err)
	}
	s.nc = nc
	if s.js, err = jetstream.New(nc); err != nil {
		return fmt.Errorf("eventstore: jetstream: %w", err)
	}
	return nil
}

// createStream creates or updates the events stream.
func (s *Store) createStream(ctx context.Context, o Options) (jetstream.Stream, error) {
	storage := jetstream.FileStorage
	if o.Memory {
		storage = jetstream.MemoryStorage
	}
	st, err := s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       StreamName,
		Subjects:   []string{eventPrefix + ">", snapshotPrefix + ">"},
		Storage:    storage,
		Duplicates: o.DedupWindow,
		Replicas:   o.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("eventstore: create stream: %w", err)
	}
	return st, nil
}

// Close disconnects and shuts the embedded server down. What was
// acknowledged is on disk (file storage); a memory store loses everything.
func (s *Store) Close() {
	s.stop()
	<-s.done
	if s.nc != nil {
		s.nc.Close()
	}
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}
