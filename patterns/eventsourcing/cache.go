package eventsourcing

import (
	"context"
	"sync"
)

// cache holds the accounts this instance has loaded, each with a
// one-slot lock: a command on an account waits for the one before it
// (or for its client to leave), so commands on a hot account do not race
// each other inside one instance, and the account is not reloaded for
// each. The store's expected-version check still decides: another
// instance, or a store that lost events, makes an append conflict, and the
// command drops the cached account and reloads it.
type cache struct {
	mu       sync.Mutex
	accounts map[string]*entry
}

type entry struct {
	lock chan struct{} // one slot: held by the command working on the account
	a    *account      // nil: load it
}

func newCache() *cache { return &cache{accounts: map[string]*entry{}} }

// acquire waits for the account's slot; release gives it back.
func (c *cache) acquire(ctx context.Context, id string) (*entry, error) {
	c.mu.Lock()
	e, ok := c.accounts[id]
	if !ok {
		e = &entry{lock: make(chan struct{}, 1)}
		c.accounts[id] = e
	}
	c.mu.Unlock()
	select {
	case e.lock <- struct{}{}:
		return e, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *entry) release() { <-e.lock }
