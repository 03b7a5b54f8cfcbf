package bff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// productPath is the route every client kind asks, after its prefix.
const productPath = "/product"

// aggregator answers one client kind's product request: it calls the
// downstream of every part at once, each within the timeout, and writes
// the parts it got, shaped as the experience wants them.
type aggregator struct {
	parts   []part
	urls    []string // of each part
	timeout time.Duration
	client  *http.Client
	metrics *kindMetrics
}

// fetched is one part's outcome.
type fetched struct {
	body []byte
	err  error
}

func (a *aggregator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.metrics.requests.Inc()
	got := make([]fetched, len(a.parts))
	var wg sync.WaitGroup
	for i := range a.parts {
		wg.Go(func() { got[i] = a.fetch(r.Context(), i) })
	}
	wg.Wait()
	if r.Context().Err() != nil {
		return // the client left
	}
	degraded := false
	for i, p := range a.parts {
		switch err := got[i].err; {
		case err == nil:
		case !p.required:
			degraded = true
		case errors.Is(err, context.DeadlineExceeded):
			http.Error(w, p.dep+" timed out", http.StatusGatewayTimeout)
			return
		default:
			http.Error(w, p.dep+" failed", http.StatusBadGateway)
			return
		}
	}
	body, err := a.shape(got)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if degraded {
		w.Header().Set(patterns.DegradedHeader, "1")
	}
	_, _ = w.Write(body)
}

// fetch calls part i's downstream within the timeout and returns what the
// part keeps of its answer.
func (a *aggregator) fetch(parent context.Context, i int) fetched {
	p := a.parts[i]
	a.metrics.calls[p.dep].Inc()
	ctx, cancel := context.WithTimeout(parent, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.urls[i], nil)
	if err != nil {
		return fetched{err: err}
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fetched{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // whole: the connection is reused
	switch {
	case err != nil:
		return fetched{err: err}
	case resp.StatusCode >= 300:
		return fetched{err: service.NewStatusError(resp)}
	case p.keep > 0 && len(body) > p.keep:
		body = body[:p.keep]
	}
	return fetched{body: body}
}

// shape writes the answer: a JSON object with a key per part that came
// back, in the experience's order.
func (a *aggregator) shape(got []fetched) ([]byte, error) {
	out := []byte{'{'}
	for i, p := range a.parts {
		if got[i].err != nil {
			continue
		}
		v, err := json.Marshal(string(got[i].body))
		if err != nil {
			return nil, fmt.Errorf("shaping %s: %w", p.key, err)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = fmt.Appendf(out, "%q:", p.key)
		out = append(out, v...)
	}
	return append(out, '}', '\n'), nil
}
