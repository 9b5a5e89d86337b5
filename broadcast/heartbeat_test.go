package broadcast_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/await"
)

// beats records when a dispatcher's heartbeat was called.
type beats struct {
	mu sync.Mutex
	at []time.Time
}

func (b *beats) beat() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.at = append(b.at, time.Now())
}

// span returns how long the beats since from cover and the longest gap between two of
// them (or between from and the first).
func (b *beats) span(from time.Time) (span, gap time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	last := from
	for _, t := range b.at {
		if t.Before(from) {
			continue
		}
		gap = max(gap, t.Sub(last))
		last = t
	}
	return last.Sub(from), gap
}

// TestHeartbeatWhileWaiting: the dispatcher's loop beats at least once a second while
// it deliberately waits — a channel pause longer than a second, and no work at all.
func TestHeartbeatWhileWaiting(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25)
	announce(t, e.store, "ann:paused")
	// A 429 seen by another replica: the channel is paused for 3 s.
	if err := e.store.PauseChannel(context.Background(), chat.Telegram, time.Now().Add(3*time.Second), "429"); err != nil {
		t.Fatal(err)
	}
	var b beats
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.Heartbeat, d.Idle = b.beat, 2*time.Second // idle waits longer than a second too
	from := time.Now()
	runFor(t, d)
	// Through the pause, the send, and an idle wait after it.
	await.Until(t, "beats through the pause and an idle wait", func() bool {
		span, _ := b.span(from)
		return span >= 5*time.Second && e.fake.Accepted() == 1
	})
	if _, gap := b.span(from); gap > time.Second {
		t.Fatalf("the loop went %s without a heartbeat while waiting", gap)
	}
}
