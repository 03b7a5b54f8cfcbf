// Package window is the time-bucketed sliding window the policies count
// in: the breaker's time window (calls, failures and slow calls of the last
// Period) and the retry budget (calls and retries of the last Window).
//
// A window of length L is Buckets buckets of L/Buckets, numbered from the
// time it was last reset. Counts land in the bucket of the time they were
// added and fall out when the newest bucket is Buckets ahead, that is
// between (Buckets-1)/Buckets·L and L after they were added. A fixed number
// of buckets keeps the memory and the cost of sliding constant, whatever
// the rate of events, at the price of that one bucket of blur.
//
// It imports nothing of faultline.
package window

import "time"

// Buckets is the number of buckets a window's length is split into.
const Buckets = 10

// Counts are the counters of one event, or of one bucket. The window only
// adds and subtracts them; each user names the slots it uses (the breaker:
// calls, failures, slow calls; the budget: calls, retries).
type Counts [3]int

// Time is a sliding window over time. Make one with New; it is a value
// (it does not allocate) and is not safe for concurrent use: its owner
// holds a lock around it.
type Time struct {
	width   time.Duration // one bucket
	origin  time.Time     // the start of bucket 0
	head    int64         // number of the newest bucket
	cur     int           // head % Buckets: the newest bucket's index
	headEnd time.Time     // the end of the newest bucket
	sum     Counts        // over the window
	buckets [Buckets]Counts
}

// New returns an empty window of the given length, starting at now. The
// length must be at least Buckets nanoseconds, so that a bucket is not
// empty; New panics otherwise (callers validate their configuration).
func New(length time.Duration, now time.Time) Time {
	if length < Buckets {
		panic("window: length " + length.String() + " is shorter than one nanosecond per bucket")
	}
	w := Time{width: length / Buckets}
	w.Reset(now)
	return w
}

// Add slides the window to now and counts c in its newest bucket.
func (w *Time) Add(now time.Time, c Counts) {
	w.Slide(now)
	bk := &w.buckets[w.cur]
	for i := range c { // by index: ranging over values would copy c
		bk[i] += c[i]
		w.sum[i] += c[i]
	}
}

// Total is slot's total over the window as of the last Add, Slide or
// Reset. It reads one slot rather than returning Counts so that reading
// right after an Add costs nothing (an array returned by value is copied
// through memory).
func (w *Time) Total(slot int) int { return w.sum[slot] }

// Reset empties the window and restarts its buckets at now.
func (w *Time) Reset(now time.Time) {
	*w = Time{width: w.width, origin: now, headEnd: now.Add(w.width)}
}

// Slide drops the buckets that fell out of the window by now. A time
// before the end of the newest bucket (a clock going backwards, or a time
// read just before another caller's) counts as the newest bucket, which is
// also the fast path: one comparison, no division.
func (w *Time) Slide(now time.Time) {
	if now.Before(w.headEnd) {
		return
	}
	n := int64(now.Sub(w.origin) / w.width)
	if n-w.head >= Buckets {
		w.buckets = [Buckets]Counts{}
		w.sum = Counts{}
	} else {
		for i := w.head + 1; i <= n; i++ {
			bk := &w.buckets[i%Buckets]
			for j, c := range bk {
				w.sum[j] -= c
			}
			*bk = Counts{}
		}
	}
	w.head, w.cur = n, int(n%Buckets)
	w.headEnd = w.origin.Add(time.Duration(n+1) * w.width)
}
