package scenarios

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// errNotRegular says a scenario path names something other than a file.
var errNotRegular = errors.New("not a regular file")

// readLimited reads the regular file at path, refusing anything else before
// opening it (opening a FIFO blocks until a writer comes) and reading
// through a limit, so a file that grows or lies about its size cannot
// exhaust memory. A file larger than MaxFileSize is returned cut just past
// the limit, for Parse to refuse with a position.
func readLimited(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(fi); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should path become a FIFO after the check, opening it
	// still returns at once.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(fi); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

func checkRegular(fi os.FileInfo) error {
	switch {
	case fi.IsDir():
		return fmt.Errorf("%w: it is a directory", errNotRegular)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: it is %s", errNotRegular, kindOf(fi.Mode()))
	}
	return nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a file"
}

// bare drops the operation and path an *fs.PathError repeats.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
