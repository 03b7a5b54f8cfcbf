package reports

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/testkit"
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

// sizedRun is two variants over two or three routes, the answers of each
// route of their own size.
func sizedRun() *model.Run {
	win := func(route string, start float64, count, success, size int64, lat time.Duration) model.Window {
		w := modeltest.Window(route, start, count, success, 0, lat)
		w.Bytes = success * size
		return w
	}
	shared := &model.Variant{Name: "shared", Routes: []string{"web", "mobile"}, Windows: []model.Window{
		win("web", 0, 10, 10, 4000, 20*time.Millisecond), win("mobile", 0, 10, 5, 4000, 300*time.Millisecond),
		win("web", 1, 10, 10, 4000, 20*time.Millisecond), win("mobile", 1, 10, 5, 4000, 300*time.Millisecond),
	}}
	split := &model.Variant{Name: "split", Routes: []string{"web", "mobile", "admin"}, Windows: []model.Window{
		win("web", 0, 10, 10, 4000, 20*time.Millisecond), win("mobile", 0, 20, 20, 600, 10*time.Millisecond), win("admin", 0, 2, 0, 0, time.Second),
	}}
	run := &model.Run{Scenario: "s", Window: time.Second, Variants: []*model.Variant{shared, split}}
	model.Summarize(run)
	return run
}

func TestRouteRows(t *testing.T) {
	run := sizedRun()
	got := routeRows(run.Variants)
	want := []htmlRow{
		{Section: "web", Label: "requests", Cells: []string{"20", "10"}},
		{Label: "success", Cells: []string{"100%", "100%"}},
		{Label: "p99", Cells: []string{"20", "20"}}, // prefixes: histograms round

		{Label: "response size", Cells: []string{"4000 B", "4000 B"}},
		{Section: "mobile", Label: "requests", Cells: []string{"20", "20"}},
		{Label: "success", Cells: []string{"50%", "100%"}},
		{Label: "p99", Cells: []string{"30", "10"}},
		{Label: "response size", Cells: []string{"4000 B", "600 B"}},
		{Section: "admin", Label: "requests", Cells: []string{"0", "2"}},
		{Label: "success", Cells: []string{"n/a", "0%"}},
		{Label: "p99", Cells: []string{"n/a", "1"}},
		{Label: "response size", Cells: []string{"n/a", "n/a"}}, // no 2xx answer
	}
	for i := range got {
		for j, c := range got[i].Cells {
			if got[i].Label == "p99" && j < len(want[i].Cells) && strings.HasPrefix(c, want[i].Cells[j]) {
				got[i].Cells[j] = want[i].Cells[j]
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routeRows =\n%+v\nwant\n%+v", got, want)
	}

	var b bytes.Buffer
	if err := WriteHTML(&b, run, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"<h2>Routes</h2>", "<code>mobile</code>", "600 B"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
}

func TestBytesRoutesPlot(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	run := sizedRun()
	unsized := &model.Run{Scenario: "s", Window: time.Second, Variants: []*model.Variant{{
		Name: "v", Routes: []string{"a", "b"}, Windows: []model.Window{
			modeltest.Window("a", 0, 10, 10, 0, time.Millisecond), modeltest.Window("b", 0, 10, 10, 0, time.Millisecond),
		},
	}}}
	model.Summarize(unsized)
	for _, tt := range []struct {
		run  *model.Run
		want bool
	}{{run, true}, {unsized, false}} {
		plots, err := Plots(tt.run)
		if err != nil {
			t.Fatal(err)
		}
		got := slices.ContainsFunc(plots, func(p PlotFile) bool { return p.Name == "bytes-routes" })
		if got != tt.want {
			t.Errorf("run of %s: bytes-routes drawn = %v, want %v", tt.run.Variants[0].Name, got, tt.want)
		}
	}
}
