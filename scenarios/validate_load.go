package scenarios

import (
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/faultline/faultline/scenarios/traffic"
)

// httpMethods are the methods a target may use.
var httpMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
}

// load checks the load section (rate and duration, or stages; the
// client's timeout, workers and connections) and applies its defaults.
func (v *validator) load() {
	l := &v.s.Load
	if !v.has("load") {
		v.report("load", "missing load: give rate and duration, or stages, and targets")
		return
	}
	peak, peakPath := v.pace()
	v.targets()
	if v.bursts() {
		peak, peakPath = v.burstPeak(peak, peakPath)
	}
	if peak > MaxRate {
		v.report(peakPath, "peak rate %s/s is above %d/s, the most the harness drives on 2 cores",
			strconv.FormatFloat(peak, 'f', -1, 64), MaxRate)
	}
	if !v.has("load.timeout") {
		l.Timeout = traffic.DefaultTimeout
	} else if l.Timeout <= 0 {
		v.report("load.timeout", "negative or zero timeout %s", l.Timeout)
	} else if l.Timeout > MaxTimeout {
		v.report("load.timeout", "timeout %s is above %s", l.Timeout, MaxTimeout)
	}
	if w := v.s.Window; w >= MinWindow && v.total > 0 && v.total/w > MaxWindows {
		v.report("window", "window %s cuts the %s load into %d windows, more than %d: use a longer window",
			w, v.total, v.total/w, MaxWindows)
	}
	v.client(peak)
}

// pace checks the load's rate and duration, or its stages, and sets
// v.total when they are valid. It returns the peak rate (per second) and
// the path it is written at.
func (v *validator) pace() (peak float64, peakPath string) {
	l := &v.s.Load
	hasRate, hasDuration, hasStages := v.has("load.rate"), v.has("load.duration"), v.has("load.stages")
	switch {
	case hasStages && (hasRate || hasDuration):
		v.report("load.stages", "give either rate and duration, or stages, not both")
	case hasStages:
		return v.stages()
	default:
		switch {
		case !hasRate:
			v.report("load.rate", "missing rate (like \"100/s\"), or give stages")
		case l.Rate.Freq <= 0:
			v.report("load.rate", "rate %s: must be above 0", l.Rate)
		default:
			peak, peakPath = l.Rate.PerSecond(), "load.rate"
		}
		if v.positive("load.duration", l.Duration, "60s") {
			v.total = l.Duration
		}
	}
	return peak, peakPath
}

// stages checks a staged load, as pace does.
func (v *validator) stages() (peak float64, peakPath string) {
	l := &v.s.Load
	if len(l.Stages) == 0 {
		v.report("load.stages", "at least one stage is required")
	}
	ok := len(l.Stages) > 0
	for i, st := range l.Stages {
		p := indexPath("load.stages", i)
		if !v.positive(p+".duration", st.Duration, "30s") {
			ok = false
		}
		switch {
		case !v.has(p+".rate") && !st.Ramp:
			v.report(p+".rate", "missing rate (like \"100/s\")")
			ok = false
		case st.Rate.Freq <= 0 && !st.Ramp:
			v.report(p+".rate", "rate %s: a stage without ramp needs a rate above 0", st.Rate)
			ok = false
		}
		if r := st.Rate.PerSecond(); r > peak {
			peak, peakPath = r, p+".rate"
		}
	}
	if !ok {
		return peak, peakPath
	}
	if total := v.s.Total(); total > MaxLoadDuration {
		v.report("load.stages", "stages last %s, longer than %s", total, MaxLoadDuration)
	} else {
		v.total = total
	}
	return peak, peakPath
}

// client checks the client's workers and connections against what the
// peak rate needs, and applies their defaults.
func (v *validator) client(peak float64) {
	l := &v.s.Load
	// An open-model load needs a worker and a connection for every request
	// in flight: up to peak rate x timeout when the topology is slow. Fewer
	// would let a slow topology throttle the load (coordinated omission) and
	// hide the very cascade a scenario exists to show.
	need := uint64(math.Ceil(peak * l.Timeout.Seconds()))
	switch {
	case !v.has("load.workers"):
		l.Workers = min(max(traffic.DefaultWorkers, need), MaxWorkers)
	case l.Workers == 0:
		v.report("load.workers", "must be above 0, got 0")
	case l.Workers > MaxWorkers:
		v.report("load.workers", "%d workers is above the limit of %d (the harness runs on 2 cores)", l.Workers, MaxWorkers)
	case l.Workers < need && l.Timeout > 0:
		v.report("load.workers", "%d workers cannot keep %s/s going while requests take up to the %s timeout: need at least %d, or a slow topology throttles the load",
			l.Workers, strconv.FormatFloat(peak, 'f', -1, 64), l.Timeout, need)
	}
	switch {
	case !v.has("load.connections"):
		l.Connections = min(max(traffic.DefaultConnections, int(need)), MaxConnections)
	case l.Connections <= 0:
		v.report("load.connections", "must be above 0, got %d", l.Connections)
	case l.Connections > MaxConnections:
		v.report("load.connections", "%d connections is above the limit of %d (the harness runs on 2 cores)", l.Connections, MaxConnections)
	case l.Connections < int(need) && l.Timeout > 0:
		v.report("load.connections", "%d connections cannot keep %s/s going while requests take up to the %s timeout: need at least %d, or a slow topology throttles the load",
			l.Connections, strconv.FormatFloat(peak, 'f', -1, 64), l.Timeout, need)
	}
}

