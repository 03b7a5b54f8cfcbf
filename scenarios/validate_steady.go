package scenarios

import "github.com/faultline/faultline/faults"

// steadyAndAbort checks steady_state (it needs an SLO before the first
// fault, and that fault late enough for windows to have closed by then)
// and every SLO's abort_after (positive, and on a metric of the client's
// windows).
func (v *validator) steadyAndAbort() {
	if v.s.SteadyState {
		v.steady()
	}
	for i, o := range v.s.SLOs {
		p := indexPath("slo", i) + ".abort_after"
		if !v.has(p) {
			continue
		}
		switch {
		case o.AbortAfter <= 0:
			v.report(p, "must be > 0 (how long the SLO stays breached before the run stops), got %s", o.AbortAfter)
		case !liveMetric(o.Metric):
			v.report(p, "metric %s cannot be judged while the run goes (abort_after takes success, degraded, errors, p50, p90, p99, max or rate)", o.Metric)
		}
	}
}

// steady checks steady_state.
func (v *validator) steady() {
	first, ok := firstFault(v.s.Faults)
	if !ok {
		v.report("steady_state", "needs a fault: the steady state is checked before the first one")
		return
	}
	for i, b := range v.s.Load.Bursts {
		if b.At < first.At {
			v.report(indexPath("load.bursts", i)+".at", "burst %s starts at %s, before the first fault (%s, at %s), where steady_state checks the steady state",
				b.Name, b.At, first.Name, first.At)
		}
	}
	judged := false
	for _, o := range v.s.SLOs {
		judged = judged || beforeFirst(o, first)
	}
	if !judged {
		v.report("steady_state", "needs an SLO of phase before (all faults, or fault %s) to check", first.Name)
	}
	// Windows close once the client's timeout has passed after their end.
	if need := 2*v.s.Window + v.s.Load.Timeout; first.At < need {
		v.report("steady_state", "the first fault (%s) starts at %s, before a window can be judged: start it at %s or later (2 windows + the client's timeout)",
			first.Name, first.At, need)
	}
}

// firstFault is the fault that starts first.
func firstFault(fs []faults.Fault) (*faults.Common, bool) {
	var first *faults.Common
	for _, f := range fs {
		if c := f.Base(); first == nil || c.At < first.At {
			first = c
		}
	}
	return first, first != nil
}

// beforeFirst reports whether o judges the time before the first fault.
func beforeFirst(o SLO, first *faults.Common) bool {
	return o.Phase == "before" && (o.Fault == "" || o.Fault == first.Name)
}

// liveMetric reports whether a metric is computed from the client's
// windows alone, so it can be judged window by window during the run.
func liveMetric(m string) bool {
	switch m {
	case "success", "degraded", "errors", "p50", "p90", "p99", "max", "rate":
		return true
	}
	return false
}
