package docker_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/faultline/faultline/testbeds/docker"
	"github.com/faultline/faultline/testbeds/docker/dockertest"
)

// TestNoLeaks runs faultline as a user would, several times in a row: to
// the end, interrupted (SIGINT), interrupted twice (the second forces the
// exit), and killed with SIGKILL then followed by `faultline clean`. None
// may leave a container or a network behind. Each run's resources are
// found by the label naming its process (faultline.pid), so that other
// runs going on meanwhile (other packages' tests) neither hide a leak nor
// fake one.
func TestNoLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs faultline on Docker four times")
	}
	dockertest.Require(t)
	bin := dockertest.Binary(t)
	cli := dockerClient(t)
	scenario, err := filepath.Abs(filepath.Join("testdata", "short.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()

	type proc struct {
		cmd    *exec.Cmd
		stderr *bytes.Buffer
	}
	start := func(t *testing.T) *proc {
		t.Helper()
		p := &proc{cmd: exec.Command(bin, "run", scenario, "--testbed", "docker", "--out", out), stderr: &bytes.Buffer{}}
		p.cmd.Stderr = p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	label := func(p *proc) string { return docker.LabelPID + "=" + strconv.Itoa(p.cmd.Process.Pid) }
	// waitUp waits until the run's three containers are running.
	waitUp := func(t *testing.T, p *proc) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			cs, err := cli.ContainerList(t.Context(), client.ContainerListOptions{Filters: client.Filters{}.Add("label", label(p))})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs.Items) == 3 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the run's containers did not come up within 90s\n%s", p.stderr)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait := func(t *testing.T, p *proc, want ...int) {
		t.Helper()
		err := p.cmd.Wait()
		code := p.cmd.ProcessState.ExitCode()
		for _, w := range want {
			if code == w {
				return
			}
		}
		t.Errorf("exit %d (%v), want one of %v\n%s", code, err, want, p.stderr)
	}
	noneLeft := func(t *testing.T, p *proc) {
		t.Helper()
		if cs, ns := resources(t, cli, label(p)); len(cs)+len(ns) > 0 {
			t.Errorf("left behind: containers %v, networks %v\n%s", cs, ns, p.stderr)
		}
	}
	var runs []*proc

	t.Run("to the end", func(t *testing.T) {
		p := start(t)
		runs = append(runs, p)
		wait(t, p, 0, 1) // the SLOs are not the point
		noneLeft(t, p)
	})
	t.Run("interrupted", func(t *testing.T) {
		p := start(t)
		runs = append(runs, p)
		waitUp(t, p)
		p.cmd.Process.Signal(syscall.SIGINT)
		wait(t, p, 130)
		noneLeft(t, p)
		if !strings.Contains(p.stderr.String(), "interrupted") {
			t.Errorf("no word of the interrupt:\n%s", p.stderr)
		}
	})
	t.Run("interrupted twice", func(t *testing.T) {
		p := start(t)
		runs = append(runs, p)
		waitUp(t, p)
		p.cmd.Process.Signal(syscall.SIGINT)
		time.Sleep(20 * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGINT)
		wait(t, p, 130)
		noneLeft(t, p)
	})
	t.Run("killed then clean", func(t *testing.T) {
		p := start(t)
		runs = append(runs, p)
		waitUp(t, p)
		p.cmd.Process.Kill()
		wait(t, p, -1) // killed by a signal
		if cs, ns := resources(t, cli, label(p)); len(cs) != 3 || len(ns) != 1 {
			t.Fatalf("after SIGKILL: containers %v, networks %v; want the run's 3 and 1 left", cs, ns)
		}
		clean := exec.Command(bin, "clean")
		outb, err := clean.CombinedOutput()
		if err != nil {
			t.Fatalf("faultline clean: %v\n%s", err, outb)
		}
		t.Logf("faultline clean:\n%s", outb)
		if got := strings.Count(string(outb), "removed container "); got < 3 {
			t.Errorf("faultline clean reported %d containers removed, want at least 3", got)
		}
		noneLeft(t, p)
	})

	for _, p := range runs {
		noneLeft(t, p)
	}
}
