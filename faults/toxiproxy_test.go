package faults_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	toxiserver "github.com/Shopify/toxiproxy/v2"
	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	"github.com/rs/zerolog"
)

// startToxiproxy runs an embedded Toxiproxy API server on 127.0.0.1 until
// the test ends. It serves the server's Routes on a listener of its own
// rather than calling Listen: no free-port race, and a clean Shutdown
// (ApiServer.Shutdown would read a field Listen writes from another
// goroutine). The proxies' listeners are closed with Collection.Clear.
func startToxiproxy(t *testing.T) *toxiproxy.Client {
	t.Helper()
	srv := toxiserver.NewServer(toxiserver.NewMetricsContainer(nil), zerolog.Nop())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Routes(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			t.Errorf("toxiproxy shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("toxiproxy serve: %v", err)
		}
		srv.Collection.Clear()
	})
	return toxiproxy.NewClient(ln.Addr().String())
}

// edgeTarget is a Target of Toxiproxy proxies named after their edge.
type edgeTarget struct{ c *toxiproxy.Client }

func (e edgeTarget) Proxy(edge string) (*toxiproxy.Proxy, error) { return e.c.Proxy(edge) }
func (e edgeTarget) FaultURL(string) (string, error)             { return "", errors.New("no services") }
func (e edgeTarget) Kill(context.Context, string) error          { return errors.New("no services") }
func (e edgeTarget) Restart(context.Context, string) error       { return errors.New("no services") }

func TestEmbeddedToxiproxy(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer api.Close()

	c := startToxiproxy(t)
	p, err := c.CreateProxy("client->api", "127.0.0.1:0", api.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + p.Listen + "/"
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (time.Duration, error) {
		t.Helper()
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && string(b) != "ok" {
			err = errors.New("body " + string(b))
		}
		return time.Since(start), err
	}
	// toxics returns the proxy's toxics and whether it is enabled, as
	// Toxiproxy has them now.
	toxics := func(when string) ([]toxiproxy.Toxic, bool) {
		t.Helper()
		now, err := c.Proxy(p.Name)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		ts, err := now.Toxics()
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		return ts, now.Enabled
	}
	// clean checks that a request goes through a proxy that carries no
	// fault. It asks Toxiproxy whether a toxic is left rather than timing
	// the request, which a loaded machine slows down as much as a toxic.
	clean := func(when string) {
		t.Helper()
		if _, err := get(); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if ts, enabled := toxics(when); len(ts) != 0 || !enabled {
			t.Errorf("%s: proxy enabled %v with toxics %+v, want enabled without toxics", when, enabled, ts)
		}
	}

	ctx := t.Context()
	tg := edgeTarget{c}
	clean("before any fault")

	lat := decode(t, "kind: latency\nname: slow\nduration: 1s\ntarget: client->api\nlatency: 200ms\n")
	if err := lat.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := lat.Apply(ctx, tg); err != nil {
		t.Fatal(err)
	}
	if err := lat.Apply(ctx, tg); err != nil { // left over: replaced
		t.Fatal(err)
	}
	if ts, _ := toxics("with latency"); len(ts) != 1 {
		t.Errorf("with latency applied twice: toxics %+v, want the one", ts)
	}
	if took, err := get(); err != nil || took < 200*time.Millisecond {
		t.Errorf("with latency: took %v, err %v; want >= 200ms", took, err)
	}
	if err := lat.Revert(ctx, tg); err != nil {
		t.Fatal(err)
	}
	if err := lat.Revert(ctx, tg); err != nil { // gone already (404): no error
		t.Fatal(err)
	}
	clean("after latency")

	down := decode(t, "kind: down\nname: cut\nduration: 1s\ntarget: client->api\n")
	if err := down.Apply(ctx, tg); err != nil {
		t.Fatal(err)
	}
	if _, err := get(); err == nil {
		t.Error("proxy down: request succeeded")
	}
	if err := down.Revert(ctx, tg); err != nil {
		t.Fatal(err)
	}
	clean("after down")

	// An unknown proxy is an error naming the edge.
	bad := decode(t, "kind: latency\nname: slow\nduration: 1s\ntarget: client->db\nlatency: 200ms\n")
	if err := bad.Apply(ctx, tg); err == nil {
		t.Error("latency on an unknown proxy: no error")
	}
}
