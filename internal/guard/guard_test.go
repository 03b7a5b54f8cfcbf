package guard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestToxiproxy(t *testing.T) {
	addrs := Addrs{
		Listen:   func(a string) bool { return strings.HasPrefix(a, "127.0.0.1:") },
		Upstream: func(a string) bool { return a == "127.0.0.1:9000" },
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := Toxiproxy(ok, addrs)
	tests := []struct {
		name, method, path, host, origin, ctype, body string
		want                                          int
	}{
		{"list", "GET", "/proxies", "127.0.0.1:8474", "", "", "", 204},
		{"list by localhost", "GET", "/proxies", "localhost:8474", "", "", "", 204},
		{"list over ::1", "GET", "/proxies", "[::1]:8474", "", "", "", 204},
		{"rebinding host", "GET", "/proxies", "rebind.evil.example:8474", "", "", "", 403},
		{"container address", "GET", "/proxies", "172.18.0.3:8474", "", "", "", 403},
		{"foreign origin", "GET", "/proxies", "127.0.0.1:8474", "http://evil.example", "", "", 403},
		{"loopback origin", "GET", "/proxies", "127.0.0.1:8474", "http://localhost:3000", "", "", 204},
		{"create in topology", "POST", "/proxies", "127.0.0.1:8474", "", "application/json", `{"listen":"127.0.0.1:0","upstream":"127.0.0.1:9000"}`, 204},
		{"create off loopback", "POST", "/proxies", "127.0.0.1:8474", "", "application/json", `{"listen":"0.0.0.0:0","upstream":"127.0.0.1:9000"}`, 403},
		{"create to outside", "POST", "/proxies", "127.0.0.1:8474", "", "application/json", `{"listen":"127.0.0.1:0","upstream":"10.0.0.1:22"}`, 403},
		{"key case", "POST", "/proxies", "127.0.0.1:8474", "", "application/json", `{"LISTEN":"0.0.0.0:0","upstream":"127.0.0.1:9000"}`, 403},
		{"update", "POST", "/proxies/a_to_b", "127.0.0.1:8474", "", "application/json", `{"upstream":"10.0.0.1:22"}`, 403},
		{"update enabled", "POST", "/proxies/a_to_b", "127.0.0.1:8474", "", "application/json", `{"enabled":false}`, 204},
		{"populate", "POST", "/populate", "127.0.0.1:8474", "", "application/json", `[{"listen":"127.0.0.1:1","upstream":"127.0.0.1:9000"},{"listen":"[::]:0","upstream":"127.0.0.1:9000"}]`, 403},
		{"toxic", "POST", "/proxies/a_to_b/toxics", "127.0.0.1:8474", "", "application/json", `{"type":"latency","upstream":"whatever"}`, 204},
		{"text/plain", "POST", "/proxies/a_to_b/toxics", "127.0.0.1:8474", "", "text/plain", `{"type":"latency"}`, 403},
		{"form", "POST", "/reset", "127.0.0.1:8474", "", "application/x-www-form-urlencoded", `a=b`, 403},
		{"delete", "DELETE", "/proxies/a_to_b", "127.0.0.1:8474", "", "", "", 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://x"+tt.path, strings.NewReader(tt.body))
			r.Host = tt.host
			if tt.body == "" {
				r.ContentLength = 0
			}
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.want, strings.TrimSpace(w.Body.String()))
			}
		})
	}
}
