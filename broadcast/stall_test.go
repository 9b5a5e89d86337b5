package broadcast_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"loa/broadcast"
	"loa/chat"
	"loa/internal/await"
	"loa/internal/logtest"
	"loa/internal/telegramtest"
)

// stallingSender moves the dispatcher's clock on by stall at its nth send, as if the
// dispatcher's loop (the process, the machine) had stood still for that long: the loop
// wakes to find some of its booked send slots gone by.
type stallingSender struct {
	broadcast.Sender
	sends  atomic.Int32
	nth    int32
	stall  time.Duration
	offset *atomic.Int64
}

func (s *stallingSender) Send(ctx context.Context, to chat.Chat, text string) error {
	if s.sends.Add(1) == s.nth {
		s.offset.Add(int64(s.stall))
	}
	return s.Sender.Send(ctx, to, text)
}

// TestStalledDispatcherDoesNotBurst: two replicas that stood still for 600 ms (a GC
// pause, a starved CPU: both in one process here, as in app's two-replica test, which
// drew a 429 now and then on a loaded machine) do not send the slots they missed all at
// once: each replica's own window keeps it under 30 a second, but together they
// arrived on top of each other and drew 429s from Telegram's 30 messages a second
// (1–3 in each of three runs before the fix). They book fresh slots and leave the
// missed ones empty.
func TestStalledDispatcherDoesNotBurst(t *testing.T) {
	t.Parallel()
	const chats = 60
	e := newEngine(t, chats, 25)
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	a, b := e.dispatcher(t, e.fake.Token(), now), e.dispatcher(t, e.fake.Token(), now)
	a.Owner, b.Owner = "a", "b"
	stalling := &stallingSender{Sender: a.Sender, nth: 10, stall: 600 * time.Millisecond, offset: &offset}
	a.Sender, b.Sender = stalling, stalling
	runFor(t, a, b)
	announce(t, e.store, "after a stall")
	await.On(t, e.fake, "every chat reached", time.Minute, func() bool { return e.fake.Accepted() >= chats })
	if n := e.fake.Count429(); n != 0 {
		t.Errorf("two replicas drew %d 429s after a stall: they sent the slots they missed in a burst", n)
	}
}

// TestFastDispatcherKeepsItsBooking: at a high rate (100,000 a second: slots 10 µs
// apart, less than a timer's own jitter) a dispatcher is always a few slots behind its
// booking without having stood still. Re-booking then would cost a database round trip
// per delivery (BenchmarkThroughput fell from about 3,000 to 400 messages a second);
// it books afresh only when it is late by a share of the APIs' one-second window that
// could make a burst.
func TestFastDispatcherKeepsItsBooking(t *testing.T) {
	t.Parallel()
	const chats = 200
	e := newEngine(t, chats, 100_000, telegramtest.Unthrottled())
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.Rate, d.Limit = 100_000, 100_000
	var log logtest.Buffer
	d.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	runFor(t, d)
	announce(t, e.store, "fast")
	await.On(t, e.fake, "every chat reached", time.Minute, func() bool { return e.fake.Accepted() >= chats })
	if n := strings.Count(log.String(), "behind the booked send slots"); n >= chats/4 {
		t.Errorf("booked fresh send slots %d times for %d deliveries at 100,000 a second: want fewer than %d", n, chats, chats/4)
	}
}
