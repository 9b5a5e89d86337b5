package apitest

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// Context is a context for a test's calls to a fake: it ends with the test, or
// after 20 s so that a hung call fails the test instead of its binary.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ForTest starts a fake with start and the options applied, and closes it when the
// test ends: each fake's NewServer.
func ForTest[S interface{ Close() }, O any, F ~func(*O)](t testing.TB, start func(O) S, opts []F) S {
	t.Helper()
	s := start(Apply(opts))
	t.Cleanup(s.Close)
	return s
}

// Receive returns the next value from ch, failing t with "<what> did not come" if
// none comes before Context(t) ends.
func Receive[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-Context(t).Done():
		t.Fatalf("%s did not come", what)
		var zero T
		return zero
	}
}

// ClosedAddr is a local address, host:port, where nothing listens.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// NoToken fails t when s (what: a log, an error) shows the bot token or its
// secret part (after the colon).
func NoToken(t testing.TB, what, s, token string) {
	t.Helper()
	_, secret, _ := strings.Cut(token, ":")
	if strings.Contains(s, token) || secret != "" && strings.Contains(s, secret) {
		t.Errorf("%s shows the token: %s", what, s)
	}
}
