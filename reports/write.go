package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/faultline/faultline/reports/model"
)

// Report file names inside a run directory.
const (
	SummaryFile = "summary.json"
	HTMLFile    = "report.html"
	JUnitFile   = "junit.xml"
)

// Write renders the run into dir (created if missing): summary.json,
// summary.md, report.html, junit.xml and the plots as PNG and SVG. It calls Summarize
// first, so the headline always matches the data, and drops NaN and infinite
// samples from the series (JSON cannot hold them); SLO results are written
// as they are in the run.
func Write(dir string, r *model.Run) error {
	if r == nil {
		return fmt.Errorf("write report: no run")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	model.Summarize(r)
	dropNonFinite(r)

	summary, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write report: encode summary: %w", err)
	}
	if err := writeFile(dir, SummaryFile, append(summary, '\n')); err != nil {
		return err
	}

	var junit bytes.Buffer
	if err := WriteJUnit(&junit, r); err != nil {
		return err
	}
	if err := writeFile(dir, JUnitFile, junit.Bytes()); err != nil {
		return err
	}

	plots, err := Plots(r)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	for _, p := range plots {
		if err := writeFile(dir, p.Name+".png", p.PNG); err != nil {
			return err
		}
		if err := writeFile(dir, p.Name+".svg", p.SVG); err != nil {
			return err
		}
	}

	var md bytes.Buffer
	if err := WriteSummaryMarkdown(&md, r); err != nil {
		return err
	}
	if err := writeFile(dir, SummaryMarkdown, md.Bytes()); err != nil {
		return err
	}

	var html bytes.Buffer
	if err := WriteHTML(&html, r, plots); err != nil {
		return err
	}
	return writeFile(dir, HTMLFile, html.Bytes())
}

// dropNonFinite removes NaN and infinite samples from the series: JSON cannot
// hold them, and no measurement uses them.
func dropNonFinite(r *model.Run) {
	for _, v := range r.Variants {
		if v == nil {
			continue
		}
		for i := range v.Series {
			v.Series[i].Points = slices.DeleteFunc(v.Series[i].Points, func(p model.Point) bool { return !p.Finite() })
		}
	}
}

// writeFile writes through a temporary file so a reader never sees half a
// report file.
func writeFile(dir, name string, data []byte) error {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// Load reads dir/summary.json back, so a report can be rendered again.
func Load(dir string) (*model.Run, error) {
	return LoadFile(filepath.Join(dir, SummaryFile))
}

// LoadFile reads a run's summary.json from path.
func LoadFile(path string) (*model.Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load report: %w", err)
	}
	var r model.Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("load report %s: %w", path, err)
	}
	return &r, nil
}
