// Package shared reads the project's shared test data: the ../shared folder that sits
// beside CI's checkout (the portal's seed page, the lunar cross-check vectors), not in
// the repository. One rule for every test that reads it: with CI=true the data must be
// there, and its absence fails the test; elsewhere (a fresh clone) the check that needs
// it is left out with a one-line reason, and the rest of the test runs.
package shared

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Required reports whether the shared data must be present: in CI (CI=true).
func Required() bool { return os.Getenv("CI") == "true" }

// Path is the path of rel inside ../shared, beside the repository's root (the folder
// holding go.mod, found upward from the test's working directory).
func Path(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", filepath.FromSlash(rel))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("shared data %s: no go.mod above the test's directory", rel)
		}
		dir = parent
	}
}

// Read returns the shared file rel (e.g. "testdata/lunar-vectors.json") and true. When
// it is missing outside CI it returns false and says why in the test's log, so the
// caller leaves out what needs it (or skips, with the reason); in CI a missing file
// fails t.
func Read(t testing.TB, rel string) ([]byte, bool) {
	t.Helper()
	path := Path(t, rel)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		return b, true
	case errors.Is(err, fs.ErrNotExist) && !Required():
		t.Logf("shared test data not found at %s (present beside CI's checkout; required when CI=true): left out", path)
		return nil, false
	}
	t.Fatalf("shared test data %s is required (CI=true) and could not be read: %v", path, err)
	return nil, false
}
