package apigateway

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/patterns"
)

// The gateway's hot path (route matching, JWT verification, the tenant's
// token bucket, metrics, the backend call) beside what a user would
// otherwise put at the edge, net/http/httputil.ReverseProxy, which only
// forwards. Both call the same in-memory backend, so that what is measured
// is the proxy, not a network:
//
//	go test ./patterns/apigateway -run '^$' -bench . -benchmem

// memBackend answers every request at once with 256 bytes, in memory.
type memBackend struct{ body []byte }

func (m memBackend) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/plain"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       req,
	}, nil
}

var backend = memBackend{body: bytes.Repeat([]byte("a"), 256)}

func BenchmarkReverseProxy(b *testing.B) {
	u, _ := url.Parse("http://catalog.invalid")
	p := httputil.NewSingleHostReverseProxy(u)
	p.Transport = backend
	serve(b, p, "")
}

// BenchmarkReverseProxyBufferPool is ReverseProxy as a careful user sets it
// up: with a pool of copy buffers instead of 32KiB a request.
func BenchmarkReverseProxyBufferPool(b *testing.B) {
	u, _ := url.Parse("http://catalog.invalid")
	p := httputil.NewSingleHostReverseProxy(u)
	p.Transport = backend
	p.BufferPool = &bufferPool{}
	serve(b, p, "")
}

// bufferPool is an httputil.BufferPool of 32KiB buffers.
type bufferPool struct{ p sync.Pool }

func (bp *bufferPool) Get() []byte {
	if b, ok := bp.p.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, 32<<10)
}

func (bp *bufferPool) Put(b []byte) { bp.p.Put(&b) }

func BenchmarkGatewayRoute(b *testing.B) {
	serve(b, benchGateway(b), token(b, TestSecret, "tenant-a"))
}

// BenchmarkGatewayRouteBaselineMode is the gateway's hot path as the baseline
// runs it: routing, metrics and the call, without enforcing auth or limits
// (it still verifies the token, to count the request for its tenant).
func BenchmarkGatewayRouteBaselineMode(b *testing.B) {
	g := benchGateway(b)
	g.enabled = false
	serve(b, g, token(b, TestSecret, "tenant-a"))
}

// benchGateway is the default gateway over the in-memory backend, with a
// quota no benchmark reaches.
func benchGateway(b *testing.B) *gateway {
	c := New().DefaultConfig().(*Config)
	c.Gateway.RateLimit.Rate, c.Gateway.RateLimit.Burst = 1e12, 1e9
	reg := prometheus.NewRegistry()
	env := patterns.Env{Upstream: func(s string) string { return "http://" + s + ".invalid" }, Registry: reg}
	g := newHandler(c, env, newMetrics(reg))
	for _, rt := range g.routes {
		for i := range rt.parts {
			rt.parts[i].client = &http.Client{Transport: backend}
		}
	}
	return g
}

// serve measures h serving GET /catalog/1 with the given Authorization.
func serve(b *testing.B, h http.Handler, authorization string) {
	req := httptest.NewRequest(http.MethodGet, "/catalog/1", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("answer %d: %s", rec.Code, rec.Body)
		}
	}
}
