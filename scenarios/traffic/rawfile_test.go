package traffic

import (
	"bytes"
	"errors"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/faultline/faultline/reports/model"
)

// fullDisk accepts limit bytes, then fails every write as a full disk does.
type fullDisk struct {
	mu    sync.Mutex
	limit int
	buf   bytes.Buffer
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.buf.Len()+len(p) > d.limit {
		return 0, syscall.ENOSPC
	}
	return d.buf.Write(p)
}

// TestRawResultsFlushedPerWindow pins that every window close leaves the
// raw file holding whole records of everything so far (a killed run used to
// end mid-record at a 64 KiB buffer boundary).
func TestRawResultsFlushedPerWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := testServer(t)
		a, err := NewAttack(Plan{
			Stages:  []Stage{{Duration: 3 * time.Second, Rate: 50}},
			Targets: []Target{{URL: srv.URL + "/ok"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.connect(a)
		disk := &fullDisk{limit: 1 << 30}
		ch := make(chan model.Window)
		errc := make(chan error, 1)
		go func() { errc <- a.Run(t.Context(), disk, ch) }()
		var counted int64
		for w := range ch {
			counted += w.Count
			disk.mu.Lock()
			got := int64(len(decodeAll(t, disk.buf.Bytes())))
			disk.mu.Unlock()
			if got < counted {
				t.Errorf("window at %v closed with %d results counted, %d in the raw file", w.Start, counted, got)
			}
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
}

// TestRawWriteErrorStopsLoad pins that a full disk stops the load at the
// first failed write instead of running to the end of the plan.
func TestRawWriteErrorStopsLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := testServer(t)
		a, err := NewAttack(Plan{
			Stages:  []Stage{{Duration: time.Minute, Rate: 100}},
			Targets: []Target{{URL: srv.URL + "/ok"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.connect(a)
		disk := &fullDisk{limit: 2000} // full within the first second
		began := time.Now()
		_, err = collect(t.Context(), a, disk)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("err = %v, want the disk's ENOSPC", err)
		}
		if took := time.Since(began); took > 5*time.Second {
			t.Errorf("load ran %v of its minute after the disk filled", took)
		}
	})
}
