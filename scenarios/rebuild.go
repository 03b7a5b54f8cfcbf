package scenarios

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios/traffic"
)

// Rebuild makes a partial report of a run that left no summary.json (it was
// killed) from the raw results it left, results-VARIANT.bin: one variant
// each, its windows aggregated again, routes named "METHOD path". A file cut
// mid-record counts up to its last whole record. Faults, SLOs and sampled
// series are not in the raw files, so the report has none.
func Rebuild(dir string) (*model.Run, error) {
	files, err := filepath.Glob(filepath.Join(dir, "results-*.bin"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("rebuild %s: no summary.json and no raw results (results-*.bin)", dir)
	}
	slices.Sort(files)
	run := &model.Run{
		Scenario: filepath.Base(dir),
		Window:   traffic.DefaultWindow,
		Scale:    1,
		Partial:  true,
		Reason:   "rebuilt from the raw results of a run that did not finish (no summary.json): faults, SLOs and metrics are missing",
	}
	for _, f := range files {
		v, start, err := rebuildVariant(f)
		if err != nil {
			return nil, err
		}
		if run.StartedAt.IsZero() || start.Before(run.StartedAt) {
			run.StartedAt = start.UTC().Truncate(time.Second)
		}
		run.Variants = append(run.Variants, v)
	}
	return run, nil
}

// rebuildVariant aggregates one raw results file.
func rebuildVariant(file string) (*model.Variant, time.Time, error) {
	results, err := readResults(file)
	if err != nil {
		return nil, time.Time{}, err
	}
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "results-"), ".bin")
	v := &model.Variant{Name: name, Partial: true, Error: "rebuilt from " + filepath.Base(file)}
	if len(results) == 0 {
		return v, time.Time{}, nil
	}
	slices.SortStableFunc(results, func(a, b vegeta.Result) int { return a.Timestamp.Compare(b.Timestamp) })
	start, end := results[0].Timestamp, results[len(results)-1].End()
	plan := traffic.Plan{
		Stages:  []traffic.Stage{{Duration: end.Sub(start) + time.Millisecond, Rate: 1}},
		Targets: routesOf(results),
		Timeout: end.Sub(start) + time.Second, // nothing is late: every result is known
	}
	for _, t := range plan.Targets {
		v.Routes = append(v.Routes, t.Name)
	}
	agg, err := traffic.NewAggregator(plan, start, func(w model.Window) { v.Windows = append(v.Windows, w) })
	if err != nil {
		return nil, start, fmt.Errorf("rebuild %s: %w", file, err)
	}
	for i := range results {
		agg.Add(&results[i])
	}
	agg.Flush(plan.Duration())
	return v, start, nil
}

// readResults decodes a raw results file up to its last whole record.
func readResults(file string) ([]vegeta.Result, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(bufio.NewReader(f))
	var out []vegeta.Result
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			return out, nil // the end, or a record cut short by the kill
		}
		out = append(out, r)
	}
}

// routesOf names a route per method and URL seen, "METHOD path".
func routesOf(results []vegeta.Result) []traffic.Target {
	seen := map[string]bool{}
	var ts []traffic.Target
	for _, r := range results {
		key := r.Method + " " + r.URL
		if seen[key] {
			continue
		}
		seen[key] = true
		name := r.Method + " " + r.URL
		if u, err := url.Parse(r.URL); err == nil {
			name = r.Method + " " + u.RequestURI()
		}
		ts = append(ts, traffic.Target{Name: name, Method: r.Method, URL: r.URL})
	}
	slices.SortFunc(ts, func(a, b traffic.Target) int { return strings.Compare(a.Name, b.Name) })
	return ts
}
