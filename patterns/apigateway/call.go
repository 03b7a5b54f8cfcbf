package apigateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxAnswer bounds the backend answer the gateway reads.
const maxAnswer = 1 << 20

// answer is how one backend call ended: its status and body, or the error
// that kept it from answering.
type answer struct {
	backend string
	status  int
	body    []byte
	err     error
}

// ok reports whether the backend answered and did not fail (a 4xx is the
// request's, not the backend's, and is passed on).
func (a answer) ok() bool { return a.err == nil && a.status < 500 }

// call calls the part's backend at base+suffix within ctx (the route's
// budget), each try within the part's try timeout, until an answer is not
// a failure, the tries are spent or the budget is.
func (p *part) call(ctx context.Context, suffix string, m *counters) answer {
	var a answer
	for range p.try.Attempts {
		try, cancel := context.WithTimeout(ctx, p.try.Timeout)
		a = p.once(try, suffix, m)
		cancel()
		if a.ok() || ctx.Err() != nil {
			break
		}
	}
	return a
}

// once makes one call, telling the backend how long is left of ctx's
// deadline (when it has one).
func (p *part) once(ctx context.Context, suffix string, m *counters) answer {
	a := answer{backend: p.backend}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+suffix, nil)
	if err != nil {
		a.err = err
		return a
	}
	if d, ok := ctx.Deadline(); ok {
		req.Header.Set(DeadlineHeader, strconv.FormatInt(max(1, time.Until(d).Milliseconds()), 10))
	}
	m.calls[p.backend].Inc()
	resp, err := p.client.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.body, a.err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return a
}

// forward writes a prefix route's answer, or the error that kept it.
func forward(w http.ResponseWriter, r *http.Request, a answer) {
	if a.err != nil {
		fail(w, r, a)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// fail answers a failed backend call: 504 when it ran out of time, 502
// otherwise; nothing when the client has gone.
func fail(w http.ResponseWriter, r *http.Request, a answer) {
	switch {
	case r.Context().Err() != nil:
	case errors.Is(a.err, context.DeadlineExceeded):
		http.Error(w, a.backend+" timed out", http.StatusGatewayTimeout)
	default:
		http.Error(w, a.backend+" failed", http.StatusBadGateway)
	}
}
