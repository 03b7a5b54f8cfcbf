package guard

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Addrs says where the Toxiproxy API may open proxies: Listen and Upstream
// report whether a proxy may listen on, or forward to, an address as
// written in the request ("127.0.0.1:0", "payments:8080").
type Addrs struct {
	Listen   func(addr string) bool
	Upstream func(addr string) bool
}

// maxBody bounds a request body the guard reads to check.
const maxBody = 1 << 20

// Toxiproxy guards Toxiproxy's API: Local's checks, JSON bodies only (a
// form or text/plain body is what a page posts cross-site without asking),
// and no proxy created, populated or changed to listen or forward outside
// addrs. toxiproxy-cli and faultline's own client pass.
func Toxiproxy(next http.Handler, addrs Addrs) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		why := LocalRequest(r)
		if why == "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
			why = checkBody(r, addrs)
		}
		if why != "" {
			http.Error(w, "faultline: refused: "+why, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkBody checks a write's content type and, for the routes that set a
// proxy's addresses, the addresses; it leaves r.Body to be read again.
func checkBody(r *http.Request, addrs Addrs) string {
	if r.ContentLength != 0 {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" {
			return "a Toxiproxy API write must be application/json"
		}
	}
	if !setsAddresses(r.URL.Path) || r.Body == nil {
		return ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return "unreadable or oversized body"
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	specs, ok := proxySpecs(body)
	if !ok {
		return "" // Toxiproxy answers 400 itself
	}
	for _, p := range specs {
		if p.Listen != "" && !addrs.Listen(p.Listen) {
			return "a proxy may not listen on " + quote(p.Listen)
		}
		if p.Upstream != "" && !addrs.Upstream(p.Upstream) {
			return "a proxy may not forward to " + quote(p.Upstream) + ": it is outside the topology"
		}
	}
	return ""
}

// setsAddresses reports whether path is a route whose body sets proxies'
// addresses: /proxies, /populate, /proxies/{name} (not its toxics).
func setsAddresses(path string) bool {
	path = strings.TrimSuffix(path, "/")
	rest, ok := strings.CutPrefix(path, "/proxies")
	return path == "/populate" || ok && (rest == "" || strings.Count(rest, "/") == 1)
}

type proxySpec struct {
	Listen   string `json:"listen"`
	Upstream string `json:"upstream"`
}

// proxySpecs decodes one proxy or a list of them (as /populate takes).
func proxySpecs(body []byte) ([]proxySpec, bool) {
	var list []proxySpec
	if json.Unmarshal(body, &list) == nil {
		return list, true
	}
	var one proxySpec
	if json.Unmarshal(body, &one) == nil {
		return []proxySpec{one}, true
	}
	return nil, false
}
