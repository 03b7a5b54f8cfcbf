package stranglerfig

import (
	"sync"
	"time"

	"github.com/faultline/faultline/internal/clock"
)

// monitor watches modern's answers on one route in fixed windows and trips
// once K windows in a row break a threshold (RollbackConfig). A window is
// judged when the first answer after it arrives; a window with fewer than
// MinCalls answers and comparisons is not judged (it neither breaks nor
// resets the run of bad windows). It trips once.
type monitor struct {
	cfg    RollbackConfig
	clock  clock.Clock
	start  time.Time
	onTrip func()

	mu      sync.Mutex
	window  int64 // index of the window being counted
	cur     tally
	bad     int // bad windows in a row
	tripped bool
}

// tally counts one window.
type tally struct {
	calls, errors  int // modern's answers (real and shadow), failed ones
	compared, diff int // shadow comparisons, real differences
}

func newMonitor(cfg RollbackConfig, c clock.Clock, onTrip func()) *monitor {
	return &monitor{cfg: cfg, clock: c, start: c.Now(), onTrip: onTrip}
}

// call counts one modern answer.
func (m *monitor) call(failed bool) {
	m.observe(func(t *tally) {
		t.calls++
		if failed {
			t.errors++
		}
	})
}

// compared counts one shadow comparison.
func (m *monitor) compared(diff bool) {
	m.observe(func(t *tally) {
		t.compared++
		if diff {
			t.diff++
		}
	})
}

func (m *monitor) observe(count func(*tally)) {
	m.mu.Lock()
	trip := m.advance()
	count(&m.cur)
	m.mu.Unlock()
	if trip {
		m.onTrip()
	}
}

// advance judges the window just ended, if the clock has left it, and
// reports whether the monitor trips now. m.mu must be held.
func (m *monitor) advance() bool {
	w := int64(m.clock.Now().Sub(m.start) / m.cfg.Window)
	if w == m.window {
		return false
	}
	t := m.cur
	m.window, m.cur = w, tally{}
	if m.tripped || (t.calls < m.cfg.MinCalls && t.compared < m.cfg.MinCalls) {
		return false
	}
	if m.breaks(t) {
		m.bad++
	} else {
		m.bad = 0
	}
	m.tripped = m.bad >= m.cfg.Windows
	return m.tripped
}

// breaks says whether a window breaks a threshold.
func (m *monitor) breaks(t tally) bool {
	errRate := t.calls >= m.cfg.MinCalls && float64(t.errors) > m.cfg.MaxErrorRate*float64(t.calls)
	diffRate := t.compared >= m.cfg.MinCalls && float64(t.diff) > m.cfg.MaxDiffRate*float64(t.compared)
	return errRate || diffRate
}
