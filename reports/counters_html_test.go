package reports

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestCounterRows(t *testing.T) {
	dropped := func(svc, where string, vs ...float64) model.Series {
		return model.Series{Service: svc, Name: "dropped_total", Labels: map[string]string{"where": where}, Counter: true, Points: modeltest.Points(0, vs...)}
	}
	received := func(vs ...float64) model.Series {
		return model.Series{Service: "collector", Name: "received_total", Counter: true, Points: modeltest.Points(0, vs...)}
	}
	sync := &model.Variant{Name: "sync", Counters: []string{"dropped_total", "received_total"}, Series: []model.Series{
		dropped("app", "app", 0, 3), dropped("telemetry", "sidecar", 0, 10), received(0, 900),
	}}
	async := &model.Variant{Name: "async", Counters: []string{"dropped_total", "received_total", "depth"}, Series: []model.Series{
		dropped("app", "app", 0, 200.4), received(0, 700),
	}}
	got := counterRows([]*model.Variant{sync, async})
	want := []htmlRow{
		{Section: "dropped_total", Label: "total", Cells: []string{"13", "200"}},
		{Label: `app {where="app"}`, Cells: []string{"3", "200"}},
		{Label: `telemetry {where="sidecar"}`, Cells: []string{"10", "—"}},
		{Section: "received_total", Label: "total", Cells: []string{"900", "700"}},
		{Section: "depth", Label: "total", Cells: []string{"n/a", "n/a"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counterRows =\n%+v\nwant\n%+v", got, want)
	}

	var b bytes.Buffer
	if err := WriteHTML(&b, &model.Run{Scenario: "s", Variants: []*model.Variant{sync, async}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Pattern counters", "<code>dropped_total</code>", `telemetry {where=&#34;sidecar&#34;}`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	b.Reset()
	if err := WriteHTML(&b, &model.Run{Scenario: "s", Variants: []*model.Variant{{Name: "plain"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Pattern counters") {
		t.Error("report.html shows a counters section for a pattern that names none")
	}
}
