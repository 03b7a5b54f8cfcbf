package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/consistency"
	"github.com/faultline/faultline/testbeds"
)

// settleTimeout bounds how long the checker waits for a store that is
// still catching up (a projection behind its events) after the load.
const settleTimeout = 15 * time.Second

// checkConsistency records the variant's history from its raw results (the
// file rawPath, every attempted request with its answer), reads the store's
// content from the pattern's audit service, and puts the checker's verdict
// on rv. Patterns without a guarantee are left alone.
func checkConsistency(ctx context.Context, c *patterns.Consistency, dep testbeds.Deployment, rv *model.Variant, rawPath string, start time.Time) error {
	if c == nil {
		return nil
	}
	history, err := readHistory(rawPath, c, start)
	if err != nil {
		return fmt.Errorf("consistency: history: %w", err)
	}
	audit, err := readAudit(ctx, dep, c.Audit)
	if err != nil {
		return fmt.Errorf("consistency: audit of %s: %w", c.Audit, err)
	}
	store := consistency.Store{State: audit.State, Projection: audit.Projection, Versioned: audit.Versioned, Floor: c.Floor}
	for _, e := range audit.Events {
		store.Events = append(store.Events, consistency.Event{ID: e.ID, Stream: e.Stream, Version: e.Version, Delta: e.Delta})
	}
	windows := make([]consistency.Window, 0, len(rv.Faults))
	for _, f := range rv.Faults {
		windows = append(windows, consistency.Window{Name: f.Name, From: f.At, To: f.At + f.Duration})
	}
	r := consistency.Check(history, store, windows)
	rv.Consistency = &r
	return nil
}

// readHistory reads every result of the raw file as an operation of the
// history: 2xx acknowledged, 4xx refused, anything else indeterminate.
func readHistory(path string, c *patterns.Consistency, start time.Time) ([]consistency.Op, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	var ops []consistency.Op
	for {
		var res vegeta.Result
		if err := dec.Decode(&res); errors.Is(err, io.EOF) {
			return ops, nil
		} else if err != nil {
			return ops, err
		}
		op, ok := c.Op(res.Method, res.URL)
		if !ok {
			continue
		}
		ops = append(ops, consistency.Op{ID: op.ID, Stream: op.Stream, Delta: op.Delta, Outcome: outcome(res.Code), At: res.Timestamp.Sub(start)})
	}
}

func outcome(code uint16) consistency.Outcome {
	switch {
	case code >= 200 && code < 300:
		return consistency.OK
	case code >= 400 && code < 500:
		return consistency.Fail
	}
	return consistency.Info
}

// readAudit reads the audit service's store content, again until it says
// it has settled (or settleTimeout passes: then the last read counts).
func readAudit(ctx context.Context, dep testbeds.Deployment, service string) (patterns.Audit, error) {
	base, err := dep.FaultURL(service)
	if err != nil {
		return patterns.Audit{}, err
	}
	deadline := time.Now().Add(settleTimeout)
	for {
		a, err := getAudit(ctx, base+patterns.AuditPath)
		if err == nil && a.Settled || time.Now().After(deadline) {
			return a, err
		}
		select {
		case <-ctx.Done():
			return a, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func getAudit(ctx context.Context, url string) (patterns.Audit, error) {
	var a patterns.Audit
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return a, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return a, json.NewDecoder(resp.Body).Decode(&a)
}
