package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(r) }

func check[T string | []byte](t *testing.T, path string, got T) (failed bool) {
	t.Helper()
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
		failed = r.failed
	}()
	Check(r, path, got)
	return r.failed
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "golden", "a.txt")
	if !check(t, path, "x") {
		t.Error("a missing file passed")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("Xin chào\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if check(t, path, "Xin chào\n") || check(t, path, []byte("Xin chào\n")) {
		t.Error("the same text failed")
	}
	if !check(t, path, "Xin chao\n") || !check(t, path, []byte{0xff}) {
		t.Error("another text passed")
	}

	*update = true
	defer func() { *update = false }()
	other := filepath.Join(dir, "new", "b.txt")
	if check(t, other, "mới") {
		t.Error("-update failed")
	}
	if b, err := os.ReadFile(other); err != nil || string(b) != "mới" {
		t.Errorf("-update wrote %q, %v", b, err)
	}
}
