package eventsourcing

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/faultline/faultline/patterns"
)

// auditTimeoutFactor times the store call timeout bounds reading the whole
// store for the audit.
const auditTimeoutFactor = 10

// audit answers every stored event and each account's balance as a command
// would load it (snapshot and replay), read from the store now.
func (s *sourced) audit(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), auditTimeoutFactor*s.timeout)
	defer cancel()
	evs, err := s.ev.ReadAll(ctx, 0, 0)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	out := patterns.Audit{State: map[string]int64{}, Versioned: true, Settled: true}
	for _, ev := range evs {
		out.Events = append(out.Events, patterns.AuditEvent{ID: ev.ID, Stream: ev.Stream, Version: ev.Version, Delta: delta(ev)})
		if _, ok := out.State[ev.Stream]; ok {
			continue
		}
		a, err := s.load(ctx, ev.Stream)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		out.State[ev.Stream] = a.Balance
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
