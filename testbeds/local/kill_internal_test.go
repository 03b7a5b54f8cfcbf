package local

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// TestKillWaitsForHandlers pins that a kill releases the pattern's
// resources (stop) only after the handlers still running have returned: it
// used to close the server and call stop at once, under their feet.
func TestKillWaitsForHandlers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var released, usedAfterRelease atomic.Bool
	entered := make(chan struct{})
	g := &gate{}
	srv := &http.Server{Handler: g.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done() // the kill cancels the request...
		if released.Load() { // ...and the handler still touches its resources
			usedAfterRelease.Store(true)
		}
	}))}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	_ = shut(context.Background(), srv, g, func() { released.Store(true) })
	if !released.Load() {
		t.Fatal("stop not called")
	}
	if usedAfterRelease.Load() {
		t.Error("a handler ran after the resources were released")
	}
}
