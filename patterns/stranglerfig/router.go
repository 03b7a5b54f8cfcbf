package stranglerfig

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"

	"github.com/faultline/faultline/faults/actions/control"
)

// route is one route of the facade and the share of its users sent to
// modern.
type route struct {
	name string

	mu         sync.Mutex
	percent    int
	rolledBack bool // latched: shifts no longer move the route
}

// router holds the facade's routes; its control handler is what timeline
// shifts reach.
type router struct {
	bigBang bool
	routes  map[string]*route
	m       *metrics
}

func newRouter(bigBang bool) *router {
	rt := &router{bigBang: bigBang, routes: map[string]*route{}}
	for _, name := range routes {
		rt.routes[name] = &route{name: name}
	}
	return rt
}

// match returns the route of a path: its first segment ("/catalog/items/1"
// is catalog), or nil.
func (rt *router) match(path string) *route {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return rt.routes[first]
}

// bucket places a user of a route in [0, 100): a user in a bucket below
// the route's percent goes to modern, so one user keeps one backend while
// the percent stays, and a user moved at 10% stays moved at 40%.
func bucket(route, user string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(route))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(user))
	return int(h.Sum32() % 100)
}

// toModern says whether the user (its key; "" when the request has none)
// is sent to modern.
func (r *route) toModern(user string) bool {
	r.mu.Lock()
	p := r.percent
	r.mu.Unlock()
	return user != "" && bucket(r.name, user) < p
}

func (r *route) state() control.Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	return control.Route{Percent: r.percent, RolledBack: r.rolledBack}
}

// shift sets a route's percent (all or nothing in big-bang mode); a
// rolled-back route stays where it is. It returns the route's state.
func (rt *router) shift(r *route, percent int) control.Route {
	if rt.bigBang && percent > 0 {
		percent = 100
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rolledBack {
		rt.m.ignored.Inc()
	} else {
		r.percent = percent
		rt.m.percent.WithLabelValues(r.name).Set(float64(percent))
	}
	return control.Route{Percent: r.percent, RolledBack: r.rolledBack}
}

// rollBack sends every user of the route back to legacy, for good.
func (rt *router) rollBack(r *route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rolledBack {
		return
	}
	r.percent, r.rolledBack = 0, true
	rt.m.percent.WithLabelValues(r.name).Set(0)
	rt.m.rollbacks.WithLabelValues(r.name).Inc()
}

// state is the migration's state, as StateMetric reports it.
func (rt *router) state() float64 {
	s := stateLegacy
	for _, r := range rt.routes {
		switch st := r.state(); {
		case st.RolledBack:
			s = stateRolledBack
		case st.Percent > 0 && st.Percent < 100:
			s = max(s, stateMigrating)
		case st.Percent == 100 && s == stateLegacy:
			s = stateMigrated
		}
	}
	return float64(s)
}

// control serves the routes' control API (actions/control).
func (rt *router) control() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+control.RoutesPath, func(w http.ResponseWriter, _ *http.Request) {
		out := map[string]control.Route{}
		for name, r := range rt.routes {
			out[name] = r.state()
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("PUT "+control.RoutesPath+"/{route}", func(w http.ResponseWriter, req *http.Request) {
		r := rt.routes[req.PathValue("route")]
		if r == nil {
			http.Error(w, "unknown route (known: "+strings.Join(routes, ", ")+")", http.StatusNotFound)
			return
		}
		var in control.Route
		dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<12))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || in.Percent < 0 || in.Percent > 100 {
			http.Error(w, "want {\"percent\": 0..100}", http.StatusBadRequest)
			return
		}
		writeJSON(w, rt.shift(r, in.Percent))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
