package field

import (
	"errors"
	"reflect"
	"testing"
)

func TestIn(t *testing.T) {
	tests := []struct {
		name   string
		parent string
		err    error
		want   []Error
	}{
		{"nil", "shop", nil, nil},
		{"one", "shop", Errorf("timeout", "must be > 0"), []Error{{"shop.timeout", "must be > 0"}}},
		{"nested", "variants[0]", In("capacity", Errorf("workers", "must be > 0")),
			[]Error{{"variants[0].capacity.workers", "must be > 0"}}},
		{"index", "targets", Errorf("[2].path", "bad"), []Error{{"targets[2].path", "bad"}}},
		{"joined", "b", errors.Join(Errorf("x", "one"), nil, Errorf("", "two")),
			[]Error{{"b.x", "one"}, {"b", "two"}}},
		{"plain error", "b", errors.New("broken"), []Error{{"b", "broken"}}},
		{"wrapped", "b", errors.Join(errors.Join(Errorf("x", "one")), Errorf("y", "two")),
			[]Error{{"b.x", "one"}, {"b.y", "two"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Error
			for _, e := range All(In(tt.parent, tt.err)) {
				got = append(got, *e)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	if got := Errorf("a.b", "must be %d", 3).Error(); got != "a.b: must be 3" {
		t.Errorf("got %q", got)
	}
	if got := Errorf("", "whole").Error(); got != "whole" {
		t.Errorf("got %q", got)
	}
	var fe *Error
	if !errors.As(In("p", Errorf("q", "m")), &fe) || fe.Path != "p.q" {
		t.Errorf("errors.As did not find the nested field error: %v", fe)
	}
}
