package breaker_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/patterns/policy/breaker"
	"github.com/sony/gobreaker/v2"
)

// BenchmarkAllowRecord measures the hot path, a permitted call in the closed
// state (Allow, then reporting a success), against gobreaker's
// TwoStepCircuitBreaker (Allow, then done(nil)), the library a user would
// otherwise pick.
func BenchmarkAllowRecord(b *testing.B) {
	newFaultline := func(b *testing.B, window string) *breaker.Breaker {
		cfg := breaker.DefaultConfig()
		cfg.Window = window
		cfg.SlowCall = time.Second
		br, err := breaker.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return br
	}
	faultline := func(br *breaker.Breaker) {
		p, err := br.Allow()
		if err != nil {
			panic(err)
		}
		p.Done(true, time.Millisecond)
	}
	gobreakerCall := func(cb *gobreaker.TwoStepCircuitBreaker[struct{}]) {
		done, err := cb.Allow()
		if err != nil {
			panic(err)
		}
		done(nil)
	}

	for _, window := range []string{breaker.CountWindow, breaker.TimeWindow} {
		b.Run("faultline/"+window+"/serial", func(b *testing.B) {
			br := newFaultline(b, window)
			b.ReportAllocs()
			for b.Loop() {
				faultline(br)
			}
		})
		b.Run("faultline/"+window+"/parallel", func(b *testing.B) {
			br := newFaultline(b, window)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					faultline(br)
				}
			})
		})
	}
	b.Run("gobreaker/serial", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{})
		b.ReportAllocs()
		for b.Loop() {
			gobreakerCall(cb)
		}
	})
	b.Run("gobreaker/parallel", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				gobreakerCall(cb)
			}
		})
	})
}

// BenchmarkReject measures Allow on an open breaker.
func BenchmarkReject(b *testing.B) {
	cfg := breaker.DefaultConfig()
	cfg.OpenWait = time.Hour
	br, err := breaker.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for range cfg.MinCalls {
		p, _ := br.Allow()
		p.Done(false, 0)
	}
	if br.State() != breaker.Open {
		b.Fatal("breaker did not open")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := br.Allow(); err == nil {
			b.Fatal("permitted while open")
		}
	}
}
