package scenarios

import (
	"github.com/faultline/faultline/faults/actions"
	"github.com/faultline/faultline/reports/model"
)

// reportActions are the report's entries for a variant's actions, before
// it runs.
func reportActions(as []actions.Action) []model.ActionEvent {
	var out []model.ActionEvent
	for _, a := range as {
		b := a.Base()
		_, control := a.Control()
		out = append(out, model.ActionEvent{Name: b.Name, Kind: b.Kind, Target: b.Target, Control: control, Value: a.Setting(), At: b.At})
	}
	return out
}

// recordActions copies what the plan recorded (when each action was
// applied, and how it failed) onto the report's actions.
func recordActions(evs []model.ActionEvent, recs []actions.Record) {
	for i, rec := range recs {
		ev := &evs[i]
		ev.Done, ev.Applied = rec.Done, rec.Applied
		if rec.Err != nil {
			ev.Error = rec.Err.Error()
		}
	}
}
