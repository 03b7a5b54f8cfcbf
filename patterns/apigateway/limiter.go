package apigateway

import (
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxBuckets bounds the buckets of tenants the configuration does not list,
// so that many subjects cannot grow the gateway's memory without bound;
// beyond it, they share one bucket.
const maxBuckets = 10000

// limiter gives every tenant its own token bucket.
type limiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	shared  *rate.Limiter // for tenants beyond maxBuckets
}

func newLimiter(c RateLimit) *limiter {
	l := &limiter{limit: rate.Limit(c.Rate), burst: c.Burst, buckets: map[string]*rate.Limiter{}}
	l.shared = rate.NewLimiter(l.limit, l.burst)
	for _, t := range c.Tenants {
		l.buckets[t] = rate.NewLimiter(l.limit, l.burst)
	}
	return l
}

// allow takes a token of tenant's bucket at now. When there is none, it
// returns false and how long until there will be one.
func (l *limiter) allow(tenant string, now time.Time) (bool, time.Duration) {
	b := l.bucket(tenant)
	if b.AllowN(now, 1) {
		return true, 0
	}
	r := b.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return false, wait
}

func (l *limiter) bucket(tenant string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[tenant]
	switch {
	case ok:
	case len(l.buckets) >= maxBuckets:
		b = l.shared
	default:
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[tenant] = b
	}
	return b
}

// retryAfter is a Retry-After value for a wait: whole seconds, at least 1.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
}
