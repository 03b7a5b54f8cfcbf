// Package guard keeps faultline's control surfaces — the Toxiproxy API
// and each service's fault API and metrics — to faultline and the engineer
// at the machine. Every request must name a loopback Host (a DNS-rebinding
// page names its own) and carry no foreign Origin (a browser sends one on
// every cross-site request); the Toxiproxy API also refuses a proxy that
// would listen or forward where the testbed did not say.
//
// It imports nothing of faultline.
package guard

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// LocalRequest reports why r is not from this machine's own tools, or ""
// when it is: its Host must be loopback (localhost, 127.0.0.0/8, ::1) and
// its Origin, when present, too.
func LocalRequest(r *http.Request) string {
	if !loopbackHost(r.Host) {
		return "Host " + quote(r.Host) + " is not a loopback address"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !loopbackHost(u.Host) {
			return "foreign Origin " + quote(o)
		}
	}
	return ""
}

// Local refuses, with 403 Forbidden, every request LocalRequest refuses.
func Local(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := LocalRequest(r); why != "" {
			http.Error(w, "faultline: refused: "+why, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether hostport names this machine by a loopback
// name or address.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s), "?")
}
