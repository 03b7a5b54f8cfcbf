package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"path/filepath"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// LeaderMetric is the gauge each store serves: 1 while it leads the
// stream's group (a lone store always does), else 0.
const LeaderMetric = "faultline_eventstore_leader"

// Service returns the builder of an event store service: a Store on the
// service's data directory (the testbed keeps it across restarts) served by
// Handler. pick chooses the store's options from the pattern's
// configuration (Memory for a durability baseline). When the testbed runs
// the service as a node of a cluster (env.Node), the store is that node,
// and it says on its control face (patterns.ClusterPath) whether it leads.
func Service[C any](pick func(c *C) Options) patterns.Builder[C] {
	return func(ctx context.Context, c *C, env patterns.Env) (http.Handler, func(), error) {
		o := pick(c)
		if !o.Memory {
			if env.DataDir == "" {
				return nil, nil, errors.New("eventstore: the testbed gave the service no data directory")
			}
			o.Dir = filepath.Join(env.DataDir, "jetstream")
		}
		if n := env.Node; n != nil {
			o.Cluster = &Cluster{Node: n.Name, Listen: n.Listen, Advertise: n.Advertise, Secret: n.Secret}
			for _, name := range slices.Sorted(maps.Keys(n.Peers)) {
				o.Cluster.Routes = append(o.Cluster.Routes, n.Peers[name])
			}
		}
		s, err := Open(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		if env.Registry != nil {
			leader := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: LeaderMetric,
				Help: "1 while this store leads the events stream's group.",
			}, func() float64 {
				if s.Leader() {
					return 1
				}
				return 0
			})
			if err := env.Registry.Register(leader); err != nil {
				s.Close()
				return nil, nil, err
			}
		}
		name := "eventstore"
		if env.Node != nil {
			name = env.Node.Name
		}
		ctl := http.NewServeMux()
		ctl.HandleFunc("GET "+patterns.ClusterPath, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(patterns.ClusterStatus{Node: name, Leader: s.Leader()})
		})
		return service.WithControl(Handler(s), ctl), s.Close, nil
	}
}
