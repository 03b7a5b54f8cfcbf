package apigateway

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Tenant labels that name no configured tenant.
const (
	// otherTenant counts authenticated tenants the configuration does not
	// list.
	otherTenant = "other"
	// anonymous counts requests without a valid token or without a tenant
	// key. The built-in scenario names its forged-token target so, so that
	// its client route and the gateway's tenant label agree.
	anonymous = "unauthenticated"
)

// errNoKey is a request without a tenant key.
var errNoKey = errors.New("no tenant key")

// identity is who a request says it is: its tenant key (empty when it has
// none), the label metrics count it under, and why it is not authenticated
// (nil when it is).
type identity struct {
	key, label string
	err        error
}

// identifier tells who sent a request: it verifies the bearer token with
// an HMAC key and reads the tenant key from the token's subject or from a
// header.
type identifier struct {
	secret  []byte
	parser  *jwt.Parser
	header  string // the key's header; "" when the key is the subject
	tenants map[string]bool
}

func newIdentifier(auth Auth, limit RateLimit) *identifier {
	header, _ := parseKey(limit.Key) // checked by validate, in the pattern's mode
	id := &identifier{
		secret:  []byte(auth.Secret),
		parser:  jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()})),
		header:  header,
		tenants: map[string]bool{},
	}
	for _, t := range limit.Tenants {
		id.tenants[t] = true
	}
	return id
}

// parseKey parses a rate_limit.key: "sub", or "header:<Name>" (it returns
// the header's name).
func parseKey(key string) (header string, err error) {
	if key == "sub" {
		return "", nil
	}
	if name, ok := strings.CutPrefix(key, "header:"); ok && name != "" {
		return http.CanonicalHeaderKey(name), nil
	}
	return "", fmt.Errorf(`must be "sub" or "header:<Name>", got %q`, key)
}

// identify tells who sent r.
func (id *identifier) identify(r *http.Request) identity {
	sub, err := id.subject(r.Header.Get("Authorization"))
	if err != nil {
		return identity{label: anonymous, err: err}
	}
	key := sub
	if id.header != "" {
		key = r.Header.Get(id.header)
	}
	switch {
	case key == "":
		return identity{label: anonymous, err: errNoKey}
	case id.tenants[key]:
		return identity{key: key, label: key}
	}
	return identity{key: key, label: otherTenant}
}

// subject verifies a bearer token and returns its subject.
func (id *identifier) subject(authorization string) (string, error) {
	raw, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || raw == "" {
		return "", errors.New("no bearer token")
	}
	var claims jwt.RegisteredClaims
	if _, err := id.parser.ParseWithClaims(raw, &claims, id.key); err != nil {
		return "", fmt.Errorf("bad token: %w", err)
	}
	return claims.Subject, nil
}

func (id *identifier) key(*jwt.Token) (any, error) { return id.secret, nil }

// Mint returns a token for subject signed with secret (HS256), without an
// expiry: the kind of token the built-in scenario's targets carry.
func Mint(secret, subject string) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Subject: subject}).SignedString([]byte(secret))
}
