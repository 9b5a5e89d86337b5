package broadcast_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/alerttest"
	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
)

// TestRestrictedChannelIsPausedNotGone: a channel that took the bot's right to post
// answers "not enough rights": its deliveries stay pending (not failed, not retried),
// the subscriber stays active, the admins are alerted once; when the right is back
// (store.ResumeChat, what the bot does on the my_chat_member update) they go out in
// order. A chat the bot is no longer a member of (another 403) is still marked gone.
func TestRestrictedChannelIsPausedNotGone(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 2, 25) // private chats 10000 and 10001
	ctx := context.Background()
	const channel, left = -1001234567890, 10001
	e.fake.AddChat(telegramtest.Chat{ID: channel, Type: telegramtest.Channel, Title: "Kênh tin chi bộ"})
	if _, _, err := e.store.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: "-1001234567890", Kind: chat.KindChannel}); err != nil {
		t.Fatal(err)
	}
	admin := telegramtest.User{ID: 7, FirstName: "Admin"}
	e.fake.BotRightsChanged(channel, admin, false)
	e.fake.SetState(left, telegramtest.ChatLeft)

	alerts := &alerttest.Recorder{}
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.GroupSpacing = 10 * time.Millisecond
	d.ChatSpacing = 10 * time.Millisecond
	d.Alert = alerts.Alert
	announce(t, e.store, "ann:1")
	announce(t, e.store, "ann:2")
	runFor(t, d)

	chanSub := func() store.Subscriber {
		s, err := e.store.SubscriberByChat(ctx, chat.Telegram, "-1001234567890")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	await.Until(t, "the channel to be paused", func() bool { return chanSub().PausedAt != nil })
	// A third broadcast goes out to the healthy chat: the dispatcher kept going, and
	// passed the paused channel over.
	announce(t, e.store, "ann:3")
	await.Until(t, "three messages to the healthy chat", func() bool { return len(e.fake.Messages(10000)) == 3 })

	if s := chanSub(); s.Status != store.StatusActive || s.PauseReason != string(store.PauseNoRights) {
		t.Fatalf("channel subscriber = %+v; want active, paused for no_rights", s)
	}
	if n := e.fake.Errors(http.StatusBadRequest); n != 1 {
		t.Errorf("the channel was tried %d times; want once, then passed over while paused", n)
	}
	var pending, failed int
	if err := e.db(t).QueryRow(ctx, `SELECT count(*) FILTER (WHERE d.status = 'pending'), count(*) FILTER (WHERE d.status = 'failed')
		FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.address = '-1001234567890'`).Scan(&pending, &failed); err != nil {
		t.Fatal(err)
	}
	if pending != 3 || failed != 0 {
		t.Fatalf("channel deliveries: %d pending, %d failed; want 3 pending", pending, failed)
	}
	if a := alerts.All(); len(a) != 1 || !strings.HasPrefix(a[0].Key, "chat_paused:telegram:-1001234567890:") ||
		!strings.Contains(a[0].Text, "loa subscribers resume") {
		t.Errorf("alerts = %q; want one, keyed by the chat, saying how to resume", a)
	}
	gone, err := e.store.SubscriberByChat(ctx, chat.Telegram, "10001")
	if err != nil || gone.Status != store.StatusGone || gone.StatusReason != string(store.ReasonKicked) {
		t.Fatalf("chat the bot left: %+v, %v; want gone (kicked)", gone, err)
	}

	// The channel's admins give the right back.
	e.fake.BotRightsChanged(channel, admin, true)
	if resumed, err := e.store.ResumeChat(ctx, chat.Telegram, "-1001234567890"); err != nil || !resumed {
		t.Fatalf("ResumeChat = %v, %v", resumed, err)
	}
	await.Until(t, "the waiting messages in the channel", func() bool { return len(e.fake.Messages(channel)) == 3 })
	var got []string
	for _, m := range e.fake.Messages(channel) {
		got = append(got, strings.TrimPrefix(strings.SplitN(m.Text, "\n", 2)[0], "📢 "))
	}
	if strings.Join(got, ",") != "ann:1,ann:2,ann:3" {
		t.Errorf("channel read %q; want ann:1, ann:2, ann:3 in order", got)
	}
	if n := len(alerts.All()); n != 1 {
		t.Errorf("%d alerts; want still one", n)
	}
}

// TestPausedChatsDeliveriesFailAtMaxAge: the dispatcher's sweep fails a paused chat's
// deliveries once they are older than MaxAge (here any age), since the claim never
// hands them to a send that would judge their age; a healthy chat is untouched.
func TestPausedChatsDeliveriesFailAtMaxAge(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25) // private chat 10000
	ctx := context.Background()
	const group = -5550
	e.fake.AddChat(telegramtest.Chat{ID: group, Type: telegramtest.Group, Title: "Chi bộ 3"})
	if _, _, err := e.store.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: "-5550", Kind: chat.KindGroup}); err != nil {
		t.Fatal(err)
	}
	e.fake.BotRightsChanged(group, telegramtest.User{ID: 7, FirstName: "Admin"}, false)
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.MaxAge, d.PausedSweep = time.Nanosecond, 10*time.Millisecond
	announce(t, e.store, "ann:1")
	runFor(t, d)
	db := e.db(t)
	await.Until(t, "the paused group's delivery to fail max_age", func() bool {
		var n int
		err := db.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE s.address = '-5550' AND d.status = 'failed' AND d.reason = 'max_age'`).Scan(&n)
		return err == nil && n == 1
	})
	if got := stats(t, e.store); got.Sent != 1 || got.Failed != 1 || got.Pending != 0 {
		t.Fatalf("stats = %+v; want the private chat's sent, the group's failed", got)
	}
	if s, err := e.store.SubscriberByChat(ctx, chat.Telegram, "-5550"); err != nil || s.Status != store.StatusActive {
		t.Fatalf("group subscriber = %+v, %v; want still active (paused, not gone)", s, err)
	}
}
