package guard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
)

// TokenUser is the user name a control listener's token comes with, as
// the password of HTTP Basic auth: Go's HTTP client sends it from a URL's
// userinfo (http://faultline:TOKEN@127.0.0.1:port), so faultline's own
// clients, toxiproxy-cli's included, need nothing else.
const TokenUser = "faultline"

// NewToken returns a fresh random token for a run's control listeners.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Token refuses, with 401, a request that does not carry token as its
// Basic auth password; health checks (GET /healthz, GET /version) pass
// without it. An empty token lets everything through.
func Token(next http.Handler, token string) http.Handler {
	if token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && (r.URL.Path == "/healthz" || r.URL.Path == "/version") {
			next.ServeHTTP(w, r)
			return
		}
		_, pw, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(pw), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="faultline"`)
			http.Error(w, "faultline: refused: this run's control token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
