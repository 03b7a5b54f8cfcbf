package stranglerfig

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// shadower sends copies of requests legacy answered to modern in the
// background, each with a second legacy call for noise, at most
// cap(slots) at once: a copy that finds every slot taken is dropped, never
// queued, so a slow modern costs the users nothing. It owns its goroutines:
// stop cancels the copies in flight and waits for them.
type shadower struct {
	f       *facade
	timeout time.Duration
	slots   chan struct{}
	differ  *differ

	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex // guards stopped and wg.Add against stop's Wait
	stopped bool
	wg      sync.WaitGroup
}

func newShadower(f *facade, cfg ShadowConfig) *shadower {
	ctx, cancel := context.WithCancel(context.Background())
	return &shadower{f: f, timeout: cfg.Timeout, slots: make(chan struct{}, cfg.Concurrency), differ: newDiffer(), ctx: ctx, cancel: cancel}
}

// offer shadows the request (a GET of uri by user) legacy answered with
// primary, or drops it when every slot is taken.
func (s *shadower) offer(r *route, uri, user string, primary reply) {
	select {
	case s.slots <- struct{}{}:
	default:
		s.f.m.shadowDropped.Inc()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		<-s.slots
		return
	}
	s.f.m.shadowSent.Inc()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() { <-s.slots }()
		s.shadow(r, uri, user, primary)
	}()
}

// shadow calls modern and legacy again at once and compares the answers.
// A modern 5xx counts as modern's error; a copy that timed out or could
// not be sent is not judged (a slow shadow is not a wrong one).
func (s *shadower) shadow(r *route, uri, user string, primary reply) {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	var (
		secondary reply
		serr      error
		done      = make(chan struct{})
	)
	go func() {
		defer close(done)
		secondary, serr = s.f.call(ctx, http.MethodGet, s.f.legacy+uri, user, nil)
	}()
	candidate, cerr := s.f.call(ctx, http.MethodGet, s.f.modern+uri, user, nil)
	<-done
	if cerr != nil || s.ctx.Err() != nil {
		return
	}
	if candidate.status >= 500 {
		s.f.modernAnswered(r, true)
		return
	}
	s.f.modernAnswered(r, false)
	if serr != nil || secondary.status != primary.status {
		return
	}
	v := s.differ.compare(primary, secondary, candidate)
	s.f.m.compared.Inc()
	switch v {
	case diff:
		s.f.m.diffs.Inc()
	case noise:
		s.f.m.noise.Inc()
	}
	if mon := s.f.monitors[r.name]; mon != nil {
		mon.compared(v == diff)
	}
}

// stop cancels the copies in flight, waits for them, and sends no more.
func (s *shadower) stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}
