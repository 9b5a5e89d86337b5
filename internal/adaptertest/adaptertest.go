// Package adaptertest holds the tests that both messenger adapters (bot/telegram and
// bot/zalo) run against their own client: where the behaviour is the same by design
// (the webhook's secret check and store-then-answer in webhook.go, polling and its
// backoff in poll.go, held sends and paced replies in send.go, the texts they render
// in render.go, the clock the adapters run on), it is written once here and each
// adapter supplies only what differs (its handler, header, wire format and fake
// server).
package adaptertest

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"loa/bot/botapi"
	"loa/internal/logtest"
	"loa/internal/testclock"
)

// NewClock is the clock an adapter's tests run on: it only moves when a test (or the
// client's sleep) moves it.
func NewClock() *testclock.Clock {
	return testclock.New(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
}

// NewClient builds a test client with newClient, given Options, failing the test when
// it cannot; clk is the clock the client is to run on, a new one (NewClock) when nil.
func NewClient[C any](t testing.TB, clk *testclock.Clock, newClient func(botapi.Options) (C, error)) (C, *testclock.Clock, *logtest.Buffer) {
	t.Helper()
	opts, logs := Options()
	c, err := newClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	if clk == nil {
		clk = NewClock()
	}
	return c, clk, logs
}

// Options are a test client's options: its log, at debug level, goes to the returned
// buffer.
func Options() (botapi.Options, *logtest.Buffer) {
	logs := &logtest.Buffer{}
	return botapi.Options{Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}, logs
}

// JSON is v as the fake server would send it (an update, a message).
func JSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Map returns f of each message a fake recorded (its text, say), in order.
func Map[M, T any](msgs []M, f func(M) T) []T {
	var out []T
	for _, m := range msgs {
		out = append(out, f(m))
	}
	return out
}
