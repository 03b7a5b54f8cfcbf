package faults_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/faults"
)

var (
	_ faults.Target  = plainTarget{}
	_ faults.Stopper = stopTarget{}
)

// plainTarget is a Target with none of the optional capabilities.
type plainTarget struct{ log *callLog }

func (plainTarget) Proxy(string) (*toxiproxy.Proxy, error) { return nil, errors.New("no proxies") }
func (plainTarget) FaultURL(string) (string, error)        { return "", errors.New("no services") }
func (p plainTarget) Kill(_ context.Context, s string) error {
	p.log.add("kill " + s)
	return nil
}
func (p plainTarget) Restart(_ context.Context, s string) error {
	p.log.add("restart " + s)
	return nil
}

// stopTarget is a plainTarget that can also stop a service gracefully.
type stopTarget struct {
	plainTarget
	stopErr error
}

func (s stopTarget) Stop(_ context.Context, svc string) error {
	s.log.add("stop " + svc)
	return s.stopErr
}

// TestCapabilityMissing checks that a fault needing a capability the
// target lacks fails Apply with a message naming it, and that Revert (after
// that failed Apply) is a harmless no-op.
func TestCapabilityMissing(t *testing.T) {
	tests := []struct {
		yaml string
		want string
	}{
		{"kind: pause\nname: p\nduration: 1s\ntarget: api\n", `pause "api": this testbed cannot pause a service`},
		{"kind: partition\nname: p\nduration: 1s\ntarget: api\n", `partition "api": this testbed cannot partition a service`},
	}
	for _, tt := range tests {
		tgt := plainTarget{log: &callLog{}}
		f := decode(t, tt.yaml)
		if err := f.Apply(t.Context(), tgt); err == nil || err.Error() != tt.want {
			t.Errorf("%s: Apply = %v, want %q", f.Base().Kind, err, tt.want)
		}
		if err := f.Revert(t.Context(), tgt); err != nil {
			t.Errorf("%s: Revert = %v, want nil", f.Base().Kind, err)
		}
		if calls := tgt.log.take(); len(calls) != 0 {
			t.Errorf("%s: target was called: %q", f.Base().Kind, calls)
		}
	}
}

// TestRestartPrefersStop checks that a restart stops a Stopper gracefully
// instead of killing it, and names the step that failed.
func TestRestartPrefersStop(t *testing.T) {
	ctx := t.Context()
	tgt := stopTarget{plainTarget: plainTarget{log: &callLog{}}}
	r := decode(t, "kind: restart\nname: r\ntarget: api\n")
	if err := r.Apply(ctx, tgt); err != nil {
		t.Fatal(err)
	}
	if got, want := tgt.log.take(), []string{"stop api", "restart api"}; !slices.Equal(got, want) {
		t.Errorf("Apply did %q, want %q", got, want)
	}
	tgt.stopErr = errors.New("boom")
	err := r.Apply(ctx, tgt)
	if err == nil || !strings.Contains(err.Error(), `restart "api": stop: boom`) {
		t.Errorf("Apply with a failing stop = %v", err)
	}
	// A stop that failed may still have stopped the service half-way:
	// Revert starts it (again) to be sure it is up.
	if err := r.Revert(ctx, tgt); err != nil {
		t.Fatal(err)
	}
	if got, want := tgt.log.take(), []string{"stop api", "restart api"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
