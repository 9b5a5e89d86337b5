package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
)

// tgEnv is the configuration that points a replica at the fake Bot API.
func tgEnv(fake *telegramtest.Server, extra ...string) []string {
	return append([]string{
		"LOA_TELEGRAM_TOKEN", fake.Token(),
		"LOA_TELEGRAM_API_ENDPOINT", fake.Endpoint(),
		"LOA_ADMINS", "1",
	}, extra...)
}

// texts returns what a chat read, in order.
func texts(fake *telegramtest.Server, chat int64) []string {
	var out []string
	for _, m := range fake.Messages(chat) {
		out = append(out, m.Text)
	}
	return out
}

// articleTexts returns the messages of a chat that are articles (they carry the
// portal's link), in order.
func articleTexts(fake *telegramtest.Server, chat int64) []string {
	var out []string
	for _, m := range fake.Messages(chat) {
		if strings.Contains(m.Text, "/tin/") {
			out = append(out, strings.SplitN(m.Text, "\n", 2)[0])
		}
	}
	return out
}

func TestTelegramMembersSubscribeAndReceiveEachArticleOnceInOrder(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	p := newPortal(t, 1)
	f := addFeed(t, st, p.srv.URL+"/rss")

	start(t, dbURL, tgEnv(fake)...)
	users := []telegramtest.User{{ID: 101, FirstName: "Lan"}, {ID: 102, FirstName: "Minh"}, {ID: 103, FirstName: "Hà"}}
	for _, u := range users {
		fake.AddChat(telegramtest.Chat{ID: u.ID, Type: "private", FirstName: u.FirstName})
		fake.PushUpdate(fake.Command(u.ID, u, "/start"))
	}
	await.On(t, fake, "three welcomes", 15*time.Second, func() bool {
		return len(fake.Messages(101)) > 0 && len(fake.Messages(102)) > 0 && len(fake.Messages(103)) > 0
	})
	await.Until(t, "the feed to be primed", primed(t, st, f.ID))
	if cmds := fake.Commands(); len(cmds) == 0 {
		t.Error("setMyCommands was not called at start")
	}

	p.publish(2)
	p.publish(3)
	p.publish(4)
	want := "[Bài viết số 2 Bài viết số 3 Bài viết số 4]"
	await.On(t, fake, "three articles in every chat", 30*time.Second, func() bool {
		for _, u := range users {
			if len(articleTexts(fake, u.ID)) < 3 {
				return false
			}
		}
		return true
	})
	for _, u := range users {
		if got := fmt.Sprint(articleTexts(fake, u.ID)); got != want {
			t.Errorf("chat %d read %s, want %s exactly once each, in order", u.ID, got, want)
		}
	}
	if n := fake.Count429(); n != 0 {
		t.Errorf("%d 429s: the engine must pace below the limits", n)
	}
}

