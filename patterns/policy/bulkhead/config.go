package bulkhead

import (
	"errors"
	"time"

	"github.com/faultline/faultline/internal/field"
)

// MaxConcurrentLimit bounds Config.MaxConcurrent.
const MaxConcurrentLimit = 1 << 30

// Config configures a Bulkhead. Start from DefaultConfig; every field must
// be set (New does not fill in zero values).
type Config struct {
	// MaxConcurrent is the number of calls allowed at once, in
	// [1, MaxConcurrentLimit]. Default 25.
	MaxConcurrent int `yaml:"max_concurrent" json:"max_concurrent"`
	// MaxWait is how long a call may wait for a slot when every slot is
	// taken, >= 0; 0 rejects it at once. Waiters get slots in arrival
	// order. Default 0.
	MaxWait time.Duration `yaml:"max_wait" json:"max_wait"`
}

// DefaultConfig returns the documented defaults (resilience4j's): 25
// concurrent calls, no waiting.
func DefaultConfig() Config {
	return Config{MaxConcurrent: 25, MaxWait: 0}
}

// Validate reports every invalid field, each a field error
// (internal/field) whose path is the field's YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.MaxConcurrent < 1 || c.MaxConcurrent > MaxConcurrentLimit {
		errs = append(errs, field.Errorf("max_concurrent", "must be in [1,%d], got %d", MaxConcurrentLimit, c.MaxConcurrent))
	}
	if c.MaxWait < 0 {
		errs = append(errs, field.Errorf("max_wait", "must be >= 0 (0 rejects at once), got %v", c.MaxWait))
	}
	return errors.Join(errs...)
}
