package scenarios

import "github.com/faultline/faultline/reports/model"

// consistencySLO checks an SLO on a consistency metric at path p: the
// pattern must record a history (state a guarantee), the lag metric needs a
// projection, and the checker's counts are over the whole run (lost_writes
// also during one fault).
func (v *validator) consistencySLO(p string, o *SLO) {
	if !model.IsConsistencyMetric(o.Metric) || v.s.Impl == nil {
		return
	}
	c := v.s.Impl.Topology().Consistency
	switch {
	case c == nil:
		v.report(p+".metric", "metric %s needs a pattern that records a history; %s records none (it states no consistency guarantee)", o.Metric, v.s.Pattern)
	case o.Metric == "projection_lag" && c.LagGauge == "":
		v.report(p+".metric", "metric projection_lag needs a pattern with a projection; %s has none", v.s.Pattern)
	case o.Route != "":
		v.report(p+".route", "metric %s counts the whole history, not a route", o.Metric)
	case o.Metric == "projection_lag", o.Phase == "overall":
	case o.Metric == "lost_writes" && o.Phase == "during" && o.Fault != "":
	default:
		v.report(p+".phase", "metric %s is counted over the run (phase overall)%s", o.Metric, lostHint(o.Metric))
	}
}

func lostHint(metric string) string {
	if metric == "lost_writes" {
		return ", or during one fault (phase during with fault)"
	}
	return ""
}
