package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
)

// TestChannelThatRestrictedTheBotResumesWhenRightsAreBack: a channel whose admins took
// the bot's right to post is paused, not gone: its message waits, the admins get one
// alert, and the my_chat_member update that gives the right back (what Telegram sends
// when a channel admin switches "Post messages" on again) lets it go out.
func TestChannelThatRestrictedTheBotResumesWhenRightsAreBack(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	ctx := context.Background()
	const channel, member, adminChat = -1009876543210, 301, 1
	fake.AddChat(telegramtest.Chat{ID: channel, Type: telegramtest.Channel, Title: "Kênh Đảng bộ"})
	fake.AddChat(telegramtest.Chat{ID: member, Type: telegramtest.Private, FirstName: "Lan"})
	fake.AddChat(telegramtest.Chat{ID: adminChat, Type: telegramtest.Private, FirstName: "Admin"})
	subscribe(t, st, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(channel), Kind: chat.KindChannel})
	subscribe(t, st, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(member), Kind: chat.KindPrivate})
	admin := telegramtest.User{ID: adminChat, FirstName: "Admin"}
	fake.BotRightsChanged(channel, admin, false)

	start(t, dbURL, tgEnv(fake)...)
	if _, _, err := st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "ann:1", Kind: store.KindAnnouncement,
		Topic: store.TopicAnnouncements, Title: "Họp chi bộ"}); err != nil {
		t.Fatal(err)
	}
	alerts := func() int {
		n := 0
		for _, m := range fake.Messages(adminChat) {
			if strings.Contains(m.Text, fmt.Sprint(channel)) {
				n++
			}
		}
		return n
	}
	await.On(t, fake, "the member's message and the admins' alert", 30*time.Second, func() bool {
		return len(fake.Messages(member)) == 1 && alerts() == 1
	})
	sub, err := st.SubscriberByChat(ctx, chat.Telegram, fmt.Sprint(channel))
	if err != nil || sub.Status != store.StatusActive || sub.PausedAt == nil {
		t.Fatalf("channel subscriber = %+v, %v; want active and paused", sub, err)
	}
	if bs, err := st.BroadcastStats(ctx, 10); err != nil || len(bs) == 0 {
		t.Fatalf("broadcast stats: %v, %v", bs, err)
	} else {
		for _, b := range bs {
			if b.Kind != store.KindAlert && (b.Pending != 1 || b.Failed != 0) {
				t.Fatalf("broadcast %+v; want the channel's delivery pending, none failed", b)
			}
		}
	}

	fake.PushUpdate(fake.BotRightsChanged(channel, admin, true))
	await.On(t, fake, "the waiting message in the channel", 30*time.Second, func() bool {
		return len(fake.Messages(channel)) == 1
	})
	if !strings.Contains(fake.Messages(channel)[0].Text, "Họp chi bộ") {
		t.Errorf("channel got %q", fake.Messages(channel)[0].Text)
	}
	if n := alerts(); n != 1 {
		t.Errorf("%d alerts about the channel; want 1", n)
	}
}
