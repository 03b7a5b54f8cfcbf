package model

import (
	"maps"
	"time"
)

// Bounds on what a long run keeps in memory and in summary.json. Beyond
// them resolution gets coarser, uniformly over the run (the raw results
// file keeps every result).
const (
	// MaxWindowsPerRoute: past it, adjacent windows are merged two by two,
	// doubling the window (1s windows: from 20 minutes of load on).
	MaxWindowsPerRoute = 1200
	// MaxPoints per sampled series: past it, every other point is
	// dropped and the series is sampled half as often (250ms scrapes:
	// from 20 minutes on).
	MaxPoints = 4800
)

// WindowLog collects a variant's windows as they close, merging them into
// coarser ones once there are more than MaxWindowsPerRoute per route, so
// memory and summary size stay flat however long the load runs.
type WindowLog struct {
	width  time.Duration // current window length
	routes int
	ws     []Window
	last   map[string]int // route → index of its latest window
}

// NewWindowLog returns an empty log of windows of the given length, over
// the given number of routes.
func NewWindowLog(window time.Duration, routes int) *WindowLog {
	return &WindowLog{width: window, routes: max(routes, 1), last: map[string]int{}}
}

// Add appends w (windows arrive in order of Start, then Route).
func (l *WindowLog) Add(w Window) {
	w.Start = w.Start / l.width * l.width
	if i, ok := l.last[w.Route]; ok && l.ws[i].Start == w.Start {
		l.ws[i] = merge(l.ws[i], w) // a coarse window still filling
	} else {
		l.last[w.Route] = len(l.ws)
		l.ws = append(l.ws, w)
	}
	if len(l.ws) > MaxWindowsPerRoute*l.routes {
		l.coarsen()
	}
}

// Windows returns the windows and their length (the run's window, unless
// the log coarsened them).
func (l *WindowLog) Windows() ([]Window, time.Duration) { return l.ws, l.width }

// coarsen doubles the window length, merging windows that now share a
// start.
func (l *WindowLog) coarsen() {
	l.width *= 2
	out := l.ws[:0]
	clear(l.last)
	for _, w := range l.ws {
		w.Start = w.Start / l.width * l.width
		if i, ok := l.last[w.Route]; ok && out[i].Start == w.Start {
			out[i] = merge(out[i], w)
			continue
		}
		l.last[w.Route] = len(out)
		out = append(out, w)
	}
	clear(l.ws[len(out):])
	l.ws = out
}

// merge adds window b of the same route into a.
func merge(a, b Window) Window {
	a.Count += b.Count
	a.Success += b.Success
	a.Degraded += b.Degraded
	a.Bytes += b.Bytes
	a.Planned += b.Planned
	if len(b.Errors) > 0 {
		if a.Errors == nil {
			a.Errors = map[string]int64{}
		} else {
			a.Errors = maps.Clone(a.Errors)
		}
		for k, n := range b.Errors {
			a.Errors[k] += n
		}
	}
	if a.Sent != nil || b.Sent != nil {
		s := newSparse()
		s.Merge(sentOr(a.Sent, a.Latency))
		s.Merge(sentOr(b.Sent, b.Latency))
		a.Sent = s
	}
	if b.Latency.Count() > 0 {
		h := newSparse()
		h.Merge(a.Latency)
		h.Merge(b.Latency)
		a.Latency = h
		a.P50, a.P90, a.P99, a.Max = h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.99), h.Max()
	}
	return a
}

// Append adds a sample to the series, keeping at most MaxPoints: past
// it, every other point is dropped and later samples are kept half as
// often, so the series stays evenly spaced.
func (s *Series) Append(p Point) {
	if n := len(s.Points); n > 0 && s.stride > 0 && p.T-s.Points[n-1].T < s.stride {
		return
	}
	s.Points = append(s.Points, p)
	if len(s.Points) <= MaxPoints {
		return
	}
	kept := s.Points[:0]
	for i := 0; i < len(s.Points); i += 2 {
		kept = append(kept, s.Points[i])
	}
	s.Points = kept
	// The new spacing, less a tenth for the scrapes' jitter.
	s.stride = (kept[len(kept)-1].T - kept[0].T) / time.Duration(len(kept)-1) * 9 / 10
}
