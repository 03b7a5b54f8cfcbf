package apigateway_test

import (
	"fmt"

	"github.com/faultline/faultline/patterns/apigateway"
)

// ExampleMint prints a token for tenant-a signed with the test secret, as
// the built-in scenario's targets carry (HS256 without an expiry, so the
// same every time). Mint others by changing the subject (or the secret,
// for a forged one) and running:
//
//	go test ./patterns/apigateway -run ExampleMint -v
func ExampleMint() {
	tok, err := apigateway.Mint(apigateway.TestSecret, "tenant-a")
	if err != nil {
		panic(err)
	}
	fmt.Println(tok)
	// Output: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZW5hbnQtYSJ9.OeRL2zJsdpjQsw0NsCE4VSm6vz5RfbwM7G1CU7kb09s
}
