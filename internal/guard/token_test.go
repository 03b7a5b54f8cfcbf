package guard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestToken(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := Token(ok, "s3cret")
	tests := []struct {
		name, method, path, user, pass string
		want                           int
	}{
		{"no token", "PUT", "/_faultline/faults/x", "", "", http.StatusUnauthorized},
		{"wrong token", "PUT", "/_faultline/faults/x", TokenUser, "guess", http.StatusUnauthorized},
		{"token", "PUT", "/_faultline/faults/x", TokenUser, "s3cret", http.StatusNoContent},
		{"metrics need it", "GET", "/metrics", "", "", http.StatusUnauthorized},
		{"health does not", "GET", "/healthz", "", "", http.StatusNoContent},
		{"toxiproxy version does not", "GET", "/version", "", "", http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://127.0.0.1:1"+tt.path, nil)
			if tt.user != "" {
				r.SetBasicAuth(tt.user, tt.pass)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, w.Code, tt.want)
			}
		})
	}
	w := httptest.NewRecorder()
	Token(ok, "").ServeHTTP(w, httptest.NewRequest("PUT", "http://127.0.0.1:1/x", nil))
	if w.Code != http.StatusNoContent {
		t.Errorf("an empty token refused a request: %d", w.Code)
	}
}
