package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseRate parses a rate written as requests per period: "200/s", "600/m",
// "50/100ms", "1/2s". The period is a unit (ns, us, ms, s, m, h) or a Go
// duration. The count must not be negative.
func ParseRate(s string) (Rate, error) {
	bad := fmt.Errorf("invalid rate %q (want requests per period, like \"200/s\", \"600/m\" or \"50/100ms\")", s)
	num, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		if _, err := strconv.ParseFloat(num, 64); err == nil {
			return Rate{}, fmt.Errorf("rate %q has no period (want e.g. \"%s/s\")", s, num)
		}
		return Rate{}, bad
	}
	freq, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil {
		return Rate{}, bad
	}
	if freq < 0 {
		return Rate{}, fmt.Errorf("negative rate %q", s)
	}
	per = strings.TrimSpace(per)
	switch per {
	case "ns", "us", "µs", "ms", "s", "m", "h":
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return Rate{}, bad
	}
	return Rate{Freq: freq, Per: d}, nil
}

// String writes the rate the way scenarios do: "200/s", "600/m", "50/100ms".
func (r Rate) String() string {
	switch r.Per {
	case time.Second:
		return strconv.Itoa(r.Freq) + "/s"
	case time.Minute:
		return strconv.Itoa(r.Freq) + "/m"
	case time.Hour:
		return strconv.Itoa(r.Freq) + "/h"
	}
	return strconv.Itoa(r.Freq) + "/" + r.Per.String()
}

// UnmarshalText parses a rate with ParseRate.
func (r *Rate) UnmarshalText(b []byte) error {
	x, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = x
	return nil
}

// MarshalText writes the rate as String does.
func (r Rate) MarshalText() ([]byte, error) {
	return []byte(r.String()), nil
}
