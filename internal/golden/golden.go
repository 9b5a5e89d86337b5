// Package golden compares what a test produced with a file kept beside it in
// testdata (a rendered message, a generated fixture), and rewrites the file
// when the test runs with -update, so a reviewer reads every change of text as
// a diff of that file.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files (testdata) with what the tests produce")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Check fails t when got differs from the file at path (relative to the
// package's directory, e.g. testdata/golden/welcome.txt); with -update it
// writes got there first, creating the directories.
func Check[T string | []byte](t testing.TB, path string, got T) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update in the package to create it)", err)
	}
	if string(got) == string(want) {
		return
	}
	if !utf8.ValidString(string(got)) || !utf8.Valid(want) {
		t.Errorf("%s is stale (run go test -update in the package if the new content is right)", path)
		return
	}
	t.Errorf("%s differs (run go test -update in the package if the new text is right)\n got:\n%s\nwant:\n%s", path, got, want)
}
