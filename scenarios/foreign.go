package scenarios

import (
	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/reports/model"
)

// edges names the topology's edges, where toxics can be.
func (s *Scenario) edges() []string {
	var out []string
	for _, e := range s.Impl.Topology().Edges {
		out = append(out, e.String())
	}
	return out
}

// reportForeign is the report's copy of the toxics a run did not create.
func reportForeign(fs []faults.ForeignToxic) []model.ForeignToxic {
	var out []model.ForeignToxic
	for _, f := range fs {
		out = append(out, model.ForeignToxic{Edge: f.Edge, Name: f.Name, Type: f.Type, At: f.At})
	}
	return out
}
