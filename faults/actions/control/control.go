// Package control is the wire protocol of the controls a service offers to
// timeline actions (package actions): where a fault admin API breaks a
// service, a control steers it. A service serves its controls under Prefix
// on its admin surface, beside the fault admin API (faults/httpfault) and,
// like it, outside the injected faults:
//
//	PUT /_faultline/control/routes/{route}  body: Route as JSON  → 204
//	GET /_faultline/control/routes          → 200, JSON map route → Route
//
// PutRoute is the client side; services decode Route themselves.
//
// It imports nothing of faultline.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Prefix is the path under which a service serves its controls.
const Prefix = "/_faultline/control"

// RoutesPath is the collection of a facade's routes.
const RoutesPath = Prefix + "/routes"

// Route is the state of one route of a facade: the share of its users, in
// percent, sent to the route's new backend.
type Route struct {
	Percent int `json:"percent"`
	// RolledBack is set, in answers, once the facade has sent the route
	// back to its old backend by itself; a shift no longer moves it.
	RolledBack bool `json:"rolled_back,omitempty"`
}

// PutRoute sets a route's share on the service whose admin surface answers
// at baseURL (like "http://127.0.0.1:1234").
func PutRoute(ctx context.Context, baseURL, route string, r Route) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("control: %w", err)
	}
	u := strings.TrimSuffix(baseURL, "/") + RoutesPath + "/" + url.PathEscape(route)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("control: PUT %s: %w", u, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("control: %w", err) // *url.Error names method and URL
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("control: PUT %s: %s: %s", u, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}
