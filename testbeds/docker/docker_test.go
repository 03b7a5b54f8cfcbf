package docker_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/docker"
	"github.com/faultline/faultline/testbeds/docker/dockertest"
)

func TestMain(m *testing.M) { dockertest.Main(m) }

func TestCheckStatic(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		{text, "is not a Linux executable"},
		{filepath.Join(dir, "missing"), "is not a Linux executable"},
	}
	// A dynamically linked binary, when the system has one.
	for _, p := range []string{"/bin/sh", "/usr/bin/env"} {
		if _, err := os.Stat(p); err == nil {
			tests = append(tests, struct{ path, want string }{p, "is dynamically linked"})
			break
		}
	}
	for _, tt := range tests {
		err := docker.CheckStatic(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
			t.Errorf("CheckStatic(%s) = %v, want %q and how to build a static binary", tt.path, err, tt.want)
		}
	}
}

func TestImageTag(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(a, []byte("one"), 0o644)
	os.WriteFile(b, []byte("two"), 0o644)
	ta, err := docker.ImageTag(a)
	if err != nil {
		t.Fatal(err)
	}
	// sha256("one") starts 7692c3ad3540.
	if ta != "faultline:7692c3ad3540" {
		t.Errorf("ImageTag = %q", ta)
	}
	if tb, _ := docker.ImageTag(b); tb == ta {
		t.Errorf("two binaries, one tag %q", ta)
	}
}

func TestRyukRefused(t *testing.T) {
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "false")
	_, err := docker.New(t.Context(), docker.Options{Binary: "/nonexistent"})
	if err == nil || !strings.Contains(err.Error(), "cannot use Ryuk") {
		t.Errorf("New with Ryuk enabled = %v, want a refusal", err)
	}
}

