// Package testkit is the one set of helpers faultline's tests share.
//
// Until is for tests that must wait, in real time, for something other
// goroutines or processes make true: it asks again until the condition
// holds, and fails the test saying what it waited for once a deadline has
// passed. Where the code under test runs in memory, testing/synctest makes
// a test exact without polling. ErrorContains checks a validation error
// against the messages a table test expects.
//
// It imports nothing of faultline.
package testkit
