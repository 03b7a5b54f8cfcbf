package ambassador

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestCallContext(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration // 0: no deadline
	}{
		{"1500", 1500*time.Millisecond - DeadlineReserve},
		{"20", time.Millisecond}, // shorter than the reserve: at once
		{"", 0},
		{"soon", 0},
		{"-5", 0},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("POST", "/x", nil)
		if tc.header != "" {
			r.Header.Set(DeadlineHeader, tc.header)
		}
		before := time.Now()
		ctx, cancel := callContext(r)
		dl, ok := ctx.Deadline()
		cancel()
		switch {
		case tc.want == 0 && ok:
			t.Errorf("%s %q: deadline %v, want none", DeadlineHeader, tc.header, dl.Sub(before))
		case tc.want != 0 && (!ok || dl.Sub(before) < tc.want || dl.Sub(before) > tc.want+time.Second):
			t.Errorf("%s %q: deadline in %v (set %v), want %v", DeadlineHeader, tc.header, dl.Sub(before), ok, tc.want)
		}
	}
}
