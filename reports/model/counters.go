package model

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CounterPart is how much one sampled counter series (one service, one
// label set) grew over a run.
type CounterPart struct {
	Service  string            `json:"service"`
	Labels   map[string]string `json:"labels,omitempty"`
	Increase float64           `json:"increase"`
}

// Key names the part as reports show it: `service {a="x",b="y"}`.
func (p CounterPart) Key() string {
	if len(p.Labels) == 0 {
		return p.Service
	}
	var b strings.Builder
	b.WriteString(p.Service + " {")
	for i, k := range slices.Sorted(maps.Keys(p.Labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + strconv.Quote(p.Labels[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// Counter returns how much the sampled counter called name grew over the
// variant's run: in total, and per series (service and label set, ordered by
// Key). ok is false when no series of that name was sampled.
//
// Resets are undone as Prometheus does (a decrease means the counter
// restarted from 0, as a restarted service's do), and a series first seen
// after its service's first sample counts from 0 (client libraries create a
// label set on its first increment). Growth while a service could not be
// scraped is counted once it can again; what a killed service counted after
// its last scrape is lost with it.
func (v *Variant) Counter(name string) (total float64, parts []CounterPart, ok bool) {
	first := map[string]time.Duration{} // service → its first sample
	for _, s := range v.Series {
		for _, p := range s.Points {
			if t, seen := first[s.Service]; !seen || p.T < t {
				first[s.Service] = p.T
			}
		}
	}
	for _, s := range v.Series {
		if s.Name != name {
			continue
		}
		inc, sampled := seriesIncrease(s.FinitePoints(), first[s.Service])
		if !sampled {
			continue
		}
		ok = true
		total += inc
		parts = append(parts, CounterPart{Service: s.Service, Labels: s.Labels, Increase: inc})
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Key() < parts[j].Key() })
	return total, parts, ok
}

// seriesIncrease is how much a counter grew over its finite samples pts,
// in time order, resets undone; a series born after first counts from 0.
// sampled is false when there is no sample.
func seriesIncrease(pts []Point, first time.Duration) (inc float64, sampled bool) {
	if len(pts) == 0 {
		return 0, false
	}
	if pts[0].T > first {
		inc = math.Max(0, pts[0].V)
	}
	for i := 1; i < len(pts); i++ {
		if d := pts[i].V - pts[i-1].V; d >= 0 {
			inc += d
		} else {
			inc += math.Max(0, pts[i].V) // a reset: it restarted from 0
		}
	}
	return inc, true
}

// counter is the sum of a service's counter series, with resets undone.
type counter struct {
	series [][]Point // reset-adjusted, ordered by T
}

// newCounter collects the series called name of service; nil when none.
// A series first seen after the service's first sample is assumed to have
// been 0 at the sample before (client libraries create a label set on its
// first increment), so its first requests are not lost.
func newCounter(all []Series, service, name string) *counter {
	var scrapes []time.Duration
	for _, s := range all {
		if s.Service != service {
			continue
		}
		for _, p := range s.Points {
			scrapes = append(scrapes, p.T)
		}
	}
	slices.Sort(scrapes)
	c := &counter{}
	for _, s := range all {
		if s.Service != service || s.Name != name || len(s.Points) == 0 {
			continue
		}
		pts := s.FinitePoints()
		if len(pts) == 0 {
			continue
		}
		if i, _ := slices.BinarySearch(scrapes, pts[0].T); i > 0 {
			pts = append([]Point{{T: scrapes[i-1]}}, pts...)
		}
		var offset float64
		adj := make([]Point, len(pts))
		for i, p := range pts {
			if i > 0 && p.V < pts[i-1].V {
				offset += pts[i-1].V // a reset: the counter restarted from 0
			}
			adj[i] = Point{T: p.T, V: p.V + offset}
		}
		c.series = append(c.series, adj)
	}
	if len(c.series) == 0 {
		return nil
	}
	return c
}

// at is the counter's value at t, interpolated linearly between samples.
// Outside the samples it is extrapolated from the nearest interval for at
// most that interval's length (as Prometheus' increase does), then held;
// never below 0.
func (c *counter) at(t time.Duration) float64 {
	var sum float64
	for _, pts := range c.series {
		n := len(pts)
		i := sort.Search(n, func(i int) bool { return pts[i].T >= t })
		switch {
		case n == 1:
			sum += pts[0].V
		case i == 0:
			a, b := pts[0], pts[1]
			dt := min(a.T-t, b.T-a.T)
			sum += math.Max(0, a.V-slope(a, b)*dt.Seconds())
		case i == n:
			a, b := pts[n-2], pts[n-1]
			dt := min(t-b.T, b.T-a.T)
			sum += b.V + slope(a, b)*dt.Seconds()
		default:
			a, b := pts[i-1], pts[i]
			f := float64(t-a.T) / float64(b.T-a.T)
			sum += a.V + f*(b.V-a.V)
		}
	}
	return sum
}

func slope(a, b Point) float64 {
	if b.T <= a.T {
		return 0
	}
	return (b.V - a.V) / (b.T - a.T).Seconds()
}

// covers reports whether [from, to) lies within the samples, or within one
// sampling interval of them, so its increase is not cut short. (A series
// starting later was 0 before: its label set did not exist yet.)
func (c *counter) covers(from, to time.Duration) bool {
	first, last := time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
	for _, pts := range c.series {
		n := len(pts)
		lo, hi := pts[0].T, pts[n-1].T
		if n > 1 {
			lo -= pts[1].T - pts[0].T
			hi += pts[n-1].T - pts[n-2].T
		}
		first, last = min(first, lo), max(last, hi)
	}
	return first <= from && last >= to
}

// increase is how much the counter grew over [from, to).
func (c *counter) increase(from, to time.Duration) float64 {
	return math.Max(0, c.at(to)-c.at(from))
}
