package broadcast_test

import (
	"context"
	"fmt"
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
	"loa/store"
)

// logger logs to l.
func logger(l *logtest.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// panicSender panics in Render, or in the first sends, as a renderer or an adapter
// meeting content it cannot handle would.
type panicSender struct {
	broadcast.Sender
	renderPanics bool
	sendPanics   *atomic.Int32 // sends left to panic
}

func (p panicSender) Render(c broadcast.Content) []string {
	if p.renderPanics {
		var parts []string
		return parts[:len(c.Title)] // slice bounds out of range, as a renderer's off-by-one would
	}
	return p.Sender.Render(c)
}

func (p panicSender) Send(ctx context.Context, chat chat.Chat, text string) error {
	if p.sendPanics != nil && p.sendPanics.Add(-1) >= 0 {
		panic("adapter bug: " + chat.Address)
	}
	return p.Sender.Send(ctx, chat, text)
}

// TestPanicInSendIsRecovered: a send that panics does not kill the process; the panic
// is logged with its stack, the delivery is released with backoff and sent on its next
// attempt, and the window the send held is given back.
func TestPanicInSendIsRecovered(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25)
	announce(t, e.store, "ann:panic")
	var left atomic.Int32
	left.Store(1)
	var log logtest.Buffer
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.Sender = panicSender{Sender: d.Sender, sendPanics: &left}
	d.Log, d.RetryBackoff, d.Idle, d.Limit = logger(&log), 100*time.Millisecond, 50*time.Millisecond, 1
	runFor(t, d)
	await.Until(t, "the delivery sent after the panic", func() bool { return stats(t, e.store).Sent == 1 })
	if n := e.fake.Accepted(); n != 1 {
		t.Fatalf("accepted %d, want 1", n)
	}
	out := log.String()
	if !strings.Contains(out, "delivery panicked") || !strings.Contains(out, "adapter bug: 10000") ||
		!strings.Contains(out, "panicSender.Send") {
		t.Fatalf("the panic was not logged with its stack:\n%s", out)
	}
}

// TestRepeatedPanicsFailTheDelivery: a delivery whose rendering panics every time is
// tried MaxPanics times, then failed with reason panic, instead of the sender
// crash-looping.
func TestRepeatedPanicsFailTheDelivery(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25)
	announce(t, e.store, "ann:poison")
	var log logtest.Buffer
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.Sender = panicSender{Sender: d.Sender, renderPanics: true}
	d.Log, d.RetryBackoff, d.Idle = logger(&log), 100*time.Millisecond, 50*time.Millisecond
	stop := runFor(t, d)
	await.Until(t, "the delivery to fail", func() bool { return stats(t, e.store).Failed == 1 })
	stop()
	if n := strings.Count(log.String(), "delivery panicked"); n != broadcast.DefaultMaxPanics {
		t.Fatalf("%d panics logged, want %d", n, broadcast.DefaultMaxPanics)
	}
	if !strings.Contains(log.String(), "delivery failed after repeated panics") {
		t.Fatalf("the failure was not logged:\n%s", log.String())
	}
	var reason, detail string
	var panics int
	if err := e.db(t).QueryRow(context.Background(), `SELECT reason, last_error, panics FROM deliveries`).Scan(&reason, &detail, &panics); err != nil {
		t.Fatal(err)
	}
	if reason != "panic" || panics != broadcast.DefaultMaxPanics || !strings.Contains(detail, "slice bounds out of range") {
		t.Fatalf("delivery: reason %q, %d panics, detail %q", reason, panics, detail)
	}
}

// TestLostClaimStopsTheParts: a broadcast cancelled while its 3-part message is being
// sent to a chat ends there: the part in flight is the last, the write after it is
// refused (the claim is gone) and logged, and the third part is never sent.
func TestLostClaimStopsTheParts(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25)
	const chat = 10000
	g := telegramtest.NewGate()
	e.fake.Script(chat, telegramtest.Reply{}, telegramtest.Hold(g))
	announce(t, e.store, "ann:cancel")
	var log logtest.Buffer
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.Sender = partsSender{Sender: d.Sender, parts: []string{"p1", "p2", "p3"}}
	d.Log, d.Idle = logger(&log), 50*time.Millisecond
	runFor(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-g.Arrived():
	case <-ctx.Done():
		t.Fatal("the second part never reached the API")
	}
	if _, err := e.store.As(store.Actor{ID: "admin", Via: store.ViaBot}).CancelBroadcast(ctx, stats(t, e.store).ID); err != nil {
		t.Fatal(err)
	}
	g.Release()
	await.Until(t, "the lost claim to be noticed", func() bool { return strings.Contains(log.String(), "claim lost") })
	var got []string
	for _, m := range e.fake.Messages(chat) {
		got = append(got, m.Text)
	}
	if fmt.Sprint(got) != "[p1 p2]" {
		t.Fatalf("the chat got %v, want [p1 p2]: nothing after the cancel but the part in flight", got)
	}
	if s := stats(t, e.store); s.Cancelled != 1 || s.Sent != 0 {
		t.Fatalf("stats = %+v, want the delivery cancelled", s)
	}
}
