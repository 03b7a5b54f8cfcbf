package service

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/faults/actions/control"
	"github.com/faultline/faultline/faults/httpfault"
)

// controlledApp answers "app" and serves "control" under control.Prefix.
type controlledApp struct{ http.Handler }

func (controlledApp) Control() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("control")) })
}

// TestWrapServesControlsOutsideFaults: a Controlled app's controls answer
// under control.Prefix on the control face even while every application
// request fails; the data face never serves that path.
func TestWrapServesControlsOutsideFaults(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("app")) })
	data, admin := Wrap("svc", controlledApp{app}, prometheus.NewRegistry(), 1)
	srv := httptest.NewServer(admin)
	defer srv.Close()
	if err := httpfault.Put(t.Context(), srv.URL, "down", httpfault.Rule{Kind: httpfault.KindError, Rate: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get(admin, control.RoutesPath); code != 200 || body != "control" {
		t.Errorf("controls under an error fault: %d %q, want 200 control", code, body)
	}
	if code, _ := get(data, "/work"); code != 503 {
		t.Errorf("application under an error fault: %d, want 503", code)
	}
	if code, _ := get(data, control.RoutesPath); code != http.StatusNotFound {
		t.Errorf("controls on the data face: %d, want 404", code)
	}
}
