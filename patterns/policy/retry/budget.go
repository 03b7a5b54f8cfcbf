package retry

import (
	"fmt"
	"sync"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns/policy/internal/window"
)

// The slots of the budget window's counts.
const (
	slotCalls = iota
	slotRetries
)

// budgetSlack absorbs float rounding in the budget's comparison, so that,
// e.g., 5 calls at ratio 0.2 earn exactly one retry.
const budgetSlack = 1e-9

// Budget caps retries to a share of calls, as Finagle's RetryBudget, gRPC's
// retry throttling and Envoy's retry budgets do: every call deposits Ratio
// of a retry, every retry withdraws one, and a retry is refused when the
// balance over the last Window would go negative. MinPerSecond × Window
// retries are granted on top, so that a caller with few calls can still
// retry.
//
// Retries are what turn a dependency's bad minute into an outage: when
// every call fails, each caller multiplies its load by its attempts, and a
// dependency that was briefly slow stays overloaded by retries alone. A
// budget bounds that multiplication to 1+Ratio whatever happens.
//
// A Budget is safe for concurrent use and allocates nothing once created.
type Budget struct {
	ratio   float64
	reserve float64 // MinPerSecond × Window, in retries
	clock   clock.Clock

	mu  sync.Mutex
	win window.Time // calls and retries of the last Window
	n   BudgetCounts
}

// BudgetCounts are a budget's lifetime totals.
type BudgetCounts struct {
	Calls   uint64 // deposits
	Retries uint64 // withdrawals granted
	Refused uint64 // withdrawals refused
}

// NewBudget returns a budget for c (whose Enabled field is ignored), or an
// error if c is invalid. Only the WithClock option applies.
func NewBudget(c BudgetConfig, opts ...Option) (*Budget, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("retry: invalid budget: %w", err)
	}
	o := newOptions(opts)
	b := &Budget{
		ratio:   c.Ratio,
		reserve: c.MinPerSecond * c.Window.Seconds(),
		clock:   o.clock,
	}
	b.win = window.New(c.Window, b.clock.Now())
	return b, nil
}

// Deposit records one call: it earns Ratio of a retry for the next Window.
func (b *Budget) Deposit() {
	now := b.clock.Now()
	b.mu.Lock()
	b.win.Add(now, window.Counts{slotCalls: 1})
	b.n.Calls++
	b.mu.Unlock()
}

// Withdraw asks for one retry. It reports whether the retry is within the
// budget, and if so counts it.
func (b *Budget) Withdraw() bool {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.win.Slide(now)
	if float64(b.win.Total(slotRetries)+1) > b.ratio*float64(b.win.Total(slotCalls))+b.reserve+budgetSlack {
		b.n.Refused++
		return false
	}
	b.win.Add(now, window.Counts{slotRetries: 1})
	b.n.Retries++
	return true
}

// Available is the number of retries Withdraw would grant now.
func (b *Budget) Available() int {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.win.Slide(now)
	return max(0, int(b.ratio*float64(b.win.Total(slotCalls))+b.reserve+budgetSlack)-b.win.Total(slotRetries))
}

// Counts returns the budget's lifetime totals.
func (b *Budget) Counts() BudgetCounts {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}
