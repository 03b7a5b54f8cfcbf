package stranglerfig

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/dependency"
	"github.com/faultline/faultline/patterns/kit/service"
)

// answer is what legacy and modern both answer: fields that follow from
// the request (the same on both, when modern is right) and two that differ
// by nature on every answer, the noise a comparison must cancel.
type answer struct {
	Route    string `json:"route"`
	Item     string `json:"item"`
	Name     string `json:"name"`
	Price    int    `json:"price"` // cents
	Stock    int    `json:"stock"`
	ServedAt int64  `json:"served_at"` // noise: Unix nanoseconds
	TraceID  string `json:"trace_id"`  // noise: unique per answer
}

// backendService builds legacy or modern: a dependency's service time and
// capacity, answering JSON that follows from the path.
func backendService(name string, pick func(c *Config) dependency.Config, seedOffset int64) patterns.Builder[Config] {
	return func(_ context.Context, c *Config, env patterns.Env) (http.Handler, func(), error) {
		cfg := pick(c)
		sampler := dependency.NewSampler(cfg.Latency, env.Seed+seedOffset)
		var traces atomic.Int64
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := clock.Sleep(r.Context(), sampler.Next()); err != nil {
				return // the caller gave up
			}
			a := answerFor(r.URL.Path)
			a.ServedAt = time.Now().UnixNano()
			a.TraceID = name + "-" + strconv.FormatInt(traces.Add(1), 36)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(a)
		})
		return service.NewLimiter(cfg.Capacity, name, env.Registry).Wrap(h), nil, nil
	}
}

// answerFor is the answer's stable part for a path ("/catalog/items/17").
func answerFor(path string) answer {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	item := parts[len(parts)-1]
	h := fnv.New32a()
	_, _ = h.Write([]byte(path))
	sum := h.Sum32()
	return answer{Route: parts[0], Item: item, Name: "item-" + item, Price: 100 + int(sum%9900), Stock: int(sum>>16) % 50}
}
