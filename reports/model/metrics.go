package model

// Unit is how a metric is measured; SLO thresholds are written in it.
type Unit string

const (
	Ratio     Unit = "ratio"      // 0..1; thresholds may be written "95%"
	Seconds   Unit = "seconds"    // thresholds written as durations ("300ms")
	PerSecond Unit = "per-second" // a rate
	Factor    Unit = "factor"     // a plain number
	Bytes     Unit = "bytes"      // a size, written as a number of bytes
)

// MetricInfo describes a metric SLOs can assert on.
type MetricInfo struct {
	Name string
	Unit Unit
	Doc  string
}

// Metrics lists every metric an SLO can name.
var Metrics = []MetricInfo{
	{"success", Ratio, "share of requests answered 2xx (fallback answers included)"},
	{"degraded", Ratio, "share of requests answered from a fallback"},
	{"errors", Ratio, "share of requests not answered 2xx (error status, timeout, connection error)"},
	{"p50", Seconds, "median latency"},
	{"p90", Seconds, "90th percentile latency"},
	{"p99", Seconds, "99th percentile latency"},
	{"max", Seconds, "maximum latency"},
	{"rate", PerSecond, "client requests per second"},
	{"amplification", Factor, "downstream requests ÷ client requests"},
	{"calls_per_request", Factor, "backend calls the route's requests caused ÷ the route's requests (see CallsSuffix)"},
	{"time_to_fail_fast", Seconds, "time from the fault's start until p99 is back under the bound of the healthy state before the first fault"},
	{"time_to_recover", Seconds, "time from the fault's end until success, degraded share and p99 are back to the healthy levels before the first fault"},
	{"bytes", Bytes, "mean body size of a 2xx answer, in bytes (what the client received)"},
}

// LookupMetric finds a metric by name.
func LookupMetric(name string) (MetricInfo, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricInfo{}, false
}
