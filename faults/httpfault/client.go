package httpfault

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

// Put activates (or replaces) the named rule on the service whose Injector
// answers at baseURL (like "http://127.0.0.1:1234").
func Put(ctx context.Context, baseURL, name string, r Rule) error {
	if name == "" {
		return fmt.Errorf("httpfault: put: empty rule name")
	}
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("httpfault: put %q: %w", name, err)
	}
	_, err = do(ctx, http.MethodPut, ruleURL(baseURL, name), body)
	return err
}

// Delete removes the named rule; removing an absent rule is not an error.
func Delete(ctx context.Context, baseURL, name string) error {
	if name == "" {
		return fmt.Errorf("httpfault: delete: empty rule name")
	}
	_, err := do(ctx, http.MethodDelete, ruleURL(baseURL, name), nil)
	return err
}

// List returns the active rules.
func List(ctx context.Context, baseURL string) (map[string]Rule, error) {
	u := strings.TrimSuffix(baseURL, "/") + Prefix
	body, err := do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	rules := make(map[string]Rule)
	if err := json.Unmarshal(body, &rules); err != nil {
		return nil, fmt.Errorf("httpfault: GET %s: %w", u, err)
	}
	return rules, nil
}

// Clear removes every rule.
func Clear(ctx context.Context, baseURL string) error {
	_, err := do(ctx, http.MethodDelete, strings.TrimSuffix(baseURL, "/")+Prefix, nil)
	return err
}

func ruleURL(baseURL, name string) string {
	return strings.TrimSuffix(baseURL, "/") + Prefix + "/" + url.PathEscape(name)
}

// do sends one admin request and returns the answer's body; an answer other
// than 2xx is an error naming its status.
func do(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("httpfault: %s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("httpfault: %w", err) // *url.Error names method and URL
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("httpfault: %s %s: reading answer: %w", method, u, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := strings.TrimSpace(string(b))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, &StatusError{Method: method, URL: u, Code: resp.StatusCode, Body: msg}
	}
	return b, nil
}

// StatusError is an admin answer other than 2xx.
type StatusError struct {
	Method, URL string
	Code        int    // HTTP status code
	Body        string // start of the answer's body
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("httpfault: %s %s: %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}
