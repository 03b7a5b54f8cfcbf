package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/kit/eventstore"
	"github.com/faultline/faultline/patterns/kit/service"
)

func open(t testing.TB, o eventstore.Options) *eventstore.Store {
	t.Helper()
	s, err := eventstore.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// appender is what Store and Client share, so one test runs against both.
type appender interface {
	Append(context.Context, eventstore.Append) (eventstore.Appended, error)
	Read(context.Context, string, eventstore.Range) ([]eventstore.Event, error)
}

func TestAppendAndRead(t *testing.T) {
	s := open(t, eventstore.Options{Dir: t.TempDir()})
	srv := httptest.NewServer(eventstore.Handler(s))
	t.Cleanup(srv.Close)
	for name, st := range map[string]appender{"store": s, "http": eventstore.NewClient(service.NewClient(4), srv.URL)} {
		t.Run(name, func(t *testing.T) { checkAppendAndRead(t, st, "acct-"+name) })
	}
}

// checkAppendAndRead: expected positions, conflicts, duplicates, ranges.
func checkAppendAndRead(t *testing.T, st appender, stream string) {
	ctx := context.Background()
	first, err := st.Append(ctx, eventstore.Append{Stream: stream, Version: 1, ID: stream + "-op1", Type: "deposited", Data: []byte(`{"amount":5}`)})
	if err != nil {
		t.Fatal(err)
	}
	// A writer that loaded the empty stream conflicts.
	if _, err := st.Append(ctx, eventstore.Append{Stream: stream, Version: 1, ID: stream + "-op2"}); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append at a stale position: err = %v, want ErrConflict", err)
	}
	// A retry of the first append is answered, not stored again.
	dup, err := st.Append(ctx, eventstore.Append{Stream: stream, Version: 1, ID: stream + "-op1"})
	if err != nil || !dup.Duplicate || dup.Seq != first.Seq {
		t.Fatalf("retried append = %+v, %v; want a duplicate at %d", dup, err, first.Seq)
	}
	second, err := st.Append(ctx, eventstore.Append{Stream: stream, ExpectedSeq: first.Seq, Version: 2, ID: stream + "-op3", Type: "withdrew"})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.Read(ctx, stream, eventstore.Range{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].ID != stream+"-op1" || evs[1].Version != 2 || evs[1].Type != "withdrew" || string(evs[0].Data) != `{"amount":5}` {
		t.Fatalf("read = %+v", evs)
	}
	upTo, err := st.Read(ctx, stream, eventstore.Range{UpTo: first.Seq})
	if err != nil || len(upTo) != 1 {
		t.Fatalf("read up to %d = %+v, %v; want the first event", first.Seq, upTo, err)
	}
	after, err := st.Read(ctx, stream, eventstore.Range{After: first.Seq})
	if err != nil || len(after) != 1 || after[0].Seq != second.Seq {
		t.Fatalf("read after %d = %+v, %v; want the second event", first.Seq, after, err)
	}
}

func TestAcknowledgedEventsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := eventstore.Open(ctx, eventstore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for i := range 20 {
		a, err := s.Append(ctx, eventstore.Append{Stream: "a", ExpectedSeq: last, Version: uint64(i + 1), ID: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		last = a.Seq
	}
	if err := s.SaveSnapshot(ctx, "a", eventstore.Snapshot{Seq: last, Version: 20, Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open(t, eventstore.Options{Dir: dir})
	evs, err := s.Read(ctx, "a", eventstore.Range{})
	if err != nil || len(evs) != 20 {
		t.Fatalf("after a restart: %d events, %v; want 20", len(evs), err)
	}
	snap, ok, err := s.LastSnapshot(ctx, "a")
	if err != nil || !ok || snap.Seq != last || snap.Version != 20 || string(snap.Data) != "x" {
		t.Fatalf("snapshot after a restart = %+v, %v, %v", snap, ok, err)
	}
	// The dedup window survives too: a retry is still a duplicate.
	dup, err := s.Append(ctx, eventstore.Append{Stream: "a", ExpectedSeq: 0, Version: 1, ID: "0"})
	if err != nil || !dup.Duplicate {
		t.Fatalf("retry after a restart = %+v, %v; want a duplicate", dup, err)
	}
}

func TestMemoryStoreLosesEverythingOnRestart(t *testing.T) {
	ctx := context.Background()
	s, err := eventstore.Open(ctx, eventstore.Options{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, eventstore.Append{Stream: "a", Version: 1, ID: "1"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, eventstore.Options{Memory: true})
	if evs, err := s.Read(ctx, "a", eventstore.Range{}); err != nil || len(evs) != 0 {
		t.Fatalf("memory store after a restart: %d events, %v; want none", len(evs), err)
	}
}

func TestDurableConsumerRedeliversWhatWasNotAcked(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := eventstore.Open(ctx, eventstore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, stream := range []string{"a", "b", "a"} {
		expected := uint64(0)
		if i == 2 {
			expected = 1
		}
		if _, err := s.Append(ctx, eventstore.Append{Stream: stream, ExpectedSeq: expected, ID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Durable(ctx, "projector")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := c.Fetch(ctx, 2, time.Second)
	if err != nil || len(evs) != 2 || evs[0].Seq != 1 || evs[1].Seq != 2 {
		t.Fatalf("fetch = %+v, %v; want positions 1 and 2", evs, err)
	}
	if err := c.Ack(ctx, evs[0].Seq); err != nil {
		t.Fatal(err)
	}
	s.Close() // the second event was delivered, never acked

	s = open(t, eventstore.Options{Dir: dir})
	c, err = s.Durable(ctx, "projector")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := c.Behind(ctx); err != nil || n != 2 {
		t.Fatalf("behind after a restart = %d, %v; want 2", n, err)
	}
	// The unacked event comes again once its ack wait (2s) is over.
	seen := map[uint64]bool{}
	for deadline := time.Now().Add(10 * time.Second); len(seen) < 2 && time.Now().Before(deadline); {
		evs, err = c.Fetch(ctx, 10, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			seen[ev.Seq] = true
		}
	}
	if !seen[2] || !seen[3] || len(seen) != 2 {
		t.Fatalf("fetched after a restart: %v; want positions 2 and 3", seen)
	}
}

func TestBadInput(t *testing.T) {
	s := open(t, eventstore.Options{Memory: true})
	ctx := context.Background()
	for _, a := range []eventstore.Append{
		{Stream: "a.b", ID: "1"},
		{Stream: "", ID: "1"},
		{Stream: "a"},
	} {
		if _, err := s.Append(ctx, a); err == nil {
			t.Errorf("Append(%+v) succeeded", a)
		}
	}
	if _, err := eventstore.Open(ctx, eventstore.Options{}); err == nil {
		t.Error("Open without a directory succeeded")
	}
}
