package eventstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/faultline/faultline/patterns/kit/service"
)

// Client calls a Handler: what a pattern's services use to reach the store
// across a topology edge.
type Client struct {
	base string
	hc   *http.Client
}

// NewClient returns a client of the store at base ("http://host:port").
func NewClient(base string, hc *http.Client) *Client { return &Client{base: base, hc: hc} }

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

// do calls the store: see service.CallJSON.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	return service.CallJSON(ctx, c.hc, method, c.base+path, body, out)
}
