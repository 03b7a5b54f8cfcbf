package reports

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/faultline/faultline/internal/testkit"
)

// TestWriteOnFullDisk pins what a full disk leaves: the error said once
// (not "write report: write report:"), no .tmp file, and every file that
// fit kept whole.
func TestWriteOnFullDisk(t *testing.T) {
	testkit.Slow(t, "renders every plot")
	tests := []struct {
		name     string
		room     int // bytes the disk takes before it is full
		wantKept []string
	}{
		{"full from the start", 0, nil},
		{"room for the summary only", 1, []string{SummaryFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := 0
			osWriteFile = func(name string, data []byte, perm os.FileMode) error {
				if files >= tt.room {
					// A full disk: the file is created, then the write fails.
					_ = os.WriteFile(name, data[:min(len(data), 10)], perm)
					return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
				}
				files++
				return os.WriteFile(name, data, perm)
			}
			t.Cleanup(func() { osWriteFile = os.WriteFile })
			dir := t.TempDir()
			err := Write(dir, synthRun(false))
			if err == nil {
				t.Fatal("Write on a full disk: no error")
			}
			msg := err.Error()
			if strings.Count(msg, "write report") != 1 || strings.Count(msg, "no space left on device") != 1 || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line saying it once", msg)
			}
			left, _ := filepath.Glob(filepath.Join(dir, "*"))
			var names []string
			for _, f := range left {
				names = append(names, filepath.Base(f))
			}
			if strings.Join(names, ",") != strings.Join(tt.wantKept, ",") {
				t.Errorf("left %v, want %v (no .tmp, nothing cut short)", names, tt.wantKept)
			}
		})
	}
}

// TestWaitWritesWaitsForReport pins what a second Ctrl-C relies on to keep
// report.html: WaitWrites returns only once the report being written is
// whole.
func TestWaitWritesWaitsForReport(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	osWriteFile = func(name string, data []byte, perm os.FileMode) error {
		if strings.HasSuffix(name, HTMLFile+".tmp") {
			close(started)
			<-release
		}
		return os.WriteFile(name, data, perm)
	}
	t.Cleanup(func() { osWriteFile = os.WriteFile })
	dir := t.TempDir()
	errc := make(chan error, 1)
	go func() { errc <- Write(dir, synthRun(false)) }()
	<-started
	waited := make(chan struct{})
	go func() {
		WaitWrites(t.Context())
		close(waited)
	}()
	select {
	case <-waited:
		t.Fatal("WaitWrites returned while report.html was being written")
	default:
	}
	close(release)
	<-waited
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, HTMLFile)); err != nil {
		t.Errorf("report.html: %v", err)
	}
}
