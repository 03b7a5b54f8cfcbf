package traffic

import (
	"math"
	"net/http"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestTargeterDistribution(t *testing.T) {
	targets := []Target{
		{Name: "a", URL: "http://127.0.0.1/a", Weight: 1},
		{Name: "b", URL: "http://127.0.0.1/b", Weight: 2},
		{Name: "c", Method: http.MethodPost, URL: "http://127.0.0.1/c", Weight: 7, Body: []byte("{}"),
			Header: http.Header{"Content-Type": {"application/json"}}},
		{Name: "d", URL: "http://127.0.0.1/d"}, // weight 0 counts as 1
	}
	tr, err := NewTargeter(targets, 42)
	if err != nil {
		t.Fatal(err)
	}
	const n = 110_000
	counts := map[string]int{}
	var tgt vegeta.Target
	for range n {
		if err := tr(&tgt); err != nil {
			t.Fatal(err)
		}
		counts[tgt.URL[strings.LastIndex(tgt.URL, "/")+1:]]++
		if strings.HasSuffix(tgt.URL, "/c") && (tgt.Method != http.MethodPost || string(tgt.Body) != "{}" ||
			tgt.Header.Get("Content-Type") != "application/json") {
			t.Fatalf("target c = %+v", tgt)
		}
		if strings.HasSuffix(tgt.URL, "/a") && (tgt.Method != http.MethodGet || tgt.Body != nil || tgt.Header != nil) {
			t.Fatalf("target a = %+v", tgt)
		}
	}
	for name, want := range map[string]float64{"a": 1.0 / 11, "b": 2.0 / 11, "c": 7.0 / 11, "d": 1.0 / 11} {
		if got := float64(counts[name]) / n; math.Abs(got-want) > 0.02 {
			t.Errorf("share of %s = %.3f, want %.3f ± 0.02", name, got, want)
		}
	}
}

func TestTargeterDeterministic(t *testing.T) {
	targets := []Target{{URL: "http://h/a"}, {URL: "http://h/b"}, {URL: "http://h/c", Weight: 3}}
	picks := func(seed int64) string {
		tr, err := NewTargeter(targets, seed)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		var tgt vegeta.Target
		for range 200 {
			_ = tr(&tgt)
			b.WriteByte(tgt.URL[len(tgt.URL)-1])
		}
		return b.String()
	}
	if a, b := picks(7), picks(7); a != b {
		t.Errorf("same seed, different picks:\n%s\n%s", a, b)
	}
	if a, b := picks(7), picks(8); a == b {
		t.Errorf("seeds 7 and 8 pick the same sequence %s", a)
	}
}

func TestTargeterSingleAndAllocs(t *testing.T) {
	tr, err := NewTargeter([]Target{{URL: "http://h/only", Weight: 5}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var tgt vegeta.Target
	if err := tr(&tgt); err != nil || tgt.URL != "http://h/only" || tgt.Method != "GET" {
		t.Fatalf("pick = %+v, %v", tgt, err)
	}
	if err := tr(nil); err != vegeta.ErrNilTarget {
		t.Errorf("nil target: err = %v, want ErrNilTarget", err)
	}

	tr, _ = NewTargeter([]Target{{URL: "http://h/a"}, {URL: "http://h/b"}}, 1)
	if allocs := testing.AllocsPerRun(1000, func() { _ = tr(&tgt) }); allocs != 0 {
		t.Errorf("targeter allocates %v times per pick", allocs)
	}
}

func TestTargeterInvalid(t *testing.T) {
	tests := []struct {
		name    string
		targets []Target
		err     string
	}{
		{"none", nil, "no targets"},
		{"no URL", []Target{{Name: "x"}}, "no URL"},
		{"negative weight", []Target{{URL: "http://h/", Weight: -1}}, "negative weight"},
		{"same method and URL", []Target{{Name: "a", URL: "http://h/"}, {Name: "b", Method: "GET", URL: "http://h/"}}, "same method and URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTargeter(tt.targets, 1)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want it to contain %q", err, tt.err)
			}
		})
	}
	// The same route listed twice under one name is fine (its weights add).
	if _, err := NewTargeter([]Target{{Name: "a", URL: "http://h/"}, {Name: "a", URL: "http://h/"}}, 1); err != nil {
		t.Errorf("same target twice: %v", err)
	}
}
