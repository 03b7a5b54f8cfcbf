package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// TestWarnings checks that the report says what it did not measure as
// planned: late results, a shortfall, a lagging generator, a foreign toxic.
func TestWarnings(t *testing.T) {
	v := &model.Variant{
		Name: "v",
		Late: model.Late{Count: 57},
		Headline: model.Headline{
			Overall:    model.Phase{Requests: 100, P99: 900 * time.Millisecond, P99Sent: 300 * time.Millisecond},
			Shortfalls: []model.Shortfall{{Start: 2 * time.Second, Planned: 5000, Achieved: 4722}},
		},
		Foreign: []model.ForeignToxic{{Edge: "shop->payments", Name: "cli-latency", Type: "latency", At: 3 * time.Second}},
	}
	got := warnings([]*model.Variant{v, {Name: "clean"}})
	want := []string{"57 results arrived after", "at 2s: 4722 of 5000", "p99 is 900ms from the intended send time, 300ms from the actual", `"cli-latency" (latency)`}
	if len(got) != len(want) {
		t.Fatalf("warnings:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("warning %d = %q, want it to say %q", i, got[i], w)
		}
	}
	if c := rateCell(model.Phase{Requests: 10, Rate: 94.4, Planned: 100, Short: true}); !strings.Contains(c, "of 100/s") || !strings.Contains(c, "short") {
		t.Errorf("rate cell %q, want the plan and a short flag", c)
	}
}
