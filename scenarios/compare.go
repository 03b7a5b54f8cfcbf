package scenarios

import (
	"maps"
	"slices"

	"github.com/faultline/faultline/reports/model"
)

// Compare is the scenario's compare section: per metric, the tolerance
// `faultline compare` and `run --baseline` allow between two runs before
// calling a headline number changed (model.DefaultTolerances for the rest).
//
//	compare:
//	  tolerance:
//	    p99: {abs: 80ms, rel: 50%}
//	    success: {abs: 1%}
type Compare struct {
	Tolerance map[string]ToleranceSpec `yaml:"tolerance"`
}

// ToleranceSpec is one metric's tolerance as written: Abs in the metric's
// unit ("50ms", "1%", "0.1"), Rel a ratio of the base value ("20%").
type ToleranceSpec struct {
	Abs *Threshold `yaml:"abs"`
	Rel *Threshold `yaml:"rel"`
}

// compare checks the compare section: known metrics, bounds in their units.
func (v *validator) compare() {
	c := v.s.Compare
	if c == nil {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(c.Tolerance)) {
		path := "compare.tolerance." + name
		m, ok := model.LookupMetric(name)
		if !ok {
			v.report(path, "unknown metric %q", name)
			continue
		}
		t := c.Tolerance[name]
		v.threshold(t.Abs, m, path+".abs")
		v.threshold(t.Rel, model.MetricInfo{Name: name, Unit: model.Ratio}, path+".rel")
		c.Tolerance[name] = t
	}
}

// tolerances is what the run records of the compare section.
func (s *Scenario) tolerances() map[string]model.Tolerance {
	if s.Compare == nil || len(s.Compare.Tolerance) == 0 {
		return nil
	}
	out := map[string]model.Tolerance{}
	for name, t := range s.Compare.Tolerance {
		tol := model.DefaultTolerances[name]
		if t.Abs != nil {
			tol.Abs = t.Abs.Value
		}
		if t.Rel != nil {
			tol.Rel = t.Rel.Value
		}
		out[name] = tol
	}
	return out
}
