package traffic

import (
	"io"
	"net/http"
	"strconv"
	"sync"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// seqHeader is the header Vegeta numbers each request of an attack with.
const seqHeader = "X-Vegeta-Seq"

// bodyCounter counts the response body bytes of every request without
// keeping the bodies. Vegeta, told to keep no body (MaxBody(0)), reads the
// body to its end and discards it, and reports BytesIn as the length of
// what it kept: 0. bodyCounter wraps the transport, counts each body as it
// is read and, when Vegeta closes it (always, before the result is sent),
// files the count under the request's X-Vegeta-Seq number, for fill to put
// into the result's BytesIn. Raw results then carry the real sizes, and
// `vegeta report` shows them.
//
// It is safe for concurrent use.
type bodyCounter struct {
	next http.RoundTripper

	mu     sync.Mutex
	counts map[uint64]uint64 // by Seq: bytes read of a closed body
}

func newBodyCounter(next http.RoundTripper) *bodyCounter {
	return &bodyCounter{next: next, counts: make(map[uint64]uint64)}
}

// RoundTrip sends req and wraps the answer's body in a counter. A request
// without a sequence number (not Vegeta's) is passed through uncounted.
func (c *bodyCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	seq, perr := strconv.ParseUint(req.Header.Get(seqHeader), 10, 64)
	if perr != nil {
		return resp, nil
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, seq: seq, owner: c}
	return resp, nil
}

// fill sets r.BytesIn to the size of its answer's body (what was read of
// it, when reading failed) and forgets the count. A result without a
// counted body (no answer) keeps BytesIn.
func (c *bodyCounter) fill(r *vegeta.Result) {
	c.mu.Lock()
	n, ok := c.counts[r.Seq]
	if ok {
		delete(c.counts, r.Seq)
	}
	c.mu.Unlock()
	if ok {
		r.BytesIn = n
	}
}

func (c *bodyCounter) file(seq, n uint64) {
	c.mu.Lock()
	c.counts[seq] = n
	c.mu.Unlock()
}

// countedBody counts the bytes read through it and files the count once,
// when closed.
type countedBody struct {
	io.ReadCloser
	seq    uint64
	n      uint64
	owner  *bodyCounter
	closed bool
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += uint64(n)
	return n, err
}

func (b *countedBody) Close() error {
	if !b.closed {
		b.closed = true
		b.owner.file(b.seq, b.n)
	}
	return b.ReadCloser.Close()
}
