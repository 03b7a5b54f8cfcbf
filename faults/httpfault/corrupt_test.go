package httpfault

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestCorruptField(t *testing.T) {
	tests := []struct {
		name, body, field, want string
		ok                      bool
	}{
		{"number", `{"price":10,"id":"a"}`, "price", `{"id":"a","price":11}`, true},
		{"string", `{"name":"x"}`, "name", `{"name":"x-corrupted"}`, true},
		{"bool", `{"ok":true}`, "ok", `{"ok":false}`, true},
		{"object", `{"o":{"a":1}}`, "o", `{"o":"corrupted"}`, true},
		{"missing field", `{"a":1}`, "b", "", false},
		{"not an object", `[1,2]`, "a", "", false},
		{"not JSON", `plain`, "a", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := corruptField([]byte(tt.body), tt.field)
			if ok != tt.ok || string(got) != tt.want {
				t.Errorf("corruptField(%s, %q) = %s, %v; want %s, %v", tt.body, tt.field, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestCorruptRule serves JSON through a corrupt rule at rate 0.3: about
// that share of the answers has a wrong price, every answer keeps its
// status, its other fields and a Content-Length that matches its body.
func TestCorruptRule(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "23")
		_, _ = w.Write([]byte(`{"price":10,"id":"a-1"}`))
	})
	in := New(app, 1)
	if err := in.Set("c", Rule{Kind: KindCorrupt, Rate: 0.3, Field: "price"}); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	wrong := 0
	for range n {
		rec := httptest.NewRecorder()
		in.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/item", nil))
		var got struct {
			Price float64 `json:"price"`
			ID    string  `json:"id"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil || got.ID != "a-1" {
			t.Fatalf("answer %d %q, want 200 and a JSON object with id a-1", rec.Code, rec.Body)
		}
		if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(rec.Body.Len()) {
			t.Fatalf("Content-Length %s for a %d-byte body", cl, rec.Body.Len())
		}
		if got.Price != 10 {
			wrong++
		}
	}
	if share := float64(wrong) / n; share < 0.25 || share > 0.35 {
		t.Errorf("corrupted share %.3f, want within [0.25, 0.35]", share)
	}
}

func TestCorruptRuleNeedsAField(t *testing.T) {
	if err := (Rule{Kind: KindCorrupt, Rate: 1}).Validate(); err == nil {
		t.Error("a corrupt rule without a field validated")
	}
}
