package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/local"
)

func deploy(t *testing.T) testbeds.Deployment {
	t.Helper()
	p := circuitbreaker.New()
	dep, err := local.New().Deploy(t.Context(), testbeds.Variant{Pattern: p, Config: p.DefaultConfig(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return dep
}

// get fetches url within timeout and returns the status, or an error.
func get(ctx context.Context, url string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestPause checks that a paused service accepts connections but answers
// nothing, health checks included, and serves what it held once unpaused.
func TestPause(t *testing.T) {
	ctx := t.Context()
	dep := deploy(t)
	p := dep.(faults.Pauser)
	health := "http://" + local.DataAddr(dep, "payments") + "/healthz"
	if code, err := get(ctx, health, 2*time.Second); err != nil || code != http.StatusOK {
		t.Fatalf("healthz before pause: %d, %v", code, err)
	}
	if err := p.Pause(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if _, err := get(ctx, health, 200*time.Millisecond); err == nil {
		t.Fatal("a paused service answered its health check")
	}
	testkit.Until(t, 5*time.Second, "the paused service to let go of the request that gave up",
		func() bool { return local.Held(dep, "payments") == 0 })
	held := make(chan error, 1)
	go func() {
		code, err := get(ctx, health, 5*time.Second)
		if err == nil && code != http.StatusOK {
			err = http.ErrAbortHandler
		}
		held <- err
	}()
	testkit.Until(t, 5*time.Second, "the paused service to hold the request",
		func() bool { return local.Held(dep, "payments") == 1 })
	select {
	case err := <-held:
		t.Fatalf("a request to a paused service returned: %v", err)
	default:
	}
	if err := p.Unpause(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if err := <-held; err != nil {
		t.Errorf("held request after unpause: %v", err)
	}
	if err := p.Unpause(ctx, "payments"); err != nil {
		t.Errorf("unpausing a running service: %v", err)
	}
	if err := p.Pause(ctx, "nope"); err == nil {
		t.Error("pausing an unknown service: no error")
	}

	// A paused service that is killed comes back running.
	if err := p.Pause(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if err := dep.Kill(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if err := p.Pause(ctx, "payments"); err == nil {
		t.Error("pausing a killed service: no error")
	}
	if err := dep.Restart(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if code, err := get(ctx, health, 2*time.Second); err != nil || code != http.StatusOK {
		t.Errorf("healthz after kill and restart: %d, %v", code, err)
	}
}

func TestCheckFault(t *testing.T) {
	tb := local.New()
	for _, kind := range faults.Kinds() {
		err := tb.CheckFault(kind)
		if kind == "partition" {
			if err == nil || !strings.Contains(err.Error(), "--testbed docker") {
				t.Errorf("CheckFault(partition) = %v, want an error pointing at --testbed docker", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("CheckFault(%s) = %v", kind, err)
		}
	}
}
