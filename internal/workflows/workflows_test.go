package workflows

import (
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// linter is actionlint with shellcheck when it is installed (the run:
// scripts are then checked too).
func linter(t *testing.T) *actionlint.Linter {
	t.Helper()
	opts := &actionlint.LinterOptions{}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestWorkflowsPassActionlint(t *testing.T) {
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no workflow under .github/workflows")
	}
	errs, err := linter(t).LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

// TestActionlintCatchesMistakes makes sure the check above can fail.
func TestActionlintCatchesMistakes(t *testing.T) {
	bad := []byte(`on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.evnt.name }}
      - uses: actions/checkout@v4
        with:
          fetch-depht: 1
`)
	errs, err := linter(t).Lint("bad.yml", bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{`"evnt"`, `"fetch-depht"`} {
		if !strings.Contains(all, want) {
			t.Errorf("actionlint did not report %s; it said:\n%s", want, all)
		}
	}
}
