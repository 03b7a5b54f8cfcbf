package breaker

import "time"

// timeBuckets is the number of buckets a time window's Period is split into.
const timeBuckets = 10

// Outcome flags in a count window's ring.
const (
	failedFlag uint8 = 1 << 0
	slowFlag   uint8 = 1 << 1
)

// window is the sliding window of the closed state, count- or time-based.
//
// A count window is a ring of the last len(ring) outcomes. A time window is
// timeBuckets buckets of width Period/timeBuckets, numbered from origin; an
// outcome lives in the bucket of the time it was reported and falls out when
// the newest bucket is timeBuckets ahead, that is between 0.9·Period and
// Period after it was reported.
type window struct {
	calls, failures, slow int // totals over the window

	// Count-based (ring != nil).
	ring []uint8 // failedFlag|slowFlag per outcome
	pos  int     // next slot; the oldest outcome once the ring is full

	// Time-based (width > 0).
	width   time.Duration
	origin  time.Time
	head    int64 // number of the newest bucket
	buckets [timeBuckets]bucket
}

type bucket struct {
	calls, failures, slow int
}

// add records one outcome; now is only used by time windows.
func (w *window) add(now time.Time, failed, slow bool) {
	var f uint8
	if failed {
		f |= failedFlag
	}
	if slow {
		f |= slowFlag
	}
	fails, slows := int(f&failedFlag), int(f>>1)
	if w.width > 0 {
		w.advance(now)
	}
	w.calls++
	w.failures += fails
	w.slow += slows

	if w.width > 0 {
		bk := &w.buckets[w.head%timeBuckets]
		bk.calls++
		bk.failures += fails
		bk.slow += slows
		return
	}

	if w.calls > len(w.ring) { // full: evict the oldest, which pos points at
		old := w.ring[w.pos]
		w.calls--
		w.failures -= int(old & failedFlag)
		w.slow -= int(old >> 1)
	}
	w.ring[w.pos] = f
	w.pos++
	if w.pos == len(w.ring) {
		w.pos = 0
	}
}

// advance drops the buckets that fell out of a time window by now. A time
// before the newest bucket (a clock going backwards, or a result read from
// the clock just before another one) counts as the newest bucket.
func (w *window) advance(now time.Time) {
	n := int64(now.Sub(w.origin) / w.width)
	if n <= w.head {
		return
	}
	if n-w.head >= timeBuckets {
		w.buckets = [timeBuckets]bucket{}
		w.calls, w.failures, w.slow = 0, 0, 0
	} else {
		for i := w.head + 1; i <= n; i++ {
			bk := &w.buckets[i%timeBuckets]
			w.calls -= bk.calls
			w.failures -= bk.failures
			w.slow -= bk.slow
			*bk = bucket{}
		}
	}
	w.head = n
}

// reset empties the window; a time window restarts its buckets at now.
func (w *window) reset(now time.Time) {
	w.calls, w.failures, w.slow = 0, 0, 0
	w.pos = 0 // the ring's old contents are overwritten before they are evicted
	if w.width > 0 {
		w.origin = now
		w.head = 0
		w.buckets = [timeBuckets]bucket{}
	}
}
