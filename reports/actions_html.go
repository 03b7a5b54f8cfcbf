package reports

import (
	"fmt"

	"github.com/faultline/faultline/reports/model"
)

// htmlAction is one row of the actions table.
type htmlAction struct {
	Variant, Name, Kind, Target, Control, Value, Planned, Applied, Note string
}

// actionRow is an action of a variant's timeline as the report lists it.
func actionRow(variant string, a model.ActionEvent) htmlAction {
	h := htmlAction{
		Variant: variant, Name: a.Name, Kind: a.Kind, Target: a.Target, Control: a.Control, Value: a.Value,
		Planned: formatDuration(a.At), Applied: "not applied", Note: a.Error,
	}
	if a.Done {
		h.Applied = formatDuration(a.Applied)
		if d := a.Applied - a.At; d != 0 {
			h.Applied += fmt.Sprintf(" (%+.3gs)", d.Seconds())
		}
	}
	return h
}
