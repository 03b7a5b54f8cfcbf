package traffic

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// NewTargeter returns a Targeter that picks among targets at random in
// proportion to their weights (0 counts as 1), from a source seeded with
// seed: the sequence of picks is the same for the same seed. Targets with
// BurstOnly are never picked (only a plan's bursts send them). It is safe
// for concurrent use and does not allocate. Targets share their Header and
// Body with the requests, which vegeta only reads.
func NewTargeter(targets []Target, seed int64) (vegeta.Targeter, error) {
	ts, err := normalize(targets)
	if err != nil {
		return nil, err
	}
	steady := newPicker(ts, func(t Target) bool { return !t.BurstOnly })
	var (
		mu  sync.Mutex
		rng = newRand(seed)
		seq atomic.Uint64 // requests of templated targets, for their ids
	)
	return func(tgt *vegeta.Target) error {
		if tgt == nil {
			return vegeta.ErrNilTarget
		}
		mu.Lock()
		t := steady.pick(rng)
		mu.Unlock()
		tgt.Method, tgt.URL, tgt.Body, tgt.Header = t.Method, t.URL, t.Body, t.Header
		if t.Template != nil {
			return render(tgt, t, seq.Add(1)-1, seed)
		}
		return nil
	}, nil
}

// newBurstTargeter is NewTargeter for a plan with bursts: it takes the
// calls as the plan's hits in order, and picks for each at its intended
// send time (pacer's schedule of the plan with its bursts) the steady load
// or a burst, in proportion to their rates then, and a target of the one
// picked by weight. So each route gets the hits the plan gives it.
func newBurstTargeter(p Plan, pacer *stagePacer) (vegeta.Targeter, error) {
	ts, err := normalize(p.Targets)
	if err != nil {
		return nil, err
	}
	steady := newPicker(ts, func(t Target) bool { return !t.BurstOnly })
	pickers := make([]picker, len(p.Bursts))
	for i, b := range p.Bursts {
		pickers[i] = newPicker(ts, func(t Target) bool { return t.Name == b.Route })
	}
	stages := NewPacer(p.Stages).(*stagePacer)
	var (
		hits atomic.Uint64
		seq  atomic.Uint64 // requests of templated targets, for their ids
		mu   sync.Mutex
		rng  = newRand(p.Seed)
	)
	return func(tgt *vegeta.Target) error {
		if tgt == nil {
			return vegeta.ErrNilTarget
		}
		at := pacer.at(float64(hits.Add(1) - 1))
		mu.Lock()
		from := &steady
		x := rng.Float64() * pacer.Rate(at)
		if x >= stages.Rate(at) {
			x -= stages.Rate(at)
			for i, b := range p.Bursts {
				if b.active(at) {
					if from = &pickers[i]; x < b.Rate {
						break
					}
					x -= b.Rate
				}
			}
		}
		t := from.pick(rng)
		mu.Unlock()
		tgt.Method, tgt.URL, tgt.Body, tgt.Header = t.Method, t.URL, t.Body, t.Header
		if t.Template != nil {
			return render(tgt, t, seq.Add(1)-1, p.Seed)
		}
		return nil
	}, nil
}

// picker picks among some targets in proportion to their weights.
type picker struct {
	ts    []*Target
	cum   []uint64 // cumulative weights
	total uint64
}

// newPicker picks among the targets of ts that keep returns true for.
func newPicker(ts []Target, keep func(Target) bool) picker {
	var p picker
	for i := range ts {
		if keep(ts[i]) {
			p.total += uint64(ts[i].Weight)
			p.ts, p.cum = append(p.ts, &ts[i]), append(p.cum, p.total)
		}
	}
	return p
}

// pick returns a target; the caller serializes its use of rng.
func (p *picker) pick(rng *rand.Rand) *Target {
	i := 0
	if len(p.ts) > 1 {
		x := rng.Uint64N(p.total)
		for p.cum[i] <= x {
			i++
		}
	}
	return p.ts[i]
}

func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}

// normalize checks targets and returns a copy with defaults applied: method
// GET, name "METHOD URL", weight 1.
func normalize(targets []Target) ([]Target, error) {
	if len(targets) == 0 {
		return nil, errors.New("load: no targets")
	}
	ts := make([]Target, len(targets))
	seen := make(map[routeKey]string, len(targets))
	steady := false
	for i, t := range targets {
		if t.URL == "" {
			return nil, fmt.Errorf("load: target %d (%q) has no URL", i, t.Name)
		}
		if t.Weight < 0 {
			return nil, fmt.Errorf("load: target %q has a negative weight %d", t.Name, t.Weight)
		}
		if t.Method == "" {
			t.Method = http.MethodGet
		}
		if t.Name == "" {
			t.Name = t.Method + " " + t.URL
		}
		if t.Weight == 0 {
			t.Weight = 1
		}
		k := routeKey{t.Method, t.URL}
		if other, ok := seen[k]; ok && other != t.Name {
			// Results carry only method and URL: they could not be told apart.
			return nil, fmt.Errorf("load: targets %q and %q have the same method and URL", other, t.Name)
		}
		seen[k] = t.Name
		steady = steady || !t.BurstOnly
		ts[i] = t
	}
	if !steady {
		return nil, errors.New("load: every target is burst-only: the steady load needs one")
	}
	return ts, nil
}

// render fills tgt with request n of a templated target: its URL, its
// headers over the target's own, and its body.
func render(tgt *vegeta.Target, t *Target, n uint64, seed int64) error {
	url, h, body, err := t.Template.Render(n, seed)
	if err != nil {
		return fmt.Errorf("load: target %q: %w", t.Name, err)
	}
	for k, v := range t.Header {
		if _, ok := h[k]; !ok {
			h[k] = v
		}
	}
	tgt.URL, tgt.Header, tgt.Body = url, h, body
	return nil
}