func TestTelegramErrorPaths(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	ctx := context.Background()

	// A chat for each outcome, subscribed directly: the inbound side is tested above.
	const (
		ok, blocked, deactivated, notFound, flaky, limited, group, super = 201, 202, 203, 204, 205, 206, -300, -1000300
		forum                                                            = -1000400
	)
	subscribeTelegram(t, fake, st, ok, blocked, deactivated, flaky, limited)
	// notFound is subscribed but the fake has never seen it.
	subscribe(t, st, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(notFound), Kind: chat.KindPrivate})
	fake.AddChat(telegramtest.Chat{ID: group, Type: "group", Title: "Chi bộ"})
	subscribe(t, st, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(group), Kind: chat.KindGroup})
	// A forum whose chosen topic was deleted: the message goes to its main thread.
	fake.AddChat(telegramtest.Chat{ID: forum, Type: "supergroup", Title: "Đảng bộ", IsForum: true})
	subscribe(t, st, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(forum), Kind: chat.KindSupergroup})
	if err := st.SetThread(ctx, chat.Telegram, fmt.Sprint(forum), 999); err != nil {
		t.Fatal(err)
	}
	fake.SetState(blocked, telegramtest.ChatBlocked)
	fake.SetState(deactivated, telegramtest.ChatDeactivated)
	fake.MigrateChat(group, super)
	fake.Script(flaky, telegramtest.BadGateway(), telegramtest.ServerError(500))
	fake.Script(limited, telegramtest.TooManyRequests(1))

	start(t, dbURL, tgEnv(fake)...)
	createBroadcast(t, st, store.NewBroadcast{
		SourceKey: "ann:1", Kind: store.KindAnnouncement, Topic: store.TopicAnnouncements,
		Title: "Thông báo", Summary: "Hội nghị học tập Nghị quyết lúc 8 giờ, thứ hai 10/6/2024 & sau đó <tổng kết>.",
	})

	await.On(t, fake, "delivery to the healthy, flaky, rate-limited and migrated chats", 60*time.Second, func() bool {
		return len(fake.Messages(ok)) == 1 && len(fake.Messages(flaky)) == 1 && len(fake.Messages(limited)) == 1 &&
			len(fake.Messages(super)) == 1 && len(fake.Messages(forum)) == 1
	})
	if th := fake.Messages(forum)[0].ThreadID; th != 0 {
		t.Errorf("forum message went to thread %d, want the main thread", th)
	}
	if got := texts(fake, ok)[0]; !strings.Contains(got, "& sau đó <tổng kết>.") {
		t.Errorf("text arrived as %q: escaping broke it", got)
	}
	await.Until(t, "the unreachable chats to be marked gone", func() bool {
		for _, id := range []int64{blocked, deactivated, notFound} {
			s, err := st.SubscriberByChat(ctx, chat.Telegram, fmt.Sprint(id))
			if err != nil || s.Status != store.StatusGone {
				return false
			}
		}
		return true
	})
	moved, err := st.SubscriberByChat(ctx, chat.Telegram, fmt.Sprint(super))
	if err != nil || moved.Kind != chat.KindSupergroup {
		t.Fatalf("migrated group: %+v, %v", moved, err)
	}
	// The last outcome is recorded just after the fake accepted its message.
	await.Until(t, "every outcome recorded", recorded(st, 1))
	bs := broadcastStats(t, st, 1)
	if b := bs[0]; b.Total != 8 || b.Sent != 5 || b.Failed != 3 || b.Pending != 0 {
		t.Fatalf("broadcast progress = %+v; want 5 sent (ok, flaky, limited, migrated, forum), 3 failed", b)
	}
	_, fails, err := st.BroadcastDetail(ctx, bs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fails); !strings.Contains(got, "blocked") || !strings.Contains(got, "deactivated") || !strings.Contains(got, "chat_not_found") {
		t.Fatalf("failure reasons = %s", got)
	}
	for _, f := range fails {
		// Status and reason come apart, never joined into one string to be split again.
		if f.Status != store.DeliveryFailed || strings.Contains(string(f.Reason), string(store.DeliveryFailed)) {
			t.Errorf("failure %+v: want status %q and the reason alone", f, store.DeliveryFailed)
		}
	}
}

func TestTelegramTwoReplicasSendEachMessageOnce(t *testing.T) {
	t.Parallel()
	const chats = 40
	fake, dbURL, st := subscribedRig(t, 1000, chats)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { start(t, dbURL, tgEnv(fake)...) })
	}
	wg.Wait()
	announceNumbered(t, st, 3, "ann:%d", "Thông báo %d")
	await.On(t, fake, "three messages in every chat", 60*time.Second, func() bool { return fake.Accepted() >= 3*chats })
	for i := range chats {
		id := int64(1000 + i)
		var got []string
		for _, m := range fake.Messages(id) {
			got = append(got, strings.SplitN(m.Text, "\n", 2)[0])
		}
		if len(got) != 3 || !strings.Contains(got[0], "Thông báo 1") || !strings.Contains(got[2], "Thông báo 3") {
			t.Fatalf("chat %d read %q; want the three announcements once each, in order", id, got)
		}
	}
	if n := fake.Count429(); n != 0 {
		t.Errorf("two replicas drew %d 429s: the rate must be shared", n)
	}
}

// TestTelegramThousandSubscribersUnderTheLimit sends one article to 1,000 chats through
// the fake's real limits (30 messages/s per bot) at the default rate: every chat gets it
// exactly once, and Telegram never has to say 429.
func TestTelegramThousandSubscribersUnderTheLimit(t *testing.T) {
	t.Parallel()
	const chats = 1000
	fake, dbURL, st := subscribedRig(t, 20_000, chats)
	start(t, dbURL, tgEnv(fake)...)
	createBroadcast(t, st, store.NewBroadcast{
		SourceKey: "item:1", Kind: store.KindArticle, Topic: "news", Title: "Bài viết mới", Link: "https://portal.example.vn/tin/1",
	})
	await.On(t, fake, "1,000 deliveries", 3*time.Minute, func() bool { return fake.Accepted() >= chats })
	for i := range chats {
		if n := len(fake.Messages(int64(20_000 + i))); n != 1 {
			t.Fatalf("chat %d received %d messages, want 1", 20_000+i, n)
		}
	}
	if n := fake.Count429(); n != 0 {
		t.Fatalf("%d 429s at the default rate", n)
	}
}
