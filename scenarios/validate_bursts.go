package scenarios

import (
	"slices"
	"strconv"

	"github.com/faultline/faultline/scenarios/traffic"
)

// bursts checks the load's bursts: each names a target, adds a rate, and
// starts and ends within the load; and that every target of weight 0 has
// a burst to send it. It reports whether the bursts are valid, so their
// peak can be added to the load's.
func (v *validator) bursts() bool {
	l := &v.s.Load
	ok := true
	seen := make(map[string]string) // burst name → its path
	for i := range l.Bursts {
		b := &l.Bursts[i]
		p := indexPath("load.bursts", i)
		if !v.has(p + ".name") {
			b.Name = "burst-" + strconv.Itoa(i)
		}
		switch {
		case b.Name == "":
			v.report(p+".name", "empty name")
		case seen[b.Name] != "":
			v.report(p+".name", "duplicate burst name %q (also %s)", b.Name, seen[b.Name])
		default:
			seen[b.Name] = p
			v.burstNames = append(v.burstNames, b.Name)
		}
		if !slices.ContainsFunc(l.Targets, func(t Target) bool { return t.Name == b.Target }) {
			v.report(p+".target", "unknown target %q (targets: %s)", b.Target, listOrNone(v.routes()))
			ok = false
		}
		switch {
		case !v.has(p + ".rate"):
			v.report(p+".rate", "missing rate (like \"50/s\"): the load the burst adds")
			ok = false
		case b.Rate.Freq <= 0:
			v.report(p+".rate", "rate %s: must be above 0", b.Rate)
			ok = false
		}
		ok = v.burstTiming(b, p) && ok
	}
	for i, t := range l.Targets {
		if p := indexPath("load.targets", i); v.has(p+".weight") && t.Weight == 0 &&
			!slices.ContainsFunc(l.Bursts, func(b Burst) bool { return b.Target == t.Name }) {
			v.report(p+".weight", "weight 0 sends the target only in its bursts, and no burst names %q", t.Name)
		}
	}
	if len(l.Targets) > 0 && !slices.ContainsFunc(l.Targets, func(t Target) bool { return t.Weight > 0 }) {
		v.report("load.targets", "every target has weight 0: the steady load needs one above 0")
	}
	return ok
}

// burstTiming checks a burst's at and duration against the load.
func (v *validator) burstTiming(b *Burst, p string) bool {
	ok := v.positive(p+".duration", b.Duration, "5s")
	switch {
	case b.At < 0:
		v.report(p+".at", "negative start %s", b.At)
		return false
	case !ok || v.total <= 0:
		return ok
	case b.At >= v.total:
		v.report(p+".at", "burst starts at %s, once the load has ended at %s", b.At, v.total)
	case b.Duration > v.total-b.At:
		v.report(p+".duration", "burst ends at %s, after the load ends at %s", b.At+b.Duration, v.total)
	default:
		return true
	}
	return false
}

// burstPeak is the load's peak rate with its bursts added, and where it
// is written: the load's own when the bursts do not raise it.
func (v *validator) burstPeak(peak float64, path string) (float64, string) {
	if v.total <= 0 {
		return peak, path
	}
	with := traffic.Plan{Stages: v.s.Load.stages(), Bursts: v.s.Load.bursts()}.PeakRate()
	if with <= peak {
		return peak, path
	}
	var most float64 // the burst that adds the most names the peak
	for i, b := range v.s.Load.Bursts {
		if r := b.Rate.PerSecond(); r > most {
			most, path = r, indexPath("load.bursts", i)+".rate"
		}
	}
	return with, path
}

// routes lists the targets' names (the routes), for messages.
func (v *validator) routes() []string {
	var rs []string
	for _, t := range v.s.Load.Targets {
		rs = append(rs, t.Name)
	}
	return rs
}
