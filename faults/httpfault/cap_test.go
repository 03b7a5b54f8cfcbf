package httpfault

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRuleCap pins that the rule map is bounded: it used to take any
// number of rules, each scanned by every request under one mutex.
func TestRuleCap(t *testing.T) {
	in := New(http.NotFoundHandler(), 1)
	rule := Rule{Kind: KindError, Rate: 0, Status: 500}
	for i := range MaxRules {
		if err := in.Set(fmt.Sprint("r", i), rule); err != nil {
			t.Fatalf("rule %d: %v", i, err)
		}
	}
	if err := in.Set("one-too-many", rule); !errors.Is(err, ErrTooManyRules) {
		t.Errorf("rule %d: %v, want ErrTooManyRules", MaxRules+1, err)
	}
	if err := in.Set("r0", Rule{Kind: KindAbort, Rate: 0}); err != nil {
		t.Errorf("replacing an active rule at the cap: %v", err)
	}
	if err := in.Set(strings.Repeat("n", 1000), rule); err == nil {
		t.Error("a 1000-byte rule name was accepted")
	}
	req := httptest.NewRequest(http.MethodPut, Prefix+"/more", strings.NewReader(`{"kind":"abort","rate":1}`))
	w := httptest.NewRecorder()
	in.ServeHTTP(w, req)
	if w.Code != http.StatusConflict {
		t.Errorf("PUT past the cap = %d, want 409", w.Code)
	}
}
