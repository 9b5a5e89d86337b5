package shared

import (
	"fmt"
	"strings"
	"testing"
)

// recorder stands in for a test's testing.TB: it keeps what Read logs and whether it
// failed the test (Fatalf ends the call, as it ends a test).
type recorder struct {
	testing.TB
	logs   []string
	failed bool
}

type fatal struct{}

func (r *recorder) Helper() {}
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(fatal{}) }

// read calls Read with r and recovers from its Fatalf.
func (r *recorder) read(rel string) (ok bool) {
	defer func() {
		if v := recover(); v != nil && v != (fatal{}) {
			panic(v)
		}
	}()
	_, ok = Read(r, rel)
	return ok
}

// TestMissingSharedData: a fresh clone (no ../shared beside it, CI unset) leaves the
// check out with a line in the log and does not fail; CI (CI=true) fails.
func TestMissingSharedData(t *testing.T) {
	const rel = "testdata/no-such-file-for-loa-tests.json"
	t.Run("a fresh clone", func(t *testing.T) {
		t.Setenv("CI", "")
		r := &recorder{TB: t}
		if ok := r.read(rel); ok || r.failed || len(r.logs) != 1 || !strings.Contains(r.logs[0], "left out") {
			t.Errorf("Read of missing data outside CI: ok %v, failed %v, logs %q; want left out with one line", ok, r.failed, r.logs)
		}
	})
	t.Run("CI", func(t *testing.T) {
		t.Setenv("CI", "true")
		r := &recorder{TB: t}
		if ok := r.read(rel); ok || !r.failed {
			t.Errorf("Read of missing data with CI=true: ok %v, failed %v; want the test failed", ok, r.failed)
		}
	})
}
