//go:build race

package bulkhead

// raceEnabled: the race detector makes sync.Pool drop items at random.
const raceEnabled = true
