package eventsourcing

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/faultline/faultline/patterns/kit/eventstore"
)

// BenchmarkLoadAccount is what rebuilding an account costs against the
// length of its stream, with a snapshot every 20 events and by full
// replay: the report's "load time against stream length". The store is
// in-process (no HTTP), at its settings (file store synced on every write).
func BenchmarkLoadAccount(b *testing.B) {
	for _, n := range []int{20, 200, 2000} {
		s, err := eventstore.Open(context.Background(), eventstore.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		fill(b, s, n, 20)
		for _, snapshots := range []bool{true, false} {
			name := fmt.Sprintf("events=%d/replay", n)
			if snapshots {
				name = fmt.Sprintf("events=%d/snapshots", n)
			}
			b.Run(name, func(b *testing.B) {
				l := &loader{ev: s, snapshots: snapshots}
				b.ReportAllocs()
				for b.Loop() {
					a, err := l.load(context.Background(), "acct")
					if err != nil || a.Balance != int64(10*n) {
						b.Fatal(a, err)
					}
				}
			})
		}
		s.Close()
	}
}

// fill appends n deposits of 10 to "acct", with a snapshot every `every`.
func fill(b *testing.B, s *eventstore.Store, n, every int) {
	ctx := context.Background()
	a := newAccount()
	data, _ := json.Marshal(eventData{Amount: 10})
	l := &loader{ev: s}
	for i := range n {
		id := fmt.Sprint(i)
		res, err := s.Append(ctx, eventstore.Append{Stream: "acct", ExpectedSeq: a.Seq, Version: a.Version + 1, ID: id, Type: deposit, Data: data})
		if err != nil {
			b.Fatal(err)
		}
		a.apply(eventstore.Event{Seq: res.Seq, Version: a.Version + 1, ID: id, Type: deposit, Data: data})
		if a.Version%uint64(every) == 0 {
			l.snapshot(ctx, "acct", a)
		}
	}
}
