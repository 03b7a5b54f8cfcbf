// Package field is the typed validation error every layer of faultline
// shares: a problem with one field of a configuration, as a path and a
// message. A configuration's Validate returns them (joined with
// errors.Join when there are several), a parent nests its parts' errors
// under their field names with In, and the scenario loader reads them back
// with All to point at the field's line in the file. No message is ever
// parsed back into a path.
//
// It imports nothing of faultline.
package field

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a problem with one field. Path is the dotted path from the
// configuration's root ("capacity.workers", "targets[0].path"); empty when
// the problem concerns the value as a whole.
type Error struct {
	Path string
	Msg  string
}

// Error returns "path: message", or the message alone when there is no path.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Errorf returns a field error at path with a formatted message.
func Errorf(path, format string, args ...any) error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// In nests err under parent: every field error in it (an errors.Join tree
// is walked) gets parent prepended to its path, and any other error becomes
// a field error at parent. It returns nil for a nil err.
func In(parent string, err error) error {
	all := All(err)
	if len(all) == 0 {
		return nil
	}
	out := make([]error, len(all))
	for i, e := range all {
		out[i] = &Error{Path: Join(parent, e.Path), Msg: e.Msg}
	}
	return errors.Join(out...)
}

// All flattens err into its field errors, in order: errors.Join trees are
// walked, and an error that is not a field error comes out with an empty
// path and its text as the message.
func All(err error) []*Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, All(e)...)
		}
		return out
	}
	var fe *Error
	if errors.As(err, &fe) {
		return []*Error{fe}
	}
	return []*Error{{Msg: err.Error()}}
}

// Join appends child to the dotted path parent: "a" and "b.c" give
// "a.b.c", "a" and "[2]" give "a[2]"; either may be empty.
func Join(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case strings.HasPrefix(child, "["):
		return parent + child
	}
	return parent + "." + child
}
