package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

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
	writes.Add(1)
	defer writes.Done()
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
	var w writer
	w.file(dir, SummaryFile, append(summary, '\n'))

	var junit bytes.Buffer
	if err := WriteJUnit(&junit, r); err != nil {
		return errors.Join(w.result(), err)
	}
	w.file(dir, JUnitFile, junit.Bytes())

	plots, err := Plots(r)
	if err != nil {
		return errors.Join(w.result(), fmt.Errorf("write report: %w", err))
	}
	var md bytes.Buffer
	if err := WriteSummaryMarkdown(&md, r); err != nil {
		return errors.Join(w.result(), err)
	}
	w.file(dir, SummaryMarkdown, md.Bytes())

	var html bytes.Buffer
	if err := WriteHTML(&html, r, plots); err != nil {
		return errors.Join(w.result(), err)
	}
	w.file(dir, HTMLFile, html.Bytes())
	for _, p := range plots {
		w.file(dir, p.Name+".png", p.PNG)
		w.file(dir, p.Name+".svg", p.SVG)
	}
	return w.result()
}

// writes counts the reports being written, so a forced exit can let them
// finish (WaitWrites).
var writes sync.WaitGroup

// WaitWrites waits until no report is being written, or ctx is done.
func WaitWrites(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		writes.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// writer writes a report's files, each whole or not at all, going on past a
// failure so every file that can be kept is kept; it remembers the first
// error and how many files failed, to say it once.
type writer struct {
	first  error
	failed int
}

func (w *writer) file(dir, name string, data []byte) {
	if err := writeFile(dir, name, data); err != nil {
		w.failed++
		if w.first == nil {
			w.first = err
		}
	}
}

func (w *writer) result() error {
	switch w.failed {
	case 0:
		return nil
	case 1:
		return w.first
	}
	return fmt.Errorf("%w (and %d more report files not written)", w.first, w.failed-1)
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

// osWriteFile is os.WriteFile; tests fill the disk.
var osWriteFile = os.WriteFile

// writeFile writes through a temporary file so a reader never sees half a
// report file.
func writeFile(dir, name string, data []byte) error {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	if err := osWriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp) // a full disk leaves it empty or cut short
		return fmt.Errorf("write report: %s: %w", name, bare(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write report: %s: %w", name, err)
	}
	return nil
}

// bare drops the operation and path an *fs.PathError repeats.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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
