package botapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	var b Backoff
	var got []time.Duration
	for range 7 {
		got = append(got, b.Next())
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("waits = %v, want 1 s doubling to 30 s", got)
		}
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	refused := errors.New("refused")
	var slept []time.Duration
	sleep := func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }

	calls := 0
	err := Retry(context.Background(), log, "x", func(context.Context) error {
		calls++
		if calls < 4 {
			return errors.New("502")
		}
		return nil
	}, func(err error) bool { return err == refused }, sleep)
	if err != nil || calls != 4 || len(slept) != 3 || slept[2] != 4*time.Second {
		t.Fatalf("err %v, calls %d, slept %v", err, calls, slept)
	}
	if err := Retry(context.Background(), log, "x", func(context.Context) error { return refused },
		func(err error) bool { return err == refused }, sleep); err != refused {
		t.Fatalf("fatal error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Retry(ctx, log, "x", func(context.Context) error { return errors.New("down") },
		func(error) bool { return false }, sleep); err != nil {
		t.Fatalf("ended context: %v", err)
	}
}
