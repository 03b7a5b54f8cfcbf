package patterns

// AuditPath is where the service named by Topology.Audit serves its store's
// content (an Audit, as JSON) for the consistency checker, which reads it
// once the load is over and every fault reverted. A pattern answers it
// from its store as it stands, never from memory of what it acknowledged.
// It is a control (under faults/actions/control.Prefix): the service serves
// it on its control face (service.WithControl), which no load target and no
// Toxiproxy edge reaches.
const AuditPath = "/_faultline/control/audit"

// Audit is a store's content after a load.
type Audit struct {
	// Events are the stored operations in store order.
	Events []AuditEvent `json:"events"`
	// State is each stream's state as the pattern answers it (a balance).
	State map[string]int64 `json:"state"`
	// Projection is the read model's state per stream (CQRS); nil when none.
	Projection map[string]int64 `json:"projection,omitempty"`
	// Versioned says whether the events carry per-stream versions.
	Versioned bool `json:"versioned"`
	// Settled is false while the store is still catching up (a projection
	// behind its events): the checker reads again, for a while.
	Settled bool `json:"settled"`
}

// AuditEvent is one stored operation.
type AuditEvent struct {
	ID      string `json:"id"`     // the client's operation id
	Stream  string `json:"stream"` // the aggregate (an account)
	Version uint64 `json:"version"`
	Delta   int64  `json:"delta"` // its effect on the stream's state
}

// Op is a client request read as an operation of the history.
type Op struct {
	ID     string
	Stream string
	Delta  int64
}

// Consistency is what a pattern whose point is a guarantee states, so the
// harness can record the history and check it.
type Consistency struct {
	// Audit is the service that serves AuditPath.
	Audit string
	// Op reads a client request (method and URL, as the load recorded them)
	// as an operation; ok is false for a request that is not one (a read).
	Op func(method, url string) (op Op, ok bool)
	// Floor, when set, is the least a stream's state may ever be (0: no
	// overdraft).
	Floor *int64
	// LagGauge names a gauge of the projection's lag in events, for the
	// projection_lag metric; "" when the pattern has no projection.
	LagGauge string
}
