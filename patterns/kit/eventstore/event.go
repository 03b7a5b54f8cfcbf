package eventstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Event is one stored event.
type Event struct {
	// Stream names the event stream (an aggregate: "acct-1").
	Stream string `json:"stream"`
	// Seq is the event's position in the store, across every stream: it
	// only grows. An append expects the stream's last Seq.
	Seq uint64 `json:"seq"`
	// Version is the event's position in its stream, 1-based, as the
	// writer stated it: gaps or repeats would mean the concurrency control
	// failed.
	Version uint64 `json:"version"`
	// ID is the client-supplied id that makes the append idempotent.
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
	Time time.Time       `json:"time"`
}

// Headers carrying an event's fields besides its data.
const (
	msgIDHeader   = "Nats-Msg-Id"
	typeHeader    = "Faultline-Type"
	versionHeader = "Faultline-Version"
)

// validName reports whether name can be an event stream: a subject token.
func validName(name string) error {
	if name == "" || len(name) > 128 {
		return fmt.Errorf("eventstore: stream name %q: want 1 to 128 characters", name)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return fmt.Errorf("eventstore: stream name %q: only letters, digits, - and _", name)
		}
	}
	return nil
}

// parseVersion reads the version header; a missing one is 0.
func parseVersion(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}
