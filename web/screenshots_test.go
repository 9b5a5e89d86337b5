package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"loa/admin"
	"loa/chat"
	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
	"loa/store/storetest"
)

// TestBrowserScreenshots writes the main pages to docs/screenshots/ with a fixed clock
// and data: go test ./web/ -run TestBrowserScreenshots -screenshots (scripts/screenshots).
func TestBrowserScreenshots(t *testing.T) {
	if !*screenshots {
		t.Skip("screenshots are written only with -screenshots")
	}
	ctx := tab(t)
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	fixed := time.Date(2026, 12, 2, 9, 30, 0, 0, hcm)
	now := func() time.Time { return fixed }
	s := startService(t, now)
	seedScreenshotData(t, s, fixed, hcm)
	signIn(t, ctx, s.link(adminID))

	// The announcement sent now pauses the channel that took the bot's right to post
	// (seedScreenshotData): Người nhận shows it with its "Gửi tiếp" button.
	await.Until(t, "the channel without rights to be paused", func() bool {
		sub, err := s.st.SubscriberByChat(context.Background(), chat.Telegram, fmt.Sprint(noRightsChannel))
		return err == nil && sub.PausedAt != nil
	})
	pages := []struct{ name, path string }{
		{"tong-quan", "/"},
		{"thong-bao-danh-sach", "/thong-bao"},
		{"lich", "/lich"},
		{"ban-tin", "/ban-tin"},
		{"nguon-tin", "/nguon-tin"},
		{"nguoi-nhan", "/nguoi-nhan"},
		{"quan-tri", "/quan-tri"},
		{"nhat-ky", "/nhat-ky"},
	}
	for _, p := range pages {
		run(t, ctx, chromedp.Navigate(s.url+p.path), chromedp.WaitVisible(`h1`))
		shot(t, ctx, p.name)
	}
	run(t, ctx, chromedp.Navigate(s.url+"/thong-bao/moi"), chromedp.WaitVisible(`#text`),
		chromedp.SendKeys(`#text`, "Kính mời các đồng chí dự *Hội nghị sơ kết công tác quý IV* lúc _8 giờ, thứ Sáu 4/12_ tại hội trường tỉnh uỷ. "+
			"Tài liệu: [cổng thông tin](https://portal.example/tai-lieu)"))
	waitJS(t, ctx, "the live preview", `document.querySelector('#preview-telegram').innerHTML.includes('<b>Hội nghị')`)
	shot(t, ctx, "thong-bao")
	run(t, ctx, chromedp.Click(`//button[@value="preview"]`), chromedp.WaitVisible(`#audience-size`))
	shot(t, ctx, "xac-nhan")
	// On a phone.
	run(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(`h1`))
	shot(t, ctx, "tong-quan-dien-thoai")
}

// noRightsChannel is the screenshots' channel that took the bot's right to post.
const noRightsChannel = -1001122334455

