// Package clock holds the time helpers every layer of faultline shares: the
// one context-aware sleep. It imports nothing of faultline.
package clock

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx is done, when it returns ctx's error. A
// d <= 0 does not wait: it returns ctx's error, if any.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
