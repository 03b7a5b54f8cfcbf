package main

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestFirstInterruptExits pins that one SIGINT or SIGTERM ends a command
// with nothing to wind down (validate, list, a scenario load) at once,
// while a run winds down first and only a second signal forces the exit.
func TestFirstInterruptExits(t *testing.T) {
	tests := []struct {
		name     string
		winding  bool
		signals  int
		wantExit bool
	}{
		{"validate, one SIGTERM", false, 1, true},
		{"run, one SIGINT: wind down", true, 1, false},
		{"run, two SIGINTs", true, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			winding.Store(tt.winding)
			defer winding.Store(false)
			sigs := make(chan os.Signal, 2)
			cancelled := make(chan struct{})
			exited := make(chan int, 1)
			var stderr bytes.Buffer
			done := make(chan struct{})
			go func() {
				defer close(done)
				onSignals(sigs, func() { close(cancelled) }, &stderr, func(code int) { exited <- code })
			}()
			for range tt.signals {
				sigs <- syscall.SIGTERM
			}
			<-cancelled
			if !tt.wantExit {
				select {
				case code := <-exited:
					t.Fatalf("exited %d on the first signal of a run: it must wind down", code)
				case <-time.After(50 * time.Millisecond):
				}
				sigs <- syscall.SIGINT // let the handler finish
				<-exited
			} else if code := <-exited; code != exitInterrupted {
				t.Errorf("exit %d, want %d", code, exitInterrupted)
			}
			<-done
		})
	}
}
