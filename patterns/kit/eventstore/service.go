package eventstore

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"

	"github.com/faultline/faultline/patterns"
)

// Service returns the builder of an event store service: a Store on the
// service's data directory (the testbed keeps it across restarts) served by
// Handler. pick chooses the store's options from the pattern's
// configuration (Memory for a durability baseline).
func Service[C any](pick func(c *C) Options) patterns.Builder[C] {
	return func(ctx context.Context, c *C, env patterns.Env) (http.Handler, func(), error) {
		o := pick(c)
		if !o.Memory {
			if env.DataDir == "" {
				return nil, nil, errors.New("eventstore: the testbed gave the service no data directory")
			}
			o.Dir = filepath.Join(env.DataDir, "jetstream")
		}
		s, err := Open(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		return Handler(s), s.Close, nil
	}
}
