package eventstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/patterns/kit/service"
)

// Client calls a Handler: what a pattern's services use to reach the store
// across a topology edge. Given the nodes of a cluster, it calls one of
// them and hands a call over to the next when the node cannot answer it
// (unreachable, or 503: killed, cut off, or its group has no leader yet),
// each node once within the call's context. A retried append is safe: it
// carries its id, so a node that stored it before failing answers the
// retry as a duplicate.
type Client struct {
	bases []string
	hc    *http.Client
	cur   atomic.Int32 // the node calls go to first: the last one that answered
}

// NewClient returns a client of the store at bases ("http://host:port"):
// one store, or every node of a cluster.
func NewClient(hc *http.Client, bases ...string) *Client {
	if len(bases) == 0 {
		panic("eventstore: NewClient with no store address")
	}
	return &Client{bases: bases, hc: hc}
}

// Append appends one event; ErrConflict when the stream moved on.
func (c *Client) Append(ctx context.Context, a Append) (Appended, error) {
	var res Appended
	body := AppendRequest{ExpectedSeq: a.ExpectedSeq, Anywhere: a.Anywhere, Version: a.Version, ID: a.ID, Type: a.Type, Data: a.Data}
	err := c.do(ctx, http.MethodPost, "/streams/"+url.PathEscape(a.Stream), body, &res)
	var se *service.StatusError
	if errors.As(err, &se) && se.Code == http.StatusConflict {
		return res, ErrConflict
	}
	return res, err
}

// Read returns one stream's events within r.
func (c *Client) Read(ctx context.Context, stream string, r Range) ([]Event, error) {
	q := url.Values{}
	q.Set("after", strconv.FormatUint(r.After, 10))
	if r.UpTo > 0 {
		q.Set("upto", strconv.FormatUint(r.UpTo, 10))
	}
	if !r.Until.IsZero() {
		q.Set("until", r.Until.Format(time.RFC3339Nano))
	}
	var evs []Event
	err := c.do(ctx, http.MethodGet, "/streams/"+url.PathEscape(stream)+"?"+q.Encode(), nil, &evs)
	return evs, err
}

// Load returns the stream's newest snapshot and the events after it.
func (c *Client) Load(ctx context.Context, stream string) (Loaded, error) {
	var l Loaded
	err := c.do(ctx, http.MethodGet, "/streams/"+url.PathEscape(stream)+"/load", nil, &l)
	return l, err
}

// ReadAll returns up to max events of every stream after position after.
func (c *Client) ReadAll(ctx context.Context, after uint64, max int) ([]Event, error) {
	var evs []Event
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/events?after=%d&max=%d", after, max), nil, &evs)
	return evs, err
}

// LastSeq returns the newest position in the store.
func (c *Client) LastSeq(ctx context.Context) (uint64, error) {
	var res struct{ Seq uint64 }
	err := c.do(ctx, http.MethodGet, "/last", nil, &res)
	return res.Seq, err
}

// LastSnapshot returns the stream's newest snapshot; ok is false when none.
func (c *Client) LastSnapshot(ctx context.Context, stream string) (Snapshot, bool, error) {
	var snap Snapshot
	err := c.do(ctx, http.MethodGet, "/streams/"+url.PathEscape(stream)+"/snapshot", nil, &snap)
	var se *service.StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return Snapshot{}, false, nil
	}
	return snap, err == nil, err
}

// SaveSnapshot stores a snapshot of stream.
func (c *Client) SaveSnapshot(ctx context.Context, stream string, snap Snapshot) error {
	return c.do(ctx, http.MethodPut, "/streams/"+url.PathEscape(stream)+"/snapshot", snap, nil)
}

// Fetch returns a durable consumer's next events (at most max, waiting up
// to wait for the first).
func (c *Client) Fetch(ctx context.Context, consumer string, max int, wait time.Duration) ([]Event, error) {
	var evs []Event
	err := c.do(ctx, http.MethodPost, fmt.Sprintf("/consumers/%s/fetch?max=%d&wait=%s", url.PathEscape(consumer), max, wait), nil, &evs)
	return evs, err
}

// Ack acknowledges a durable consumer's delivered events.
func (c *Client) Ack(ctx context.Context, consumer string, seqs ...uint64) error {
	return c.do(ctx, http.MethodPost, "/consumers/"+url.PathEscape(consumer)+"/ack", seqs, nil)
}

// Nak hands a durable consumer's delivered events back for redelivery now.
func (c *Client) Nak(ctx context.Context, consumer string, seqs ...uint64) error {
	return c.do(ctx, http.MethodPost, "/consumers/"+url.PathEscape(consumer)+"/nak", seqs, nil)
}

// Behind returns how many events a durable consumer has not had acked.
func (c *Client) Behind(ctx context.Context, consumer string) (uint64, error) {
	var res struct{ Behind uint64 }
	err := c.do(ctx, http.MethodGet, "/consumers/"+url.PathEscape(consumer), nil, &res)
	return res.Behind, err
}

// do calls the store (see service.CallJSON), node after node while a node
// cannot answer.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	first := int(c.cur.Load())
	var err error
	for i := range len(c.bases) {
		k := (first + i) % len(c.bases)
		err = service.CallJSON(ctx, c.hc, method, c.bases[k]+path, body, out)
		if err == nil {
			if k != first {
				c.cur.Store(int32(k))
			}
			return nil
		}
		if ctx.Err() != nil || !unavailable(err) {
			return err
		}
	}
	return err
}

// unavailable reports whether err says the node could not take the call,
// so that another node may: no answer at all, or 503.
func unavailable(err error) bool {
	var se *service.StatusError
	if errors.As(err, &se) {
		return se.Code == http.StatusServiceUnavailable
	}
	return true
}
