package reports

import (
	"testing"
	"time"

	"github.com/faultline/faultline/reports/model"
)

func TestActionRow(t *testing.T) {
	tests := []struct {
		ev            model.ActionEvent
		applied, note string
	}{
		{model.ActionEvent{Name: "s", At: 8 * time.Second, Applied: 8*time.Second + 20*time.Millisecond, Done: true}, "8.02s (+0.02s)", ""},
		{model.ActionEvent{Name: "s", At: 8 * time.Second, Applied: 8 * time.Second, Done: true}, "8s", ""},
		{model.ActionEvent{Name: "s", At: 8 * time.Second, Error: "boom"}, "not applied", "boom"},
	}
	for _, tt := range tests {
		got := actionRow("v", tt.ev)
		if got.Applied != tt.applied || got.Note != tt.note || got.Planned != "8s" {
			t.Errorf("actionRow(%+v) = %+v, want applied %q note %q", tt.ev, got, tt.applied, tt.note)
		}
	}
}