// dockerClient returns a Docker API client for checks.
func dockerClient(t *testing.T) client.APIClient {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

// resources lists the names of the containers and networks that carry
// label ("key=value").
func resources(t *testing.T, cli client.APIClient, label string) (containers, networks []string) {
	t.Helper()
	f := client.Filters{}.Add("label", label)
	cs, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs.Items {
		containers = append(containers, strings.Join(c.Names, ","))
	}
	ns, err := cli.NetworkList(context.Background(), client.NetworkListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns.Items {
		networks = append(networks, n.Name)
	}
	return containers, networks
}

// checkout posts one checkout within 5s and says whether it was answered
// from the fallback; it fails the test on anything but a 200.
func checkout(t *testing.T, entry string) (degraded bool, took time.Duration) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	began := time.Now()
	resp, err := c.Post(entry+"/checkout", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatalf("checkout: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("checkout: %s", resp.Status)
	}
	return resp.Header.Get(patterns.DegradedHeader) == "1", time.Since(began)
}

// settle is how long a service may take to carry traffic again after a
// fault is reverted (a healed network takes a moment).
const settle = 10 * time.Second

func get(url string, timeout time.Duration) error {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

// TestDeployAndFaults deploys the circuit breaker's baseline (every
// checkout calls payments, so each fault shows at once) and drives every
// kind of fault through the Deployment.
func TestDeployAndFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containers")
	}
	tb := dockertest.Testbed(t)
	cli := dockerClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	p := circuitbreaker.New()
	began := time.Now()
	dep, err := tb.Deploy(ctx, testbeds.Variant{Pattern: p, Config: p.BaselineConfig(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("deployed in %s (timings %v)", time.Since(began).Round(time.Millisecond), tb.TakeTimings())
	t.Cleanup(func() { dep.Close(context.Background()) })
	entry := dep.Entry()
	if !strings.HasPrefix(entry, "http://127.0.0.1:") {
		t.Errorf("entry %q is not on 127.0.0.1", entry)
	}

	// Three containers and a network, labelled; ports on 127.0.0.1 only.
	run := docker.LabelRun + "=" + tb.RunID()
	cs, ns := resources(t, cli, run)
	if len(cs) != 3 || len(ns) != 1 {
		t.Fatalf("run %s has containers %v and networks %v, want 3 and 1", tb.RunID(), cs, ns)
	}
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: client.Filters{}.Add("label", run)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Items {
		if c.Labels[docker.LabelFaultline] != "true" || c.Labels[docker.LabelPID] != strconv.Itoa(os.Getpid()) {
			t.Errorf("container %v labels %v", c.Names, c.Labels)
		}
		for _, port := range c.Ports {
			if port.PublicPort != 0 && port.IP.String() != "127.0.0.1" {
				t.Errorf("container %v publishes %v", c.Names, port)
			}
		}
	}

	if degraded, _ := checkout(t, entry); degraded {
		t.Fatal("checkout degraded with every service healthy")
	}
	metrics := dep.MetricsURLs()
	for name, url := range metrics {
		if err := get(url, 2*time.Second); err != nil {
			t.Errorf("%s metrics: %v", name, err)
		}
	}
	// The control ports (published on loopback, and reachable from the
	// host at the containers' network addresses) want the run's token.
	for name, raw := range metrics {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u.User = nil
		resp, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s metrics without the run's token: %d, want 401", name, resp.StatusCode)
		}
	}
	healthy := func() bool { degraded, _ := checkout(t, entry); return !degraded }
	payHealth := strings.TrimSuffix(metrics["payments"], "/metrics") + "/healthz"

	t.Run("latency toxic", func(t *testing.T) {
		px, err := dep.Proxy("shop->payments")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := px.AddToxic("slow", "latency", "downstream", 1, map[string]any{"latency": 1500}); err != nil {
			t.Fatal(err)
		}
		degraded, took := checkout(t, entry)
		if err := px.RemoveToxic("slow"); err != nil {
			t.Fatal(err)
		}
		if !degraded || took < 900*time.Millisecond {
			t.Errorf("checkout with slow payments: degraded=%v after %s, want degraded after the shop's 1s timeout", degraded, took)
		}
	})

	t.Run("http error", func(t *testing.T) {
		f := &faults.HTTPError{Common: faults.Common{Name: "boom", Kind: "http_error", Target: "payments", Duration: time.Second}, Status: 500, Rate: 1}
		if err := f.Apply(ctx, dep); err != nil {
			t.Fatal(err)
		}
		degraded, _ := checkout(t, entry)
		if err := f.Revert(ctx, dep); err != nil {
			t.Fatal(err)
		}
		if !degraded {
			t.Error("checkout not degraded while payments answers 500")
		}
		testkit.Until(t, settle, "checkout confirmed after the HTTP fault", healthy)
	})

	t.Run("kill and restart", func(t *testing.T) {
		if err := dep.Kill(ctx, "payments"); err != nil {
			t.Fatal(err)
		}
		if degraded, took := checkout(t, entry); !degraded || took > 900*time.Millisecond {
			t.Errorf("checkout with payments killed: degraded=%v after %s, want degraded at once", degraded, took)
		}
		if err := get(metrics["payments"], time.Second); err == nil {
			t.Error("a killed service answered its metrics")
		}
		if err := dep.Kill(ctx, "payments"); err != nil {
			t.Errorf("killing a killed service: %v", err)
		}
		if err := dep.Restart(ctx, "payments"); err != nil {
			t.Fatal(err)
		}
		testkit.Until(t, settle, "checkout confirmed after restart", healthy)
		if err := get(metrics["payments"], time.Second); err != nil {
			t.Errorf("payments metrics after restart, same URL: %v", err)
		}
	})

	t.Run("stop and restart", func(t *testing.T) {
		r := &faults.Restart{Common: faults.Common{Name: "bounce", Kind: "restart", Target: "payments"}}
		if err := r.Apply(ctx, dep); err != nil {
			t.Fatal(err)
		}
		testkit.Until(t, settle, "checkout confirmed after a graceful restart", healthy)
	})

	t.Run("pause", func(t *testing.T) {
		pa := dep.(faults.Pauser)
		if err := pa.Pause(ctx, "payments"); err != nil {
			t.Fatal(err)
		}
		if err := get(payHealth, 300*time.Millisecond); err == nil {
			t.Error("a paused service answered its health check")
		}
		degraded, took := checkout(t, entry)
		if !degraded || took < 900*time.Millisecond {
			t.Errorf("checkout with payments paused: degraded=%v after %s, want degraded after the shop's 1s timeout", degraded, took)
		}
		for range 2 {
			if err := pa.Unpause(ctx, "payments"); err != nil {
				t.Fatal(err)
			}
		}
		testkit.Until(t, settle, "checkout confirmed after unpause", healthy)
	})

	t.Run("partition", func(t *testing.T) {
		pt := dep.(faults.Partitioner)
		if err := pt.Partition(ctx, "payments"); err != nil {
			t.Fatal(err)
		}
		if degraded, _ := checkout(t, entry); !degraded {
			t.Error("checkout not degraded with payments partitioned")
		}
		if err := get(payHealth, 300*time.Millisecond); err == nil {
			t.Error("a partitioned service answered its health check")
		}
		// A partitioned service can be restarted; it stays partitioned.
		if err := dep.Restart(ctx, "payments"); err != nil {
			t.Fatal(err)
		}
		if degraded, _ := checkout(t, entry); !degraded {
			t.Error("checkout not degraded with payments restarted but partitioned")
		}
		for range 2 {
			if err := pt.Heal(ctx, "payments"); err != nil {
				t.Fatal(err)
			}
		}
		testkit.Until(t, settle, "checkout confirmed after heal", healthy)
		testkit.Until(t, settle, "payments metrics after heal", func() bool { return get(metrics["payments"], time.Second) == nil })
	})

	began = time.Now()
	if err := dep.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("closed in %s", time.Since(began).Round(time.Millisecond))
	if err := dep.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if cs, ns := resources(t, cli, run); len(cs)+len(ns) > 0 {
		t.Errorf("left after Close: containers %v, networks %v", cs, ns)
	}
}

// TestDeployFailureCleansUp deploys a configuration the service rejects
// when it starts: Deploy must fail with the container's own words and
// leave nothing behind.
func TestDeployFailureCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containers")
	}
	tb := dockertest.Testbed(t)
	cli := dockerClient(t)
	p := circuitbreaker.New()
	cfg := p.DefaultConfig().(*circuitbreaker.Config)
	cfg.Shop.Timeout = 0 // valid JSON, refused by the pattern's Validate
	_, err := tb.Deploy(t.Context(), testbeds.Variant{Pattern: p, Config: cfg, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "shop.timeout: must be > 0") {
		t.Fatalf("Deploy = %v, want the shop's complaint", err)
	}
	if cs, ns := resources(t, cli, docker.LabelRun+"="+tb.RunID()); len(cs)+len(ns) > 0 {
		t.Errorf("left after a failed Deploy: containers %v, networks %v", cs, ns)
	}
}
