package configdoc

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
)

var update = flag.Bool("update", false, "rewrite comments.json from the source")

const module = "github.com/faultline/faultline"

// TestInStep collects the comments from the source as comments.json was,
// and fails when they differ (-update rewrites it).
func TestInStep(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	t.Chdir(root)
	r := &jsonschema.Reflector{}
	for _, d := range Dirs {
		if err := r.AddGoComments(module, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := json.MarshalIndent(r.CommentMap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(filepath.Join(wd, "comments.json"), got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, raw) {
		t.Errorf("comments.json is out of step with the source's doc comments: run go test ./internal/configdoc -update")
	}
}

func TestField(t *testing.T) {
	type probe struct{ X int }
	key := reflect.TypeFor[probe]().PkgPath() + ".probe.X"
	comments()[key] = "one\n  two"
	defer delete(comments(), key)
	if got := Field(reflect.TypeFor[probe](), "X"); got != "one two" {
		t.Errorf("Field = %q, want %q", got, "one two")
	}
	if got := Field(reflect.TypeFor[probe](), "Y"); got != "" {
		t.Errorf("Field of an undocumented field = %q", got)
	}
	if !strings.Contains(Map()[module+"/faults.Toxic.Toxicity"], "probability") {
		t.Errorf("no comment on faults.Toxic.Toxicity")
	}
}
