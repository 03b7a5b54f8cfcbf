package model

import (
	"fmt"
	"strings"
)

// Verdict reports whether the run passed: neither it nor a variant is
// partial or failed, every variant without ExpectViolation meets all its
// SLOs and every variant with ExpectViolation violates at least one
// (ReportOnly variants, a sweep's ranked configurations, do not count).
func Verdict(r *Run) (ok bool) {
	if r.Partial || r.PartialReason() != "" {
		return false
	}
	for _, v := range r.Variants {
		if v == nil || !v.AsExpected() {
			return false
		}
	}
	return true
}

// PartialReason says why the run or one of its variants is partial, a line
// each; "" when it is complete.
func (r *Run) PartialReason() string {
	var lines []string
	if r.Partial {
		reason := r.Reason
		if reason == "" {
			reason = "interrupted"
		}
		lines = append(lines, reason)
	}
	for _, v := range r.Variants {
		if v != nil && (v.Partial || v.Error != "") {
			msg := v.Error
			if msg == "" {
				msg = "partial"
			}
			lines = append(lines, fmt.Sprintf("variant %s: %s", v.Name, msg))
		}
	}
	return strings.Join(lines, "\n")
}

// Violations returns the SLOs the variant did not meet.
func (v *Variant) Violations() []SLOResult {
	var out []SLOResult
	for _, s := range v.SLOs {
		if !s.Pass {
			out = append(out, s)
		}
	}
	return out
}

// AsExpected reports whether the variant's SLO results match its
// expectation: all met, or, with ExpectViolation, at least one violated. A
// ReportOnly variant is always as expected.
func (v *Variant) AsExpected() bool {
	if v.ReportOnly {
		return true
	}
	n := len(v.Violations())
	if v.ExpectViolation {
		return n > 0
	}
	return n == 0
}
