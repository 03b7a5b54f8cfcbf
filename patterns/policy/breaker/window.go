package breaker

import (
	"time"

	"github.com/faultline/faultline/patterns/policy/internal/window"
)

// The slots of the window's counts.
const (
	slotCalls = iota
	slotFailures
	slotSlow
)

// Outcome flags in a count window's ring.
const (
	failedFlag uint8 = 1 << 0
	slowFlag   uint8 = 1 << 1
)

// callWindow is the sliding window of the closed state, count- or
// time-based. A count window is a ring of the last len(ring) outcomes. A
// time window (ring == nil) is a window.Time of Period: an outcome falls out
// of it between 0.9·Period and Period after it was reported.
type callWindow struct {
	// Count-based (ring != nil).
	ring []uint8       // failedFlag|slowFlag per outcome
	pos  int           // next slot; the oldest outcome once the ring is full
	sum  window.Counts // totals over the ring

	// Time-based (ring == nil).
	timed window.Time
}

// add records one outcome; now is only used by time windows.
func (w *callWindow) add(now time.Time, failed, slow bool) {
	var f uint8
	if failed {
		f |= failedFlag
	}
	if slow {
		f |= slowFlag
	}
	c := window.Counts{slotCalls: 1, slotFailures: int(f & failedFlag), slotSlow: int(f >> 1)}
	if w.ring == nil {
		w.timed.Add(now, c)
		return
	}

	w.sum[slotCalls]++
	w.sum[slotFailures] += c[slotFailures]
	w.sum[slotSlow] += c[slotSlow]
	if w.sum[slotCalls] > len(w.ring) { // full: evict the oldest, which pos points at
		old := w.ring[w.pos]
		w.sum[slotCalls]--
		w.sum[slotFailures] -= int(old & failedFlag)
		w.sum[slotSlow] -= int(old >> 1)
	}
	w.ring[w.pos] = f
	w.pos++
	if w.pos == len(w.ring) {
		w.pos = 0
	}
}

// slide drops the outcomes that fell out of a time window by now.
func (w *callWindow) slide(now time.Time) {
	if w.ring == nil {
		w.timed.Slide(now)
	}
}

// total is slot's total over the window, as of the last add, slide or
// reset.
func (w *callWindow) total(slot int) int {
	if w.ring == nil {
		return w.timed.Total(slot)
	}
	return w.sum[slot]
}

// reset empties the window; a time window restarts its buckets at now.
func (w *callWindow) reset(now time.Time) {
	if w.ring == nil {
		w.timed.Reset(now)
		return
	}
	w.sum = window.Counts{}
	w.pos = 0 // the ring's old contents are overwritten before they are evicted
}
