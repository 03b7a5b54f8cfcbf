package service

import (
	"net/http"
	"strconv"
	"time"
)

// NewClient returns the HTTP client a service calls the services behind it
// with: keep-alive connections for up to conns concurrent calls to each of
// them (idle ones closed after 30s), and no redirect ever followed, so a
// service calls only the addresses its testbed gave it, never one an answer
// names. Size conns for the calls the caller makes at once (its workers,
// its pool). The service's stop function calls the client's
// CloseIdleConnections.
func NewClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: noRedirect,
	}
}

// noRedirect is a CheckRedirect that hands back the redirect answer itself.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// StatusError is an error answer: the callee was reached and answered with
// status Code. Callers tell it from a transport failure or a timeout with
// errors.As.
type StatusError struct {
	Method, URL string // the request
	Code        int
}

// NewStatusError returns the StatusError of resp, an answer to a request
// made with an http.Client.
func NewStatusError(resp *http.Response) *StatusError {
	e := &StatusError{Code: resp.StatusCode}
	if req := resp.Request; req != nil {
		e.Method, e.URL = req.Method, req.URL.String()
	}
	return e
}

// Error returns "METHOD URL: code text", e.g. "POST http://h/p: 503 Service
// Unavailable".
func (e *StatusError) Error() string {
	return e.Method + " " + e.URL + ": " + strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
}
