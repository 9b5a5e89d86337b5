package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"loa/internal/dbtest"
	"loa/internal/telegramtest"
	"loa/store"
)

// An announcement scheduled from the command line goes out through the service once,
// with its formatting; cancelling it mid-broadcast stops the deliveries still pending.
func TestAnnouncementGoesOutAndCancelStopsItMidBroadcast(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(t)
	dbURL := dbtest.URL(t)
	st := dbtest.StoreAt(t, dbURL)
	ctx := context.Background()
	const chats = 150
	for i := range chats {
		id := int64(40_000 + i)
		fake.AddChat(telegramtest.Chat{ID: id, Type: "private", FirstName: "x"})
		if _, _, err := st.Subscribe(ctx, store.Chat{Channel: "telegram", Address: fmt.Sprint(id), Kind: "private"}); err != nil {
			t.Fatal(err)
		}
	}
	start(t, dbURL, tgEnv(fake, "LOA_TELEGRAM_RATE", "20")...)
	ann, err := st.CreateAnnouncement(ctx, store.NewAnnouncement{
		Body: "Hội nghị *quán triệt Nghị quyết* lúc 8 giờ, xem [giấy mời](https://portal.example.vn/gm)", Topic: store.TopicAnnouncements,
		Schedule: store.ScheduleOnce, NextRunAt: time.Now(),
	}, "cli:test")
	if err != nil {
		t.Fatal(err)
	}
	waitFake(t, fake, "the first deliveries", 30*time.Second, func() bool { return fake.Accepted() >= 20 })
	first := fake.Messages(40_000)
	if len(first) != 1 || !strings.Contains(first[0].RawText, "<b>quán triệt Nghị quyết</b>") ||
		!strings.Contains(first[0].RawText, `<a href="https://portal.example.vn/gm">giấy mời</a>`) {
		t.Fatalf("first chat read %+v", first)
	}
	stopped, err := st.CancelAnnouncement(ctx, ann.ID, "cli:test")
	if err != nil || stopped == 0 {
		t.Fatalf("cancel stopped %d, %v", stopped, err)
	}
	// A send in flight at the cancel finishes and is recorded as sent; after that,
	// what Telegram accepted is exactly what the store says was sent, and the rest
	// was cancelled.
	var b store.BroadcastStat
	eventually(t, "the broadcast to settle", func() bool {
		bs, err := st.BroadcastStats(ctx, 1)
		if err != nil {
			return false
		}
		b = bs[0]
		return b.Pending == 0 && fake.Accepted() == b.Sent
	})
	if b.Sent+b.Cancelled != chats || b.Cancelled == 0 || b.Cancelled > int(stopped) {
		t.Fatalf("after cancel: %+v (stopped %d)", b, stopped)
	}
}
