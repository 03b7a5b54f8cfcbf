package patterns_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/ambassador"
	"github.com/faultline/faultline/patterns/bulkhead"
	"github.com/faultline/faultline/patterns/circuitbreaker"
	"github.com/faultline/faultline/patterns/sidecar"
)

// TestKeysAreDocumented checks that every config key of every pattern has
// a type and a doc (its own comment or its struct's), so describe explains
// each one.
func TestKeysAreDocumented(t *testing.T) {
	for _, p := range []patterns.Pattern{ambassador.New(), bulkhead.New(), circuitbreaker.New(), sidecar.New()} {
		keys := patterns.Keys(p)
		if len(keys) == 0 {
			t.Errorf("%s: no config keys", p.Name())
		}
		for _, k := range keys {
			if k.Path == "" || k.Type == "" || k.Doc == "" {
				t.Errorf("%s: key %+v lacks a path, type or doc", p.Name(), k)
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	var b strings.Builder
	if err := patterns.Describe(&b, ambassador.New()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"edges       client->app, app->ambassador, ambassador->remote",
		"entry       app",
		"downstream  remote",
		"faultline_ambassador_retries_total",
		`ambassador.retry.max_attempts           integer   4`,
		`ambassador.mode: "resilient" → "passthrough"`, // what the baseline switches off
	} {
		if !strings.Contains(out, want) {
			t.Errorf("describe ambassador lacks %q:\n%s", want, out)
		}
	}
}
