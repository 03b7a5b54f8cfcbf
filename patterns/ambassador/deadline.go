package ambassador

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// DeadlineHeader carries how many milliseconds the app will wait for the
// ambassador's answer (as Envoy's x-envoy-expected-rq-timeout-ms does), so
// the ambassador can fit its attempts into the call's deadline.
const DeadlineHeader = "X-Request-Timeout-Ms"

// DeadlineReserve is how long before the app's deadline the ambassador
// stops its attempts, to answer 504 before the app gives up.
const DeadlineReserve = 50 * time.Millisecond

// callContext is the app's request context bounded by the deadline its
// DeadlineHeader announces, less DeadlineReserve; without a valid header,
// the request's context as it is.
func callContext(r *http.Request) (context.Context, context.CancelFunc) {
	ms, err := strconv.ParseInt(r.Header.Get(DeadlineHeader), 10, 64)
	if err != nil || ms <= 0 {
		return context.WithCancel(r.Context())
	}
	d := max(time.Duration(ms)*time.Millisecond-DeadlineReserve, time.Millisecond)
	return context.WithTimeout(r.Context(), d)
}
