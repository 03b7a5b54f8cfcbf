package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		d       time.Duration
		want    error
		atLeast time.Duration
	}{
		{"waits", context.Background(), 20 * time.Millisecond, nil, 20 * time.Millisecond},
		{"zero does not wait", context.Background(), 0, nil, 0},
		{"done context ends the wait", done, time.Hour, context.Canceled, 0},
		{"zero on a done context", done, 0, context.Canceled, 0},
	}
	for _, tt := range tests {
		start := time.Now()
		err := Sleep(tt.ctx, tt.d)
		if !errors.Is(err, tt.want) || err == nil && tt.want != nil {
			t.Errorf("%s: Sleep = %v, want %v", tt.name, err, tt.want)
		}
		if took := time.Since(start); took < tt.atLeast || took > tt.atLeast+time.Second {
			t.Errorf("%s: took %v", tt.name, took)
		}
	}
}
