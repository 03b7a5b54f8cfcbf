package traffic_test

import (
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/scenarios/traffic"
)

func TestTemplateRendersUniqueSeededRequests(t *testing.T) {
	tpl, err := traffic.ParseTemplate("http://h/accounts/acct-{{.Rand 4}}/deposit?op={{.ID}}&n={{.Seq}}",
		map[string]string{"Idempotency-Key": "{{.ID}}"}, `{"op":"{{.ID}}"}`)
	if err != nil {
		t.Fatal(err)
	}
	targeter := func(seed int64) vegeta.Targeter {
		tr, err := traffic.NewTargeter([]traffic.Target{{Name: "deposit", Method: "POST", URL: "http://h/tpl", Template: tpl}}, seed)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a, b := targeter(7), targeter(7)
	seen := map[string]bool{}
	for i := range 100 {
		var x, y vegeta.Target
		if err := a(&x); err != nil {
			t.Fatal(err)
		}
		if err := b(&y); err != nil {
			t.Fatal(err)
		}
		if x.URL != y.URL || string(x.Body) != string(y.Body) {
			t.Fatalf("request %d differs between two runs with the same seed: %s vs %s", i, x.URL, y.URL)
		}
		id := x.Header.Get("Idempotency-Key")
		if seen[id] || !strings.Contains(x.URL, "op="+id) || string(x.Body) != `{"op":"`+id+`"}` {
			t.Fatalf("request %d: id %q repeated or not the same in URL %s, header and body %s", i, id, x.URL, x.Body)
		}
		seen[id] = true
		if !tpl.Matches(x.URL) || tpl.Matches("http://h/other") {
			t.Fatalf("Matches(%s) is false, or matches another URL", x.URL)
		}
	}
}

func TestTemplateErrorsNameThePart(t *testing.T) {
	for _, tc := range []struct {
		url, header, body, part string
	}{
		{"/a/{{.Rand 4}", "", "", "url"},
		{"/a", "{{.ID", "", "headers.K"},
		{"/a", "", "{{.Nonce}}", "body"},
	} {
		_, err := traffic.ParseTemplate(tc.url, map[string]string{"K": tc.header}, tc.body)
		if err == nil || !strings.HasPrefix(err.Error(), tc.part+": ") {
			t.Errorf("ParseTemplate(%q, %q, %q) = %v, want an error about %s", tc.url, tc.header, tc.body, err, tc.part)
		}
	}
}
