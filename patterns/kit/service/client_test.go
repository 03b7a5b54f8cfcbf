package service

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestNewClient(t *testing.T) {
	var followed bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()

	c := NewClient(8)
	defer c.CloseIdleConnections()
	resp, err := c.Get(srv.URL + "/pay")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed {
		t.Errorf("GET = %d, followed %v; want the 302 itself, not followed", resp.StatusCode, followed)
	}
	tr := c.Transport.(*http.Transport)
	if tr.MaxIdleConns != 8 || tr.MaxIdleConnsPerHost != 8 || tr.IdleConnTimeout != 30*time.Second || tr.Proxy != nil {
		t.Errorf("transport: %d idle, %d per host, idle timeout %v, proxy set %v; want 8, 8, 30s, none",
			tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.IdleConnTimeout, tr.Proxy != nil)
	}
}

func TestStatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := NewClient(1)
	defer c.CloseIdleConnections()
	resp, err := c.Post(srv.URL+"/ingest", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	err = fmt.Errorf("shipping: %w", NewStatusError(resp))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable {
		t.Fatalf("errors.As(%v) found %+v, want code 503", err, se)
	}
	if want := "POST " + srv.URL + "/ingest: 503 Service Unavailable"; se.Error() != want {
		t.Errorf("Error() = %q, want %q", se.Error(), want)
	}
}
