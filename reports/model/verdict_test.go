package model_test

import (
	"testing"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestVerdict(t *testing.T) {
	pass, fail := modeltest.SLO("a", true), modeltest.SLO("b", false)
	tests := []struct {
		name string
		run  model.Run
		want bool
	}{
		{"all pass", model.Run{Variants: []*model.Variant{{Name: "x", SLOs: []model.SLOResult{pass, pass}}}}, true},
		{"no SLOs", model.Run{Variants: []*model.Variant{{Name: "x"}}}, true},
		{"one violation", model.Run{Variants: []*model.Variant{{Name: "x", SLOs: []model.SLOResult{pass, fail}}}}, false},
		{"baseline violates as expected", model.Run{Variants: []*model.Variant{
			{Name: "x", SLOs: []model.SLOResult{pass}},
			{Name: "naive", ExpectViolation: true, SLOs: []model.SLOResult{pass, fail}},
		}}, true},
		{"baseline violates nothing", model.Run{Variants: []*model.Variant{
			{Name: "x", SLOs: []model.SLOResult{pass}},
			{Name: "naive", ExpectViolation: true, SLOs: []model.SLOResult{pass}},
		}}, false},
		{"baseline without SLOs", model.Run{Variants: []*model.Variant{{Name: "naive", ExpectViolation: true}}}, false},
		{"partial run", model.Run{Partial: true, Variants: []*model.Variant{{Name: "x", SLOs: []model.SLOResult{pass}}}}, false},
		{"partial variant", model.Run{Variants: []*model.Variant{{Name: "x", Partial: true, SLOs: []model.SLOResult{pass}}}}, false},
		{"variant error", model.Run{Variants: []*model.Variant{{Name: "x", Error: "boom", SLOs: []model.SLOResult{pass}}}}, false},
		{"missing metric fails", model.Run{Variants: []*model.Variant{{Name: "x", SLOs: []model.SLOResult{{Name: "m", Missing: true}}}}}, false},
	}
	for _, tt := range tests {
		if got := model.Verdict(&tt.run); got != tt.want {
			t.Errorf("%s: Verdict = %v, want %v", tt.name, got, tt.want)
		}
	}
}
