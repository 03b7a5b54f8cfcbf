package scenarios

import (
	"testing"
	"time"

	"github.com/faultline/faultline/faults/actions"
)

const withActions = `name: plan
pattern: fake-breaker
variants:
  - name: v
load:
  rate: 10/s
  duration: 30s
  targets:
    - path: /checkout
actions:
  - {name: ten, kind: shift, route: checkout, percent: 10, at: 10s}
  - {kind: shift, target: shop, route: cart, percent: 0, at: 30s}
`

// TestActionsDecodeAndScale: actions get their defaults (target: the
// entry; name: kind-index), and scaling moves their times, not the
// original's.
func TestActionsDecodeAndScale(t *testing.T) {
	s, err := Parse("plan.yaml", []byte(withActions), testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Actions) != 2 {
		t.Fatalf("%d actions, want 2", len(s.Actions))
	}
	a := s.Actions[0].(*actions.Shift)
	if a.Target != "shop" || a.Name != "ten" || a.Percent != 10 || a.Route != "checkout" || a.At != 10*time.Second {
		t.Errorf("first action %+v", a)
	}
	if b := s.Actions[1].Base(); b.Name != "shift-1" || b.At != 30*time.Second {
		t.Errorf("second action %+v", b)
	}
	c := s.Scaled(0.5)
	if at := c.Actions[0].Base().At; at != 5*time.Second {
		t.Errorf("scaled action at %v, want 5s", at)
	}
	if at := s.Actions[0].Base().At; at != 10*time.Second {
		t.Errorf("original action moved to %v", at)
	}
	if ev := reportActions(c.Actions); len(ev) != 2 || ev[0].Value != "10%" || ev[0].Control != "checkout" || ev[1].Target != "shop" {
		t.Errorf("report actions %+v", ev)
	}
}
