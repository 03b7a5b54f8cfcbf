package model_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/reports/model/modeltest"
)

func TestFinitePoints(t *testing.T) {
	secs := modeltest.Secs
	tests := []struct {
		name string
		in   []model.Point
		want []model.Point
	}{
		{"none", nil, []model.Point{}},
		{"in order", modeltest.Points(0, 1, 2), modeltest.Points(0, 1, 2)},
		{"NaN and Inf dropped, the rest in time order",
			[]model.Point{{T: secs(2), V: 9}, {T: secs(0), V: math.NaN()}, {T: secs(1), V: 4}, {T: secs(3), V: math.Inf(-1)}},
			[]model.Point{{T: secs(1), V: 4}, {T: secs(2), V: 9}}},
	}
	for _, tt := range tests {
		s := model.Series{Points: tt.in}
		got := s.FinitePoints()
		if len(got) != len(tt.want) || len(got) > 0 && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: FinitePoints() = %v, want %v", tt.name, got, tt.want)
		}
		if len(tt.in) > 0 && &got[0] == &s.Points[0] {
			t.Errorf("%s: FinitePoints shares the series' samples", tt.name)
		}
	}
}
