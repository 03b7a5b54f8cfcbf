package model

import (
	"encoding/json"
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: latencies in microseconds from 1µs to 120s, with
// three significant digits: a value is kept to within 0.1% (±0.5ms at
// 500ms), so a quantile is never biased by more than that.
const (
	histLowest  = 1
	histHighest = int64(120 * time.Second / time.Microsecond)
	histDigits  = 3
)

// Histogram is a latency histogram (an HdrHistogram in microseconds).
//
// It has two forms. NewHistogram returns a dense one (~148KB) for recording:
// Record does not allocate. Snapshot returns a sparse copy whose size grows
// with the number of distinct latency buckets (typically 1-3KB),
// which is what a Window should keep; decoded histograms are sparse too.
// Every method works on both forms. A Histogram is not safe for concurrent
// use. The zero value is an empty dense histogram.
type Histogram struct {
	d *hdrhistogram.Histogram       // dense form
	p *hdrhistogram.PackedHistogram // sparse form; d is nil when set
}

// NewHistogram returns an empty dense histogram, for recording.
func NewHistogram() *Histogram {
	return &Histogram{d: hdrhistogram.New(histLowest, histHighest, histDigits)}
}

func newSparse() *Histogram {
	return &Histogram{p: hdrhistogram.NewPacked(histLowest, histHighest, histDigits)}
}

// Record adds one latency. Values outside 0..120s are clamped into range.
// On a dense histogram it does not allocate.
func (h *Histogram) Record(d time.Duration) {
	h.recordN(d, 1)
}

func (h *Histogram) recordN(d time.Duration, n int64) {
	if n <= 0 {
		return
	}
	v := max(int64(d/time.Microsecond), 0)
	if h.p != nil {
		_ = h.p.RecordValues(min(v, h.p.HighestTrackableValue()), n)
		return
	}
	if h.d == nil {
		h.d = hdrhistogram.New(histLowest, histHighest, histDigits)
	}
	// In range and n > 0: RecordValues only fails on a total-count overflow.
	_ = h.d.RecordValues(min(v, h.d.HighestTrackableValue()), n)
}

// Merge adds every value of o to h. h keeps its form.
func (h *Histogram) Merge(o *Histogram) {
	if o.Count() == 0 {
		return
	}
	switch {
	case h.p != nil && o.d != nil:
		h.p.MergeFrom(o.d)
	case h.p != nil:
		h.p.Merge(o.p)
	default:
		if h.d == nil {
			h.d = hdrhistogram.New(histLowest, histHighest, histDigits)
		}
		if o.d != nil {
			h.d.Merge(o.d)
		} else {
			o.p.MergeInto(h.d)
		}
	}
}

// Snapshot returns a sparse copy of h, to keep once recording is done (the
// dense original can then be Reset and reused).
func (h *Histogram) Snapshot() *Histogram {
	s := newSparse()
	s.Merge(h)
	s.p.Compact()
	return s
}

// Quantile returns the latency at quantile q (0..1); 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	pct := min(max(q, 0), 1) * 100
	var v int64
	if h.p != nil {
		v = h.p.ValueAtPercentile(pct)
	} else {
		v = h.d.ValueAtPercentile(pct)
	}
	return time.Duration(v) * time.Microsecond
}

// Max returns the largest recorded latency (to the histogram's precision).
func (h *Histogram) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	if h.p != nil {
		return time.Duration(h.p.Max()) * time.Microsecond
	}
	return time.Duration(h.d.Max()) * time.Microsecond
}

// Count returns how many latencies were recorded.
func (h *Histogram) Count() int64 {
	switch {
	case h == nil:
		return 0
	case h.p != nil:
		return h.p.TotalCount()
	case h.d != nil:
		return h.d.TotalCount()
	}
	return 0
}

// Reset empties the histogram, keeping its memory.
func (h *Histogram) Reset() {
	switch {
	case h.p != nil:
		h.p.Reset()
	case h.d != nil:
		h.d.Reset()
	}
}

// MarshalJSON encodes the histogram as a JSON string holding HdrHistogram's
// compressed base64 (V2) encoding.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	if h == nil {
		return []byte("null"), nil
	}
	var b []byte
	var err error
	switch {
	case h.p != nil:
		b, err = h.p.Encode()
	case h.d != nil:
		b, err = h.d.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	default:
		b, err = newSparse().p.Encode()
	}
	if err != nil {
		return nil, fmt.Errorf("encode histogram: %w", err)
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes what MarshalJSON wrote, into the sparse form.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	if s == "" {
		*h = Histogram{}
		return nil
	}
	p, err := hdrhistogram.DecodePacked([]byte(s))
	if err != nil {
		return fmt.Errorf("decode histogram: %w", err)
	}
	*h = Histogram{p: p}
	return nil
}
