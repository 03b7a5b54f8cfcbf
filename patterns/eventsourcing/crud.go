package eventsourcing

import (
	"context"
	"net/http"
	"time"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/kit/service"
)

// crud is the baseline's accounts service: read the balance, check it,
// write the new one (the last write wins), with a ledger row per request.
type crud struct {
	store   string
	client  *http.Client
	timeout time.Duration
}

func newCRUD(c *Config, env patterns.Env, client *http.Client) *crud {
	return &crud{store: env.Upstream(Store), client: client, timeout: c.Accounts.Timeout}
}

// balanceRow is the store's answer and a write's body.
type balanceRow struct {
	Balance int64  `json:"balance"`
	Op      string `json:"op,omitempty"`
	Delta   int64  `json:"delta,omitempty"`
}

func (c *crud) command(w http.ResponseWriter, r *http.Request, cmd command) {
	var row balanceRow
	if err := c.call(r.Context(), http.MethodGet, "/balances/"+cmd.account, nil, &row); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	d := cmd.amount
	if cmd.kind == withdraw {
		if row.Balance < cmd.amount {
			http.Error(w, errInsufficient.Error(), http.StatusUnprocessableEntity)
			return
		}
		d = -d
	}
	next := balanceRow{Balance: row.Balance + d, Op: cmd.op, Delta: d}
	if err := c.call(r.Context(), http.MethodPut, "/balances/"+cmd.account, next, nil); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]any{"balance": next.Balance})
}

func (c *crud) balance(w http.ResponseWriter, r *http.Request) {
	var row balanceRow
	if err := c.call(r.Context(), http.MethodGet, "/balances/"+r.PathValue("account"), nil, &row); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]any{"balance": row.Balance})
}

// audit answers the ledger (every request's row, in insert order) and the
// balances table.
func (c *crud) audit(w http.ResponseWriter, r *http.Request) {
	var out patterns.Audit
	if err := c.call(r.Context(), http.MethodGet, "/audit", nil, &out); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	out.Settled = true
	writeJSON(w, out)
}

// call makes one store call with the store timeout.
func (c *crud) call(ctx context.Context, method, path string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return service.CallJSON(ctx, c.client, method, c.store+path, body, out)
}
