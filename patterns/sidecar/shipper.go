package sidecar

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns/kit/service"
)

// Telemetry metric names. Every one but ReceivedMetric carries a "where"
// label naming the hop that counts it: "app" or "sidecar".
const (
	// EnqueuedMetric counts the records a hop took in: the app's own (one
	// per request served), the sidecar's received from the app.
	EnqueuedMetric = "faultline_telemetry_enqueued_total"
	// ShippedMetric counts the records a hop handed on and saw acknowledged.
	ShippedMetric = "faultline_telemetry_shipped_total"
	// DroppedMetric counts the records a hop gave up on: buffer full, or a
	// shipment that failed every attempt.
	DroppedMetric = "faultline_telemetry_dropped_total"
	// ReceivedMetric counts the records the collector received: delivered.
	ReceivedMetric = "faultline_telemetry_received_total"
	// DepthMetric is the number of records waiting in a hop's buffer.
	DepthMetric = "faultline_telemetry_buffer_depth"
)

// Hops, the values of the "where" label.
const (
	whereApp     = "app"
	whereSidecar = "sidecar"
)

// counters are one hop's telemetry counters.
type counters struct {
	enqueued, shipped, dropped prometheus.Counter
}

// newCounters registers the counters of the hop where on reg. They carry
// the hop as a constant label, so every series exists (at 0) from the start.
func newCounters(where string, reg prometheus.Registerer) *counters {
	labels := prometheus.Labels{"where": where}
	c := &counters{
		enqueued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: EnqueuedMetric, Help: "Telemetry records this hop took in.", ConstLabels: labels,
		}),
		shipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: ShippedMetric, Help: "Telemetry records this hop handed on, acknowledged.", ConstLabels: labels,
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: DroppedMetric, Help: "Telemetry records this hop gave up on (buffer full or shipment failed).", ConstLabels: labels,
		}),
	}
	reg.MustRegister(c.enqueued, c.shipped, c.dropped)
	return c
}

// sendFunc delivers one batch, a body of newline-terminated records. It
// returns an error unless the receiver acknowledged it.
type sendFunc func(ctx context.Context, body []byte) error

// shipper is a bounded in-memory buffer of telemetry records and the
// goroutine that ships them in batches. Add never blocks: when the buffer is
// full the record is dropped and counted. A batch that fails Attempts times
// is dropped and counted too; after a failure the shipper backs off, so a
// dead receiver costs neither CPU nor the callers' time. The shipper owns
// its goroutine; Stop ends it.
type shipper struct {
	cfg     BufferConfig
	timeout time.Duration
	send    sendFunc
	c       *counters
	buf     chan []byte
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
}

// startShipper starts a shipper that sends each batch with send, within
// timeout, and exports its buffer depth to reg. It runs until Stop.
func startShipper(cfg BufferConfig, timeout time.Duration, send sendFunc, c *counters, where string, reg prometheus.Registerer) *shipper {
	ctx, cancel := context.WithCancel(context.Background())
	s := &shipper{
		cfg:     cfg,
		timeout: timeout,
		send:    send,
		c:       c,
		buf:     make(chan []byte, cfg.Size),
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: DepthMetric, Help: "Telemetry records waiting in this hop's buffer.",
		ConstLabels: prometheus.Labels{"where": where},
	}, func() float64 { return float64(len(s.buf)) }))
	go s.run(ctx)
	return s
}

// Add buffers one record (its bytes, without a newline) and reports whether
// there was room. It never blocks.
func (s *shipper) Add(rec []byte) bool {
	select {
	case s.buf <- rec:
		return true
	default:
		s.c.dropped.Inc()
		return false
	}
}

// Stop ends the shipper's goroutine, abandoning a shipment in flight, and
// waits for it. What is still buffered is lost uncounted, as a crashed
// process's memory is. It is safe to call more than once.
func (s *shipper) Stop() {
	s.once.Do(s.cancel)
	<-s.done
}

// run collects batches (up to Batch records, or what arrived within Flush of
// the first) and ships them one at a time, until ctx is done.
func (s *shipper) run(ctx context.Context) {
	defer close(s.done)
	flush := time.NewTimer(s.cfg.Flush)
	defer flush.Stop()
	for {
		// A fresh body per batch: a transport may still read the last one
		// after a failed send returned.
		var body bytes.Buffer
		var n int
		select {
		case rec := <-s.buf:
			appendRecord(&body, rec)
			n++
		case <-ctx.Done():
			return
		}
		flush.Reset(s.cfg.Flush)
	fill:
		for n < s.cfg.Batch {
			select {
			case rec := <-s.buf:
				appendRecord(&body, rec)
				n++
			case <-flush.C:
				break fill
			case <-ctx.Done():
				return
			}
		}
		flush.Stop() // since Go 1.23, Stop and Reset discard a pending fire
		if !s.ship(ctx, body.Bytes(), n) {
			return
		}
	}
}

// ship sends one batch of n records, retrying up to Attempts times with
// Backoff between tries, and counts it shipped or dropped. It returns false
// when ctx ended (the batch is then abandoned uncounted).
func (s *shipper) ship(ctx context.Context, body []byte, n int) bool {
	for attempt := 1; ; attempt++ {
		sctx, cancel := context.WithTimeout(ctx, s.timeout)
		err := s.send(sctx, body)
		cancel()
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			s.c.shipped.Add(float64(n))
			return true
		}
		last := attempt >= s.cfg.Attempts
		if last {
			s.c.dropped.Add(float64(n))
		}
		if clock.Sleep(ctx, s.cfg.Backoff) != nil {
			return false
		}
		if last {
			return true
		}
	}
}

func appendRecord(b *bytes.Buffer, rec []byte) {
	b.Write(rec)
	b.WriteByte('\n')
}

// records splits a batch body into its non-empty lines.
func records(body []byte) [][]byte {
	var out [][]byte
	for line := range bytes.SplitSeq(body, []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, line)
		}
	}
	return out
}

// poster sends batches to one URL with an HTTP client.
type poster struct {
	url    string
	client *http.Client
}

// newPoster returns a poster to url whose connection pool keeps up to
// conns idle connections.
func newPoster(url string, conns int) *poster {
	return &poster{url: url, client: service.NewClient(conns)}
}

// post sends body and succeeds when the answer is 2xx. A status error is
// a *service.StatusError, so a caller can tell "answered" from
// "unreachable".
func (p *poster) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return service.NewStatusError(resp)
	}
	return nil
}

func (p *poster) close() { p.client.CloseIdleConnections() }

// answered reports whether err came with an HTTP answer (the receiver was
// reached), rather than a transport failure or a timeout.
func answered(err error) bool {
	var se *service.StatusError
	return errors.As(err, &se)
}
