package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestModule checks every package of the module against the import rule
// its doc comment ends with, over its transitive non-test imports as
// `go list -deps` sees them.
func TestModule(t *testing.T) {
	root := moduleRoot(t)
	pkgs := goList(t, root)
	var module string
	g := Graph{}
	for _, p := range pkgs {
		g[p.ImportPath] = p.Imports
		if !p.DepOnly && p.Module != nil {
			module = p.Module.Path
		}
	}
	if module == "" {
		t.Fatal("go list found no package of the module")
	}
	rel := func(path string) string {
		if path == module {
			return "."
		}
		return strings.TrimPrefix(path, module+"/")
	}
	var mine []listed // the module's own packages, by path
	for _, p := range pkgs {
		if !p.DepOnly && len(p.GoFiles) > 0 {
			mine = append(mine, p)
		}
	}
	slices.SortFunc(mine, func(a, b listed) int { return strings.Compare(a.ImportPath, b.ImportPath) })
	for _, p := range mine {
		t.Run(rel(p.ImportPath), func(t *testing.T) {
			if p.Error != nil {
				t.Fatalf("%s: %s", rel(p.ImportPath), p.Error.Err)
			}
			doc, file, err := packageDoc(p.Dir, p.GoFiles)
			if err != nil {
				t.Fatalf("%s: %v", rel(p.ImportPath), err)
			}
			rule, err := ParseRule(doc)
			if err != nil {
				t.Fatalf("%s (%s): %v", rel(p.ImportPath), file, err)
			}
			chains, err := Check(module, g, p.ImportPath, rule)
			if err != nil {
				t.Fatalf("%s (%s): %v", rel(p.ImportPath), file, err)
			}
			for _, c := range chains {
				for i := range c {
					c[i] = rel(c[i])
				}
				t.Errorf("%s (%s) breaks its rule %q: %s",
					rel(p.ImportPath), file, rule, strings.Join(c, " → "))
			}
		})
	}
}

// listed is what TestModule reads of `go list -json`.
type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	DepOnly    bool
	Module     *struct{ Path string }
	Error      *struct{ Err string }
}

// goList lists the module's packages and every package they import.
func goList(t *testing.T, root string) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-e", "-json=ImportPath,Dir,GoFiles,Imports,DepOnly,Module,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []listed
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// packageDoc returns a package's doc comment and the file it is in; a doc
// split over several files is an error.
func packageDoc(dir string, files []string) (doc, file string, err error) {
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return "", "", err
		}
		if f.Doc == nil {
			continue
		}
		if file != "" {
			return "", "", fmt.Errorf("the package doc is split over %s and %s; keep one", file, name)
		}
		doc, file = f.Doc.Text(), name
	}
	return doc, file, nil
}

// moduleRoot is the directory of the go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
