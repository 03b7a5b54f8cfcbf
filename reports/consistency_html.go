package reports

import (
	"slices"
	"strconv"
	"strings"

	"github.com/faultline/faultline/reports/model"
)

// consistencyRows is the Consistency table: the checker's counts per
// variant over the run, then per fault those of the operations sent while
// it was planned. Nil when no variant was checked.
func consistencyRows(vs []*model.Variant) []htmlRow {
	checked := false
	for _, v := range vs {
		checked = checked || v.Consistency != nil
	}
	if !checked {
		return nil
	}
	type get func(c *model.Consistency) string
	n := func(f func(c *model.Consistency) int) get {
		return func(c *model.Consistency) string { return strconv.Itoa(f(c)) }
	}
	rows := []struct {
		section, label string
		get            get
	}{
		{"over the run", "attempted", n(func(c *model.Consistency) int { return c.Attempted })},
		{"", "acknowledged", n(func(c *model.Consistency) int { return c.Acknowledged })},
		{"", "refused (4xx)", n(func(c *model.Consistency) int { return c.Refused })},
		{"", "indeterminate (no answer, 5xx)", n(func(c *model.Consistency) int { return c.Indeterminate })},
		{"", "stored", n(func(c *model.Consistency) int { return c.Stored })},
		{"", "lost (acknowledged, not stored)", n(func(c *model.Consistency) int { return c.Lost })},
		{"", "unexpected (stored, never attempted or refused)", n(func(c *model.Consistency) int { return c.Unexpected })},
		{"", "recovered (indeterminate, stored: legal)", n(func(c *model.Consistency) int { return c.Recovered })},
		{"", "duplicates", n(func(c *model.Consistency) int { return c.Duplicates })},
		{"", "order violations", func(c *model.Consistency) string {
			if !c.Versioned {
				return "n/a (no versions)"
			}
			return strconv.Itoa(c.OrderViolations)
		}},
		{"", "invariant violations (streams)", n(func(c *model.Consistency) int { return c.InvariantViolations })},
		{"", "overdrafts (streams)", n(func(c *model.Consistency) int { return c.Overdrafts })},
		{"", "drift (state vs fold of stored events)", func(c *model.Consistency) string { return strconv.FormatInt(c.Drift, 10) }},
		{"", "examples", func(c *model.Consistency) string { return examples(c.Examples) }},
	}
	var out []htmlRow
	for _, r := range rows {
		row := htmlRow{Section: r.section, Label: r.label}
		for _, v := range vs {
			cell := "n/a"
			if v.Consistency != nil {
				cell = r.get(v.Consistency)
			}
			row.Cells = append(row.Cells, cell)
		}
		out = append(out, row)
	}
	return append(out, windowRows(vs)...)
}

// windowRows are, per fault, the lost and recovered operations among those
// sent during it.
func windowRows(vs []*model.Variant) []htmlRow {
	var names []string
	for _, v := range vs {
		if v.Consistency == nil {
			continue
		}
		for _, w := range v.Consistency.Windows {
			if !slices.Contains(names, w.Name) {
				names = append(names, w.Name)
			}
		}
	}
	var out []htmlRow
	for _, name := range names {
		row := htmlRow{Section: "sent during " + name, Label: "acknowledged / lost / recovered"}
		for _, v := range vs {
			cell := "n/a"
			if v.Consistency != nil {
				for _, w := range v.Consistency.Windows {
					if w.Name == name {
						cell = strconv.Itoa(w.Acknowledged) + " / " + strconv.Itoa(w.Lost) + " / " + strconv.Itoa(w.Recovered)
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		out = append(out, row)
	}
	return out
}

// examples lists a few offending ids per kind: "lost: a, b; order: c".
func examples(ex map[string][]string) string {
	var parts []string
	for _, k := range []string{"lost", "unexpected", "duplicates", "order", "invariant", "overdraft", "recovered"} {
		if ids := ex[k]; len(ids) > 0 {
			parts = append(parts, k+": "+strings.Join(ids, ", "))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}
