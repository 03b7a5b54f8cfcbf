package eventstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/patterns/kit/eventstore"
)

// BenchmarkAppend is one append and its ack through the Store at its
// settings: file storage synced on every write, an expected position per
// stream and an id for dedup. BenchmarkEnginePublish is the same engine's
// own publish path, with the same sync, for comparison.
func BenchmarkAppend(b *testing.B) {
	s := open(b, eventstore.Options{Dir: b.TempDir()})
	ctx := context.Background()
	var last uint64
	data := []byte(`{"amount":10}`)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a, err := s.Append(ctx, eventstore.Append{Stream: "acct-1", ExpectedSeq: last, Version: uint64(i + 1), ID: fmt.Sprint(i), Type: "deposited", Data: data})
		if err != nil {
			b.Fatal(err)
		}
		last = a.Seq
	}
}

// BenchmarkEnginePublish is JetStream's plain synchronous publish (no
// expectation, no id) to a file stream on an embedded server synced on
// every write: what the Store's Append adds its checks to.
func BenchmarkEnginePublish(b *testing.B) {
	srv, err := server.NewServer(&server.Options{JetStream: true, DontListen: true, SyncAlways: true, NoLog: true, NoSigs: true, StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		b.Fatal("server not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "B", Subjects: []string{"ev.>"}, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	data := []byte(`{"amount":10}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := js.Publish(ctx, "ev.acct-1", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadStream is loading one stream of 200 events: what a
// command without a snapshot pays.
func BenchmarkReadStream(b *testing.B) {
	s := open(b, eventstore.Options{Dir: b.TempDir()})
	ctx := context.Background()
	var last uint64
	for i := range 200 {
		a, err := s.Append(ctx, eventstore.Append{Stream: "acct-1", ExpectedSeq: last, Version: uint64(i + 1), ID: fmt.Sprint(i)})
		if err != nil {
			b.Fatal(err)
		}
		last = a.Seq
	}
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := s.Read(ctx, "acct-1", eventstore.Range{}); err != nil || len(evs) != 200 {
			b.Fatal(len(evs), err)
		}
	}
}
