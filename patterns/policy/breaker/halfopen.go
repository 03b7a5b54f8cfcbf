package breaker

import "time"

// probe applies one probe's result in the half-open state, by the
// configured rule. b.mu is held.
func (b *Breaker) probe(success, slow bool, now time.Time) {
	if !b.ratios { // FirstFailure
		if !success || slow {
			b.setState(Open, now)
			return
		}
		b.probeOK++
		if b.probeOK >= b.halfOpenCalls {
			b.setState(Closed, now)
		}
		return
	}
	// Ratios: decide once every permitted probe completed.
	if success {
		b.probeOK++
	} else {
		b.probeBad++
	}
	if slow {
		b.probeSlow++
	}
	done := b.probeOK + b.probeBad
	if done < b.halfOpenCalls {
		return
	}
	if ratio(b.probeBad, done) >= b.failureRatio ||
		b.slowCall > 0 && ratio(b.probeSlow, done) >= b.slowRatio {
		b.setState(Open, now)
	} else {
		b.setState(Closed, now)
	}
}

// schedule starts the timer that moves the breaker, just opened, to
// half-open once OpenWait has passed. It does nothing when the clock
// cannot schedule or the breaker was closed. b.mu is held.
func (b *Breaker) schedule() {
	if b.sched == nil || b.closed {
		return
	}
	gen := b.gen
	b.timer = b.sched.AfterFunc(b.openWait, func() { b.wake(gen) })
}

// wake is the timer's call: the breaker opened in generation gen half-opens,
// unless it already moved on.
func (b *Breaker) wake(gen uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open && b.gen == gen && !b.closed {
		b.timer = nil
		b.setState(HalfOpen, b.clock.Now())
	}
}

// Close stops the breaker's timer: once its owner is done with it, the
// breaker changes state only when called. It keeps working; Close is
// idempotent.
func (b *Breaker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}