// targets checks the load's targets and applies their defaults.
func (v *validator) targets() {
	l := &v.s.Load
	if len(l.Targets) == 0 {
		v.report("load.targets", "at least one target is required")
		return
	}
	seen := make(map[string]namedTarget)
	routes := make(map[string]string) // "METHOD path" -> target path
	for i := range l.Targets {
		t := &l.Targets[i]
		p := indexPath("load.targets", i)
		templated := v.template(p, t)
		switch {
		case templated: // checked by template
		case t.Path == "":
			v.report(p+".path", "missing path (like \"/checkout\")")
		case !strings.HasPrefix(t.Path, "/"):
			v.report(p+".path", "path %q must start with \"/\"", t.Path)
		case strings.HasPrefix(t.Path, "//") || strings.Contains(t.Path, "\\"):
			v.report(p+".path", "path %q would be read as another host's (scheme-relative or with a backslash): give a path on the target like \"/checkout\"", t.Path)
		case isReservedPath(t.Path):
			v.report(p+".path", "path %q is reserved for faultline's control endpoints", t.Path)
		default:
			if _, err := url.ParseRequestURI(t.Path); err != nil || strings.ContainsAny(t.Path, " \t\r\n") {
				v.report(p+".path", "invalid path %q", t.Path)
			}
		}
		for _, name := range sortedHeaderNames(t.Headers) {
			if !validHeaderName(name) {
				v.report(p+".headers."+name, "invalid header name %q", name)
			} else if !templated && strings.ContainsAny(t.Headers[name], "\r\n\x00") {
				v.report(p+".headers."+name, "header value may not contain line breaks or NUL")
			}
		}
		if !v.has(p + ".method") {
			t.Method = http.MethodGet
		} else if m := strings.ToUpper(strings.TrimSpace(t.Method)); slices.Contains(httpMethods, m) {
			t.Method = m
		} else {
			v.report(p+".method", "unknown HTTP method %q (known: %s)", t.Method, strings.Join(httpMethods, ", "))
		}
		if !v.has(p + ".weight") {
			t.Weight = 1
		} else if t.Weight < 0 {
			v.report(p+".weight", "must be 0 (sent only by its bursts) or above, got %d", t.Weight)
		}
		if !v.has(p + ".name") {
			t.Name = t.Method + " " + t.Path
		} else if t.Name == "" {
			v.report(p+".name", "empty name")
		}
		// Targets sharing a name are one route in reports (the users of
		// one route, each with its own key, say), so they share a method.
		if other, dup := seen[t.Name]; dup && t.Name != "" && other.method != t.Method {
			v.report(p+".name", "target name %q is also %s's, with method %s: one route has one method", t.Name, other.path, other.method)
		} else if !dup {
			seen[t.Name] = namedTarget{p, t.Method}
		}
		// Results carry only method and URL: two routes on the same pair
		// could not be told apart.
		route := t.Method + " " + t.Path
		if other, dup := routes[route]; dup {
			v.report(p+".path", "%s is also %s: results could not be told apart; give them different paths", route, other)
		} else {
			routes[route] = p
		}
	}
}

// validHeaderName reports whether name is an HTTP header field name (an
// RFC 9110 token).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}

func sortedHeaderNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// namedTarget is where a route's name was first given, and its method.
type namedTarget struct{ path, method string }

// isReservedPath reports whether path (its query aside) is one of
// faultline's control endpoints: a target there would reach the fault API
// or the metrics instead of the service under test.
// The path is decoded and cleaned first, as the services' mux would.
func isReservedPath(p string) bool {
	if u, err := url.Parse(p); err == nil {
		p = u.Path
	}
	p = path.Clean(p)
	return p == "/_faultline" || strings.HasPrefix(p, "/_faultline/") || p == "/metrics"
}
