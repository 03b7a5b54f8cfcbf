package model

import "time"

// ActionEvent is one action of a variant's timeline (a migration step):
// planned at At, applied at Applied (zero if it never was).
type ActionEvent struct {
	Name    string        `json:"name"`
	Kind    string        `json:"kind"`
	Target  string        `json:"target"`
	Control string        `json:"control,omitempty"` // what it steers (a route)
	Value   string        `json:"value,omitempty"`   // what it set, as written ("40%")
	At      time.Duration `json:"at"`
	Applied time.Duration `json:"applied,omitempty"`
	Done    bool          `json:"done"`
	Error   string        `json:"error,omitempty"`
}
