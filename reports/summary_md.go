package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/reports/model"
)

// SummaryMarkdown is the run's summary for CI pages (GitHub's step
// summary): the verdict, failed SLOs first, each variant's verdict, the
// headline table and, with a baseline, what changed against it.
const SummaryMarkdown = "summary.md"

// WriteSummaryMarkdown renders summary.md.
func WriteSummaryMarkdown(w io.Writer, r *model.Run) error {
	var b strings.Builder
	verdict := "PASS"
	if !model.Verdict(r) {
		verdict = "FAIL"
	}
	if r.PartialReason() != "" {
		verdict = "PARTIAL"
	}
	fmt.Fprintf(&b, "## %s: %s\n\n", r.Scenario, verdict)
	fmt.Fprintf(&b, "pattern `%s` · testbed `%s` · seed %d · load %s per variant", r.Pattern, r.Testbed, r.Seed, formatDuration(r.Planned))
	if r.Scale != 0 && r.Scale != 1 {
		fmt.Fprintf(&b, " (scale %g)", r.Scale)
	}
	if r.Repeat > 1 {
		fmt.Fprintf(&b, " · %d runs a variant", r.Repeat)
	}
	b.WriteString("\n\n")
	if p := r.PartialReason(); p != "" {
		fmt.Fprintf(&b, "> **Partial run:** %s\n\n", mdCell(p))
	}
	var vs []*model.Variant
	for _, v := range r.Variants {
		if v != nil {
			vs = append(vs, v)
		}
	}
	failedSLOs(&b, vs)
	b.WriteString("### Verdicts\n\n| variant | role | verdict |\n|---|---|---|\n")
	for _, v := range vs {
		h := variantVerdict(v)
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(h.Name), mdCell(h.Tags), mdCell(h.Verdict))
	}
	if r.Against != nil {
		againstMarkdown(&b, r)
	}
	headlineMarkdown(&b, vs, r.TradeOffs)
	_, err := io.WriteString(w, b.String())
	return err
}

// failedSLOs lists the SLOs that decide a failure: those violated by a
// variant expected to meet them.
func failedSLOs(b *strings.Builder, vs []*model.Variant) {
	var rows []string
	for _, v := range vs {
		if v.ExpectViolation || v.ReportOnly {
			continue
		}
		for _, s := range v.Violations() {
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", mdCell(v.Name), mdCell(sloName(s)), mdCell(sloScope(s)), sloWant(s), sloGot(s)))
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("### Failed SLOs\n\n| variant | SLO | scope | want | got |\n|---|---|---|---|---|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n\n")
}

// againstMarkdown lists what changed against the baseline.
func againstMarkdown(b *strings.Builder, r *model.Run) {
	c := r.Against
	fmt.Fprintf(b, "\n### Against baseline\n\n**%s**\n\n", CompareLine(c))
	first := true
	for _, v := range r.Variants {
		for _, row := range compareRows(c, v.Name) {
			if row.Class == model.Same {
				continue
			}
			if first {
				b.WriteString("| variant | fault | phase | metric | base | new | delta | verdict |\n|---|---|---|---|---|---|---|---|\n")
				first = false
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdCell(v.Name), mdCell(row.Fault), row.Phase, row.Metric, row.Base, row.New, row.Delta, row.Verdict)
		}
	}
}

// headlineMarkdown is the report's headline table.
func headlineMarkdown(b *strings.Builder, vs []*model.Variant, trade []model.TradeOff) {
	b.WriteString("\n### Headline numbers\n\n|  |")
	for _, v := range vs {
		b.WriteString(" " + mdCell(v.Name) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(vs)) + "\n")
	for _, row := range headlineRows(vs, trade) {
		if row.Section != "" {
			fmt.Fprintf(b, "| **%s** |%s\n", mdCell(row.Section), strings.Repeat(" |", len(vs)))
		}
		b.WriteString("| " + mdCell(row.Label) + " |")
		for _, c := range row.Cells {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
}

// mdCell makes text safe in a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}
