package cqrs

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/faultline/faultline/patterns"
)

// ParseOp reads POST /accounts/{account}/deposit?op={id}&amount={n} as an
// operation of the history.
func ParseOp(method, raw string) (patterns.Op, bool) {
	u, err := url.Parse(raw)
	if err != nil || method != "POST" {
		return patterns.Op{}, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	amount, err := strconv.ParseInt(u.Query().Get("amount"), 10, 64)
	id := u.Query().Get("op")
	if len(parts) != 3 || parts[0] != "accounts" || parts[2] != "deposit" || err != nil || amount <= 0 || id == "" {
		return patterns.Op{}, false
	}
	return patterns.Op{ID: id, Stream: parts[1], Delta: amount}, true
}
