package eventsourcing

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/faultline/faultline/patterns"
)

// Commands the accounts service answers:
//
//	POST /accounts/{account}/deposit?op={id}&amount={n}
//	POST /accounts/{account}/withdraw?op={id}&amount={n}
//	GET  /accounts/{account}             the balance (?at={position} or ?time={RFC 3339}: as of then)
const (
	deposit  = "deposit"
	withdraw = "withdraw"
)

// ParseOp reads a client request as an operation of the history: a
// deposit or withdrawal with its id, account and signed amount.
func ParseOp(method, raw string) (patterns.Op, bool) {
	u, err := url.Parse(raw)
	if err != nil || method != "POST" {
		return patterns.Op{}, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 3 || parts[0] != "accounts" {
		return patterns.Op{}, false
	}
	amount, err := strconv.ParseInt(u.Query().Get("amount"), 10, 64)
	id := u.Query().Get("op")
	if err != nil || id == "" || amount <= 0 {
		return patterns.Op{}, false
	}
	switch parts[2] {
	case deposit:
		return patterns.Op{ID: id, Stream: parts[1], Delta: amount}, true
	case withdraw:
		return patterns.Op{ID: id, Stream: parts[1], Delta: -amount}, true
	}
	return patterns.Op{}, false
}
