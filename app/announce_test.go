package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
)

// An announcement scheduled from the command line goes out through the service once,
// with its formatting; cancelling it mid-broadcast stops the deliveries still pending.
func TestAnnouncementGoesOutAndCancelStopsItMidBroadcast(t *testing.T) {
	t.Parallel()
	const chats = 150
	fake, dbURL, st := subscribedRig(t, 40_000, chats)
	ctx := context.Background()
	start(t, dbURL, tgEnv(fake, "LOA_TELEGRAM_RATE", "20")...)
	ann, err := st.As(store.Actor{ID: "cli:test", Via: store.ViaCLI}).CreateAnnouncement(ctx, store.NewAnnouncement{
		Body: "Hội nghị *quán triệt Nghị quyết* lúc 8 giờ, xem [giấy mời](https://portal.example.vn/gm)", Topic: store.TopicAnnouncements,
		Schedule: store.ScheduleOnce, NextRunAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	await.On(t, fake, "the first deliveries", 30*time.Second, func() bool { return fake.Accepted() >= 20 })
	first := fake.Messages(40_000)
	if len(first) != 1 || !strings.Contains(first[0].RawText, "<b>quán triệt Nghị quyết</b>") ||
		!strings.Contains(first[0].RawText, `<a href="https://portal.example.vn/gm">giấy mời</a>`) {
		t.Fatalf("first chat read %+v", first)
	}
	stopped, err := st.As(store.Actor{ID: "cli:test", Via: store.ViaCLI}).CancelAnnouncement(ctx, ann.ID)
	if err != nil || stopped == 0 {
		t.Fatalf("cancel stopped %d, %v", stopped, err)
	}
	// A send in flight at the cancel finishes and is recorded as sent; after that,
	// what Telegram accepted is exactly what the store says was sent, and the rest
	// was cancelled.
	var b store.BroadcastStat
	await.Until(t, "the broadcast to settle", func() bool {
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

// A feed that keeps failing is disabled, and the admins — not the members — are told.
func TestAdminsAreAlertedWhenAFeedIsDisabled(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	ctx := context.Background()
	subscribeTelegram(t, fake, st, 1, 2) // the admin (LOA_ADMINS=1) and a member
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(broken.Close)
	f := addFeed(t, st, broken.URL+"/rss")
	start(t, dbURL, tgEnv(fake, "LOA_FEED_MAX_FAILURES", "2")...) // LOA_ADMINS=1
	await.On(t, fake, "the admin's alert", 30*time.Second, func() bool {
		for _, m := range fake.Messages(1) {
			if strings.Contains(m.Text, fmt.Sprintf("Nguồn tin #%d", f.ID)) && strings.Contains(m.Text, "đã bị tắt") {
				return true
			}
		}
		return false
	})
	if msgs := fake.Messages(2); len(msgs) != 0 {
		t.Fatalf("a member received the admins' alert: %+v", msgs)
	}
	got, err := st.Feed(ctx, f.ID)
	if err != nil || got.Enabled {
		t.Fatalf("feed = %+v, %v", got, err)
	}
}

// An admin writes /announce in the bot, sees the preview, presses "Gửi ngay", and the
// members receive it once; a non-admin's /announce is refused and nothing goes out.
func TestAdminAnnouncesFromTheBotWithPreviewAndConfirmation(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	ctx := context.Background()
	admin := telegramtest.User{ID: 1, FirstName: "Chánh Văn phòng"}
	stranger := telegramtest.User{ID: 9, FirstName: "Khách"}
	fake.AddChat(telegramtest.Chat{ID: 1, Type: "private", FirstName: admin.FirstName})
	fake.AddChat(telegramtest.Chat{ID: 9, Type: "private", FirstName: stranger.FirstName})
	subscribeTelegram(t, fake, st, 501, 502)
	start(t, dbURL, tgEnv(fake)...) // LOA_ADMINS=1

	fake.PushUpdate(fake.Command(9, stranger, "/announce Tin giả"))
	fake.PushUpdate(fake.Command(1, admin, "/announce Hội nghị *sơ kết* lúc 8 giờ"))
	var sendData string
	var captionID int
	await.On(t, fake, "the preview with its buttons", 20*time.Second, func() bool {
		for _, m := range fake.Messages(1) {
			if i := strings.Index(string(m.ReplyMarkup), `"a:send:`); i >= 0 {
				rest := string(m.ReplyMarkup)[i+1:]
				sendData, captionID = rest[:strings.IndexByte(rest, '"')], m.MessageID
				return true
			}
		}
		return false
	})
	preview := fake.Messages(1)
	if !strings.Contains(preview[0].RawText, "<b>sơ kết</b>") {
		t.Fatalf("the preview is not what members will see: %q", preview[0].RawText)
	}
	if n := fake.Accepted(); len(fake.Messages(501)) != 0 || len(fake.Messages(502)) != 0 {
		t.Fatalf("something went out before the confirmation (%d accepted)", n)
	}
	await.On(t, fake, "the stranger's refusal", 20*time.Second, func() bool { return len(fake.Messages(9)) > 0 })

	fake.PushUpdate(fake.CallbackQuery(1, admin, captionID, sendData))
	await.On(t, fake, "the announcement in both members' chats", 30*time.Second, func() bool {
		return len(fake.Messages(501)) == 1 && len(fake.Messages(502)) == 1
	})
	if got := fake.Messages(501)[0].Text; !strings.Contains(got, "Hội nghị sơ kết lúc 8 giờ") || strings.Contains(got, "Tin giả") {
		t.Fatalf("member read %q", got)
	}
	log, err := st.AuditLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		found = found || (e.Actor == "telegram:1" && e.Action == "announcement.create")
	}
	if !found {
		t.Fatalf("audit log lacks the admin's confirmation: %+v", log)
	}
}
