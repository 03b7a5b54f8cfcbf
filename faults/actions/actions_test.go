package actions_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/faults/actions"
	"github.com/faultline/faultline/faults/actions/control"
)

// target is a faults.Target with one service, "facade", answering at url.
type target struct{ url string }

func (t target) Proxy(string) (*toxiproxy.Proxy, error) { return nil, errors.New("no proxies") }
func (t target) FaultURL(svc string) (string, error) {
	if svc != "facade" {
		return "", errors.New("no service " + svc)
	}
	return t.url, nil
}
func (t target) Kill(context.Context, string) error    { return nil }
func (t target) Restart(context.Context, string) error { return nil }

func TestShiftApply(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rt control.Route
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &rt); err != nil || r.Method != http.MethodPut {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		got = append(got, r.URL.Path+" "+string(b))
		if strings.HasSuffix(r.URL.Path, "/nowhere") {
			http.Error(w, "unknown route", http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	ctx := context.Background()
	ok := &actions.Shift{Common: actions.Common{Name: "s", Target: "facade"}, Route: "catalog", Percent: 40}
	if err := ok.Apply(ctx, target{srv.URL}); err != nil {
		t.Fatal(err)
	}
	want := `/_faultline/control/routes/catalog {"percent":40}`
	if len(got) != 1 || got[0] != want {
		t.Errorf("facade got %q, want [%s]", got, want)
	}
	bad := &actions.Shift{Common: actions.Common{Name: "s", Target: "facade"}, Route: "nowhere", Percent: 10}
	if err := bad.Apply(ctx, target{srv.URL}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("shift of an unknown route = %v, want the facade's 404", err)
	}
}

func TestValidate(t *testing.T) {
	shift := func(mod func(*actions.Shift)) actions.Action {
		a, err := actions.New("shift")
		if err != nil {
			t.Fatal(err)
		}
		s := a.(*actions.Shift)
		s.Name, s.Target, s.Route, s.Percent = "s", "facade", "catalog", 10
		mod(s)
		return s
	}
	tests := []struct {
		a    actions.Action
		want string
	}{
		{shift(func(*actions.Shift) {}), ""},
		{shift(func(s *actions.Shift) { s.Percent = 0 }), ""},
		{shift(func(s *actions.Shift) { s.Percent = 100 }), ""},
		{shift(func(s *actions.Shift) { s.Percent = 101 }), "percent: must be within [0, 100], got 101"},
		{shift(func(s *actions.Shift) { s.Percent = -5 }), "percent: must be within [0, 100]"},
		{shift(func(s *actions.Shift) { s.Percent = -1 }), "percent: required"},
		{shift(func(s *actions.Shift) { s.Route = "" }), "route: required"},
		{shift(func(s *actions.Shift) { s.Name = "a b" }), "name:"},
		{shift(func(s *actions.Shift) { s.At = -time.Second }), "at: must be >= 0"},
		{shift(func(s *actions.Shift) { s.Target = "" }), "target: required"},
	}
	for _, tt := range tests {
		err := tt.a.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", tt.a, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%+v: error %v, want one starting %q", tt.a, err, tt.want)
		}
	}
	if _, err := actions.New("rollout"); err == nil || !strings.Contains(err.Error(), "shift") {
		t.Errorf("New(unknown) = %v, want an error listing the kinds", err)
	}
}

// clocked is an action that notes when, after start, it was applied.
type clocked struct {
	actions.Common
	start time.Time
	mu    *sync.Mutex
	log   *[]string
	err   error
}

func (c *clocked) Control() (string, string) { return "", "" }
func (c *clocked) Setting() string           { return "" }
func (c *clocked) Validate() error           { return nil }
func (c *clocked) Apply(context.Context, faults.Target) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.log = append(*c.log, c.Name+"@"+time.Since(c.start).String())
	return c.err
}

// TestPlanRunsInTimeOrder: actions run at their times, in time order
// whatever the order written; a failed one is recorded and the rest run;
// a cancelled plan applies nothing more.
func TestPlanRunsInTimeOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			mu  sync.Mutex
			log []string
		)
		start := time.Now()
		mk := func(name string, at time.Duration, err error) actions.Action {
			return &clocked{Common: actions.Common{Name: name, At: at}, start: start, mu: &mu, log: &log, err: err}
		}
		p := actions.NewPlan([]actions.Action{mk("c", 3*time.Second, nil), mk("a", time.Second, nil), mk("b", 2*time.Second, errors.New("boom"))})
		err := p.Run(context.Background(), nil, start)
		if err == nil || !strings.Contains(err.Error(), `action "b": boom`) {
			t.Errorf("Run = %v, want b's error", err)
		}
		if got := strings.Join(log, " "); got != "a@1s b@2s c@3s" {
			t.Errorf("applied %s, want a@1s b@2s c@3s", got)
		}
		recs := p.Records()
		if recs[0].Name != "c" || !recs[0].Done || recs[0].Applied != 3*time.Second || recs[2].Err == nil {
			t.Errorf("records %+v", recs)
		}

		log = nil
		ctx, cancel := context.WithCancel(context.Background())
		start = time.Now()
		p = actions.NewPlan([]actions.Action{mk("late", time.Minute, nil)})
		go func() { time.Sleep(time.Second); cancel() }()
		if err := p.Run(ctx, nil, start); !errors.Is(err, context.Canceled) || len(log) != 0 {
			t.Errorf("cancelled plan: Run = %v, applied %v; want context.Canceled and nothing", err, log)
		}
	})
}
