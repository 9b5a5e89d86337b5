package botapi

import (
	"context"
	"log/slog"
	"time"
)

// Backoff is the wait between failed Bot API calls: 1 s, doubling, at most 30 s. The
// zero value starts over.
type Backoff struct{ d time.Duration }

// Next returns the wait before the next try and grows the following one.
func (b *Backoff) Next() time.Duration {
	switch {
	case b.d == 0:
		b.d = time.Second
	case b.d < 30*time.Second:
		b.d = min(2*b.d, 30*time.Second)
	}
	return b.d
}

// Retry calls call until it succeeds, backing off between failures. It returns nil when
// call succeeds or ctx ends, and call's error when fatal says no retry can help (a
// refused token). sleep waits (Sleep in production; tests pass a fake clock's).
func Retry(ctx context.Context, log *slog.Logger, what string, call func(context.Context) error,
	fatal func(error) bool, sleep func(context.Context, time.Duration) error) error {
	var bo Backoff
	for {
		err := call(ctx)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if fatal(err) {
			return err
		}
		wait := bo.Next()
		log.Warn(what, slog.String("error", err.Error()), slog.Duration("retry_in", wait))
		if sleep(ctx, wait) != nil {
			return nil
		}
	}
}
