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
// seed: the sequence of picks is the same for the same seed. It is safe for
// concurrent use and does not allocate. Targets share their Header and Body
// with the requests, which vegeta only reads.
func NewTargeter(targets []Target, seed int64) (vegeta.Targeter, error) {
	ts, err := normalize(targets)
	if err != nil {
		return nil, err
	}
	cum := make([]uint64, len(ts)) // cumulative weights
	var total uint64
	for i, t := range ts {
		total += uint64(t.Weight)
		cum[i] = total
	}

	var (
		mu  sync.Mutex
		rng = rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
		seq atomic.Uint64 // requests of templated targets, for their ids
	)
	return func(tgt *vegeta.Target) error {
		if tgt == nil {
			return vegeta.ErrNilTarget
		}
		i := 0
		if len(ts) > 1 {
			mu.Lock()
			x := rng.Uint64N(total)
			mu.Unlock()
			for cum[i] <= x {
				i++
			}
		}
		t := &ts[i]
		tgt.Method, tgt.URL, tgt.Body, tgt.Header = t.Method, t.URL, t.Body, t.Header
		if t.Template != nil {
			return render(tgt, t, seq.Add(1)-1, seed)
		}
		return nil
	}, nil
}

// normalize checks targets and returns a copy with defaults applied: method
// GET, name "METHOD URL", weight 1.
func normalize(targets []Target) ([]Target, error) {
	if len(targets) == 0 {
		return nil, errors.New("load: no targets")
	}
	ts := make([]Target, len(targets))
	seen := make(map[routeKey]string, len(targets))
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
		ts[i] = t
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
