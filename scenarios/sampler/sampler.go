// Package sampler scrapes every service's Prometheus /metrics on an
// interval, so service counters and pattern state (a breaker's state gauge,
// a pool's in-use gauge) become time series (model.Series) a report can
// plot next to the client's results.
//
// Of faultline it imports only reports/model, the report's data, and not
// the renderers in reports, which link the plotting library.
//
// It must not import scenarios, patterns, faults, testbeds, cmd or gonum.org/v1/plot.
package sampler

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"

	"github.com/faultline/faultline/reports/model"
)

// DefaultEvery is the scrape interval when none is given.
const DefaultEvery = 250 * time.Millisecond

// maxBody bounds what one scrape reads.
const maxBody = 16 << 20

// Failure counts the failed scrapes of one service (killed, hung, bad
// answer) and keeps the last error.
type Failure struct {
	Count int
	Last  string
}

// Sampler scrapes a set of services. Create it with New, call Run once,
// read Series and Failures at any time (typically after Run returns).
type Sampler struct {
	targets map[string]string // service → metrics URL
	every   time.Duration
	start   time.Time
	filter  func(name string) bool
	client  *http.Client

	mu       sync.Mutex
	series   map[string]*model.Series // by seriesKey
	failures map[string]Failure
}

// New returns a Sampler that scrapes targets (service → metrics URL) every
// every (default 250ms). Point times are offsets from start (zero: when Run
// starts; a scrape before start has a negative offset). filter, when not
// nil, keeps only the metric families whose name it accepts. Only counters
// and gauges (and untyped metrics, as gauges) are kept.
func New(targets map[string]string, every time.Duration, start time.Time, filter func(name string) bool) (*Sampler, error) {
	for service, u := range targets {
		if _, err := url.ParseRequestURI(u); err != nil {
			return nil, fmt.Errorf("sampler: service %s: %w", service, err)
		}
	}
	if every <= 0 {
		every = DefaultEvery
	}
	return &Sampler{
		targets: maps.Clone(targets),
		every:   every,
		start:   start,
		filter:  filter,
		client: &http.Client{
			// Bounded so a hung service cannot stall its series for long.
			Timeout: max(every, time.Second),
			Transport: &http.Transport{
				MaxIdleConnsPerHost: 2,
				DisableCompression:  true,
				IdleConnTimeout:     30 * time.Second,
			},
		},
		series:   make(map[string]*model.Series),
		failures: make(map[string]Failure),
	}, nil
}

// Run scrapes every service at once, then every interval, until ctx is
// cancelled; then it returns nil. A failed scrape is not an error: that
// point is missing and the failure is counted (see Failures).
func (s *Sampler) Run(ctx context.Context) error {
	if s.start.IsZero() {
		s.start = time.Now()
	}
	defer s.client.CloseIdleConnections()
	var wg sync.WaitGroup
	for service, u := range s.targets {
		wg.Go(func() { s.loop(ctx, service, u) })
	}
	wg.Wait()
	return nil
}

// loop scrapes one service until ctx is cancelled.
func (s *Sampler) loop(ctx context.Context, service, u string) {
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	parser := expfmt.NewTextParser(prommodel.UTF8Validation)
	for {
		at := time.Now()
		if err := s.scrape(ctx, &parser, service, u, at.Sub(s.start)); err != nil && ctx.Err() == nil {
			s.mu.Lock()
			f := s.failures[service]
			f.Count++
			f.Last = err.Error()
			s.failures[service] = f
			s.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// scrape fetches and records one sample of service at offset t.
func (s *Sampler) scrape(ctx context.Context, parser *expfmt.TextParser, service, u string, t time.Duration) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "faultline")
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return fmt.Errorf("scrape %s: %s", u, resp.Status)
	}
	families, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("scrape %s: %w", u, err)
	}
	s.record(service, t, families)
	return nil
}

// record appends one point to each series of families.
func (s *Sampler) record(service string, t time.Duration, families map[string]*dto.MetricFamily) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var key strings.Builder
	for name, mf := range families {
		if s.filter != nil && !s.filter(name) {
			continue
		}
		counter := mf.GetType() == dto.MetricType_COUNTER
		for _, m := range mf.GetMetric() {
			var v float64
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				v = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				v = m.GetGauge().GetValue()
			case dto.MetricType_UNTYPED:
				v = m.GetUntyped().GetValue()
			default:
				continue // histograms and summaries are not sampled
			}
			labels := m.GetLabel()
			sort.Slice(labels, func(i, j int) bool { return labels[i].GetName() < labels[j].GetName() })
			key.Reset()
			key.WriteString(service)
			key.WriteByte(0)
			key.WriteString(name)
			for _, l := range labels {
				key.WriteByte(0)
				key.WriteString(l.GetName())
				key.WriteByte('=')
				key.WriteString(l.GetValue())
			}
			sr, ok := s.series[key.String()]
			if !ok {
				sr = &model.Series{Service: service, Name: name, Counter: counter}
				if len(labels) > 0 {
					sr.Labels = make(map[string]string, len(labels))
					for _, l := range labels {
						sr.Labels[l.GetName()] = l.GetValue()
					}
				}
				s.series[key.String()] = sr
			}
			sr.Append(model.Point{T: t, V: v}) // thinned past model.MaxPoints
		}
	}
}

// Series returns a copy of the series sampled so far, ordered by service,
// name and labels.
func (s *Sampler) Series() []model.Series {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := slices.Sorted(maps.Keys(s.series)) // service, name, labels: NUL-separated
	out := make([]model.Series, 0, len(keys))
	for _, k := range keys {
		sr := *s.series[k]
		sr.Labels = maps.Clone(sr.Labels)
		sr.Points = slices.Clone(sr.Points)
		out = append(out, sr)
	}
	return out
}

// Failures returns the failed scrapes so far, by service.
func (s *Sampler) Failures() map[string]Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.failures)
}

// Run samples targets until ctx is cancelled and returns the series; see
// New for the parameters.
func Run(ctx context.Context, targets map[string]string, every time.Duration, start time.Time, filter func(name string) bool) ([]model.Series, error) {
	s, err := New(targets, every, start, filter)
	if err != nil {
		return nil, err
	}
	if err := s.Run(ctx); err != nil {
		return nil, err
	}
	return s.Series(), nil
}
