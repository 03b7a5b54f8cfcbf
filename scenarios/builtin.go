package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/faultline/faultline/patterns"
)

// builtin holds the scenarios shipped with faultline, so `faultline run NAME`
// works from any directory.
//
//go:embed *.yaml
var builtin embed.FS

// Builtin lists the names of the built-in scenarios, sorted.
func Builtin() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Resolve reads a scenario given as a file path or as the name of a
// built-in scenario. A path that exists wins over a built-in name.
func Resolve(ref string, cat patterns.Catalog) (*Scenario, error) {
	if _, err := os.Stat(ref); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ReadFile(ref, cat)
	}
	name := strings.TrimSuffix(ref, ".yaml")
	src, err := builtin.ReadFile(path.Clean(name) + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%s: no such scenario file, and no built-in scenario of that name (built-in: %s)",
			escape(ref), strings.Join(Builtin(), ", "))
	}
	return Parse("builtin:"+name+".yaml", src, cat)
}

// BuiltinSource returns the YAML of the built-in scenario called name.
func BuiltinSource(name string) ([]byte, error) {
	src, err := builtin.ReadFile(path.Clean(name) + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (built-in: %s)", name, strings.Join(Builtin(), ", "))
	}
	return src, nil
}
