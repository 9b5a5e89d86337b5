package broadcast_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/bot/telegram"
	"loa/broadcast"
	"loa/chat"
	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
)

// dispatcher returns another replica's dispatcher for the engine's store and fake.
func (e *engine) dispatcher(t *testing.T, token string, now func() time.Time) *broadcast.Dispatcher {
	t.Helper()
	client, err := telegram.New(telegram.Options{Token: token, APIEndpoint: e.fake.Endpoint()})
	if err != nil {
		t.Fatal(err)
	}
	return &broadcast.Dispatcher{
		Store: e.store, Sender: client, Rate: 25, Limit: 30, Owner: t.Name(), Now: now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func runFor(t *testing.T, ds ...*broadcast.Dispatcher) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, len(ds))
	for _, d := range ds {
		go func() { _ = d.Run(ctx); done <- struct{}{} }()
	}
	stop := sync.OnceFunc(func() {
		cancel()
		for range ds {
			<-done
		}
	})
	t.Cleanup(stop)
	return stop
}

func announce(t *testing.T, st *store.Store, key string) {
	t.Helper()
	if _, _, err := st.CreateBroadcast(context.Background(), store.NewBroadcast{
		SourceKey: key, Kind: store.KindAnnouncement, Topic: "announcements", Title: key,
	}); err != nil {
		t.Fatal(err)
	}
}

func stats(t *testing.T, st *store.Store) store.BroadcastStat {
	t.Helper()
	bs, err := st.BroadcastStats(context.Background(), 1)
	if err != nil || len(bs) != 1 {
		t.Fatalf("broadcast stats: %v, %v", bs, err)
	}
	return bs[0]
}

// TestRateLimitPausesEveryReplica: a 429 seen by one of two replicas stops both for the
// retry_after, and the message it hit is sent afterwards, not lost.
func TestRateLimitPausesEveryReplica(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 20, 25)
	e.fake.Script(10_000, telegramtest.TooManyRequests(2))
	announce(t, e.store, "ann:1")
	saw429 := make(chan time.Time, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if e.fake.WaitFor(ctx, func() bool { return e.fake.Count429() > 0 }) == nil {
			saw429 <- time.Now()
		}
	}()
	runFor(t, e.dispatcher(t, e.fake.Token(), nil), e.dispatcher(t, e.fake.Token(), nil))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.fake.WaitAccepted(ctx, 20); err != nil {
		t.Fatalf("accepted %d of 20", e.fake.Accepted())
	}
	if n := e.fake.Count429(); n != 1 {
		t.Fatalf("%d 429s, want the one scripted", n)
	}
	at := <-saw429
	// Within a moment (the pause refresh and a send in flight), neither replica sent
	// anything until the retry_after had passed.
	for _, m := range e.fake.AllMessages() {
		if m.At.After(at.Add(300*time.Millisecond)) && m.At.Before(at.Add(2*time.Second)) {
			t.Errorf("chat %d got a message %s after the 429, inside its 2 s retry_after", m.ChatID, m.At.Sub(at))
		}
	}
	await.Until(t, "every outcome recorded", func() bool { return stats(t, e.store).Sent == 20 })
	if got := stats(t, e.store); got.Pending != 0 || got.Failed != 0 {
		t.Fatalf("stats = %+v", got)
	}
}

// TestTransientFailuresGiveUpAfterMaxAge: a chat that keeps failing with 5xx is retried
// until the delivery is older than MaxAge, then failed with the reason.
func TestTransientFailuresGiveUpAfterMaxAge(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25)
	var replies []telegramtest.Reply
	for range 10 {
		replies = append(replies, telegramtest.ServerError(502))
	}
	e.fake.Script(10_000, replies...)
	announce(t, e.store, "ann:1")
	// A clock a day and a half ahead: the delivery is already past the 24 h maximum age.
	d := e.dispatcher(t, e.fake.Token(), func() time.Time { return time.Now().Add(36 * time.Hour) })
	runFor(t, d)
	await.Until(t, "the delivery to fail", func() bool { return stats(t, e.store).Failed == 1 })
	_, fails, err := e.store.BroadcastDetail(context.Background(), stats(t, e.store).ID)
	if err != nil || len(fails) != 1 || fails[0].Reason != "max_age" {
		t.Fatalf("failures = %v, %v", fails, err)
	}
	sub, err := e.store.SubscriberByChat(context.Background(), chat.Telegram, "10000")
	if err != nil || sub.Status != store.StatusActive {
		t.Fatalf("a transient failure must not touch the subscriber: %+v, %v", sub, err)
	}
}

// TestRevokedTokenKeepsDeliveriesPending: with a token the API refuses, nothing fails:
// the channel pauses and every delivery waits for a working token.
func TestRevokedTokenKeepsDeliveriesPending(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 5, 25)
	announce(t, e.store, "ann:1")
	stop := runFor(t, e.dispatcher(t, "123:revoked-token", nil))
	await.Until(t, "the channel to pause", func() bool {
		until, reason, err := e.store.ChannelPause(context.Background(), chat.Telegram)
		return err == nil && until.After(time.Now()) && strings.Contains(reason, "unauthorized")
	})
	stop()
	if got := stats(t, e.store); got.Pending != 5 || got.Failed != 0 || got.Sent != 0 {
		t.Fatalf("stats = %+v; want all 5 pending", got)
	}
	// The token works again (an admin fixed it): lift the pause, and everything goes.
	if err := e.store.ResumeChannel(context.Background(), chat.Telegram); err != nil {
		t.Fatal(err)
	}
	runFor(t, e.dispatcher(t, e.fake.Token(), nil))
	await.Until(t, "delivery with the good token", func() bool { return stats(t, e.store).Sent == 5 })
	if n := e.fake.Accepted(); n != 5 {
		t.Fatalf("accepted %d, want 5", n)
	}
}
