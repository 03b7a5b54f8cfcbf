package bulkhead_test

import (
	"context"
	"runtime"
	"testing"

	"golang.org/x/sync/semaphore"

	"github.com/faultline/faultline/patterns/policy/bulkhead"
)

// BenchmarkAcquireRelease measures the hot path, taking a free slot and
// giving it back, against golang.org/x/sync/semaphore.Weighted (Acquire or
// TryAcquire of 1, then Release of 1), the library a user would otherwise
// pick to bound concurrency. The bound is wide enough that no call waits:
// with -cpu N, RunParallel runs N goroutines on N slots.
//
// BenchmarkAcquireRelease/*/full measures a rejection: every slot taken,
// no waiting.
func BenchmarkAcquireRelease(b *testing.B) {
	ctx := context.Background()
	slots := runtime.GOMAXPROCS(0)
	newBulkhead := func(b *testing.B, n int) *bulkhead.Bulkhead {
		bh, err := bulkhead.New(bulkhead.Config{MaxConcurrent: n})
		if err != nil {
			b.Fatal(err)
		}
		return bh
	}
	impls := []struct {
		name string
		// call takes a slot and gives it back; false when it was refused.
		new func(b *testing.B, n int) func() bool
	}{
		{"faultline/Acquire", func(b *testing.B, n int) func() bool {
			bh := newBulkhead(b, n)
			return func() bool {
				p, err := bh.Acquire(ctx)
				if err != nil {
					return false
				}
				p.Release()
				return true
			}
		}},
		{"faultline/TryAcquire", func(b *testing.B, n int) func() bool {
			bh := newBulkhead(b, n)
			return func() bool {
				p, err := bh.TryAcquire()
				if err != nil {
					return false
				}
				p.Release()
				return true
			}
		}},
		{"semaphore/Acquire", func(b *testing.B, n int) func() bool {
			s := semaphore.NewWeighted(int64(n))
			return func() bool {
				if err := s.Acquire(ctx, 1); err != nil {
					return false
				}
				s.Release(1)
				return true
			}
		}},
		{"semaphore/TryAcquire", func(b *testing.B, n int) func() bool {
			s := semaphore.NewWeighted(int64(n))
			return func() bool {
				if !s.TryAcquire(1) {
					return false
				}
				s.Release(1)
				return true
			}
		}},
	}
	for _, impl := range impls {
		b.Run(impl.name+"/serial", func(b *testing.B) {
			call := impl.new(b, slots)
			b.ReportAllocs()
			for b.Loop() {
				if !call() {
					b.Fatal("refused a free slot")
				}
			}
		})
		b.Run(impl.name+"/parallel", func(b *testing.B) {
			call := impl.new(b, slots)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !call() {
						panic("refused a free slot")
					}
				}
			})
		})
	}
	b.Run("faultline/full", func(b *testing.B) {
		bh := newBulkhead(b, 1)
		bh.Acquire(ctx)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bh.TryAcquire(); err == nil {
				b.Fatal("took a slot of a full bulkhead")
			}
		}
	})
	b.Run("semaphore/full", func(b *testing.B) {
		s := semaphore.NewWeighted(1)
		s.Acquire(ctx, 1)
		b.ReportAllocs()
		for b.Loop() {
			if s.TryAcquire(1) {
				b.Fatal("took a slot of a full semaphore")
			}
		}
	})
}
