package scenarios

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/scenarios/traffic"
)

// startProgress shows the attack's progress on w until stop is called: a
// live status line on a terminal, plain periodic lines otherwise. stop
// writes the last line and returns once the display has stopped.
func startProgress(w io.Writer, variant string, a *traffic.Attack, tl *faults.Timeline) (stop func()) {
	if w == nil {
		return func() {}
	}
	live := false
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		live = true
	}
	every := 5 * time.Second
	if live {
		every = 250 * time.Millisecond
	}
	show := func(last bool) {
		line := status(variant, a.Progress(), tl)
		switch {
		case !live:
			fmt.Fprintln(w, line)
		case last:
			fmt.Fprintf(w, "\r\033[K%s\n", line)
		default:
			fmt.Fprintf(w, "\r\033[K%s", line)
		}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				show(true)
				return
			case <-t.C:
				show(false)
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

func status(variant string, p traffic.Progress, tl *faults.Timeline) string {
	active := strings.Join(slices.Concat(tl.Active(), p.Bursts), ",")
	if active == "" {
		active = "-"
	}
	success := "    -"
	if !math.IsNaN(p.Success) {
		success = fmt.Sprintf("%5.1f%%", 100*p.Success)
	}
	short := ""
	if p.Short {
		short = fmt.Sprintf(" SHORT of %.0f", p.PlannedRate)
	}
	// Rate, success and p99 are those of the last closed window, which
	// closes once its slowest request could have timed out.
	return fmt.Sprintf("%-12s %6s/%-6s  %6.0f req/s%s  success %s  p99 %-8s  faults %s",
		variant, p.Elapsed.Round(100*time.Millisecond), p.Planned, p.Rate, short, success,
		p.P99.Round(time.Millisecond), active)
}
