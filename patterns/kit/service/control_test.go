package service

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestControlApart pins that the data face (what Toxiproxy edges carry)
// serves neither the fault API nor metrics: a scenario target once cleared
// its own injected fault through the entry proxy. The control face refuses
// DNS-rebinding-shaped requests (foreign Host, foreign Origin).
func TestControlApart(t *testing.T) {
	data, control := Wrap("svc", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}), prometheus.NewRegistry(), 1)
	tests := []struct {
		name         string
		h            http.Handler
		method, path string
		host, origin string
		want         int
	}{
		{"data: clear faults", data, "DELETE", FaultsPath, "", "", http.StatusNotFound},
		{"data: put a fault", data, "PUT", FaultsPath + "/x", "", "", http.StatusNotFound},
		{"data: metrics", data, "GET", MetricsPath, "", "", http.StatusNotFound},
		{"data: app", data, "GET", "/checkout", "", "", http.StatusTeapot},
		{"control: list faults", control, "GET", FaultsPath, "", "", http.StatusOK},
		{"control: metrics", control, "GET", MetricsPath, "", "", http.StatusOK},
		{"control: rebinding Host", control, "PUT", FaultsPath + "/x", "rebind.evil.example", "", http.StatusForbidden},
		{"control: foreign Origin", control, "DELETE", FaultsPath, "", "http://evil.example", http.StatusForbidden},
		{"control: no app", control, "GET", "/checkout", "", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://127.0.0.1:9"+tt.path, strings.NewReader(`{"kind":"error","rate":1,"status":500}`))
			if tt.host != "" {
				r.Host = tt.host
			}
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, w.Code, tt.want)
			}
		})
	}
}
