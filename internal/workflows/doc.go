// Package workflows checks the repository's GitHub Actions workflows
// (.github/workflows) with actionlint, as a Go test, so `.ci/run` catches
// a broken workflow before GitHub does. It has no code of its own: the
// check is its test.
//
// It imports nothing of faultline.
package workflows