// seedScreenshotData fills the service with a month of a small province's use.
func seedScreenshotData(t *testing.T, s *service, fixed time.Time, loc *time.Location) {
	t.Helper()
	ctx := context.Background()
	cli := store.Actor{ID: "cli:vanphong", Via: store.ViaCLI}
	if _, err := s.st.As(cli).AddAdmin(ctx, store.Admin{Channel: chat.Zalo, UserID: "3918274650", Name: "Chị Lan (Văn phòng)"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 14; i++ {
		kind := chat.KindPrivate
		if i%5 == 4 {
			kind = chat.KindGroup
		}
		s.fake.AddChat(telegramtest.Chat{ID: int64(7000 + i), Type: telegramtest.ChatType(kind), Title: "Nhóm", FirstName: "Người nhận"})
		if _, _, err := s.st.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(7000 + i), Kind: kind,
			Title: []string{"Chi bộ Văn phòng", "Anh Minh", "Chị Hoa", "Ban Tuyên giáo", "Nhóm Đảng uỷ xã"}[i%5]}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 6; i++ {
		if _, _, err := s.st.Subscribe(ctx, chat.Chat{Channel: chat.Zalo, Address: fmt.Sprintf("z%04d", i), Kind: chat.KindPrivate, Title: "Người nhận Zalo"}); err != nil {
			t.Fatal(err)
		}
	}
	// A channel that took the bot's right to post: the first send to it pauses it.
	s.fake.AddChat(telegramtest.Chat{ID: noRightsChannel, Type: telegramtest.Channel, Title: "Kênh tin Đảng uỷ xã"})
	s.fake.SetState(noRightsChannel, telegramtest.ChatNoRights)
	if _, _, err := s.st.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(noRightsChannel), Kind: chat.KindChannel,
		Title: "Kênh tin Đảng uỷ xã"}); err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetSubscriberStatus(ctx, chat.Telegram, "7002", store.StatusStopped, "/stop"); err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetSubscriberStatus(ctx, chat.Zalo, "z0003", store.StatusGone, "blocked"); err != nil {
		t.Fatal(err)
	}
	// Feeds: one healthy, one failing.
	if _, err := s.st.As(cli).AddFeed(ctx, store.NewFeed{URL: "https://tinhuy.example.vn/rss/tin-tuc", Title: "Tin tức Tỉnh uỷ", Topic: "news", Interval: 5 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	bad, err := s.st.As(cli).AddFeed(ctx, store.NewFeed{URL: "https://baotinh.example.vn/rss/thoi-su", Title: "Báo tỉnh: Thời sự", Topic: "news", Interval: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.st.RecordPollFailure(ctx, store.PollFailure{FeedID: bad.ID, PolledAt: fixed, Err: "HTTP 503 Service Unavailable",
			NextPollAt: fixed.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// A yearly greeting and a weekly announcement.
	ops := &admin.Ops{Store: s.st, Location: loc, Now: func() time.Time { return fixed }}
	me := admin.Actor{Channel: "telegram", UserID: fmt.Sprint(adminID), Via: admin.ViaWeb}
	evs, _ := s.st.Events(ctx, false)
	for _, e := range evs {
		if e.Slug == "quoc-khanh" || e.Title != "" && e.Month == 12 && e.Day == 22 {
			if _, err := ops.Schedule(ctx, me, admin.Announcement{Text: "Chào mừng *{years} năm* {date}!", When: admin.When{EventID: e.ID}}); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if _, err := ops.Schedule(ctx, me, admin.Announcement{Text: "Nhắc lịch *giao ban* sáng thứ Hai, 7 giờ 30.",
		When: admin.When{Repeat: &admin.Repeat{Every: admin.Weekly, Weekdays: []time.Weekday{time.Monday}, Time: "06:30"}}}); err != nil {
		t.Fatal(err)
	}
	// One sent now: on its way on Telegram, waiting on Zalo (off here).
	if _, err := ops.Schedule(ctx, me, admin.Announcement{Text: "Thông báo lịch *tiếp công dân* tháng 12 đã được đăng trên cổng thông tin."}); err != nil {
		t.Fatal(err)
	}
	// A month of history in the daily rollups (what the charts read).
	var hours []storetest.DeliveryHour
	var days []storetest.SubscriberDay
	for d := 29; d >= 0; d-- {
		day := fixed.AddDate(0, 0, -d)
		hour := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc)
		tg := 11 + (d*7)%9
		if d%7 == 2 {
			tg += 30 // a day with an anniversary and an announcement
		}
		hours = append(hours, storetest.DeliveryHour{Hour: hour, Channel: chat.Telegram, Status: store.DeliverySent, N: tg},
			storetest.DeliveryHour{Hour: hour, Channel: chat.Zalo, Status: store.DeliverySent, N: 4 + (d*3)%5},
			storetest.DeliveryHour{Hour: hour, Channel: chat.Telegram, Status: store.DeliveryFailed, N: d % 3})
		active := 9 + (29-d)/3
		days = append(days, storetest.SubscriberDay{Day: day, Channel: chat.Telegram, Status: store.StatusActive, N: active},
			storetest.SubscriberDay{Day: day, Channel: chat.Zalo, Status: store.StatusActive, N: active / 2},
			storetest.SubscriberDay{Day: day, Channel: chat.Telegram, Status: store.StatusStopped, N: 1 + (29-d)/12})
	}
	storetest.SeedRollups(t, s.dbURL, hours, days)
}
