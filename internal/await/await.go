// Package await waits, in tests, for an outcome rather than for a span of
// time: on a fake's own change signal where the thing waited for has one (a
// message reaching a fake Bot API), by polling where it has none (rows in the
// database written by a service running on its own clock).
package await

import (
	"context"
	"testing"
	"time"
)

// Signaller announces its changes and re-checks a condition after each one:
// telegramtest.Server and zalotest.Server are.
type Signaller interface {
	WaitFor(ctx context.Context, cond func() bool) error
}

// On waits up to timeout for cond, re-checking it whenever s changes, and
// fails t, naming what it waited for, when the time runs out.
func On(t testing.TB, s Signaller, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.WaitFor(ctx, cond); err != nil {
		t.Fatalf("timed out waiting for %s: %v", what, err)
	}
}

// Deadline is how long Until waits: long, since it matters only when a test
// fails and a loaded machine must not make a passing test fail.
const Deadline = 30 * time.Second

// Until waits for cond, checking it every 10 ms, for state that
// signals nothing (the database's rows); it fails t, naming what it waited
// for, after Deadline.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	Within(t, what, Deadline, cond)
}

// Within is Until with a bound of the test's own, for a wait whose length is
// part of what the test asserts (a standby taking over within its lease); it
// fails t, naming what it waited for and the bound, after timeout.
func Within(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%s)", what, timeout)
		}
		<-tick.C
	}
}
