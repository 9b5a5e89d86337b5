package bot

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"loa/admin"
	"loa/broadcast"
	"loa/calendar"
	"loa/chat"
	"loa/scheduler"
	"loa/store"
)

// The admins' tests run on Wednesday 5 June 2024 at 08:15 in Vietnam.
var (
	zaloAdmin     = User{ID: zaloAdminID, Name: "Quản trị Zalo"}
	zaloAdminChat = chat.Chat{Address: zaloAdminID, Kind: "private", Title: "Quản trị Zalo"}
)

// announceBody is an announcement with every kind of formatting, on several lines.
const announceBody = "Kính gửi các đồng chí,\n\n*Hội nghị sơ kết 6 tháng* diễn ra lúc _8 giờ_ ngày 10/7/2024 " +
	"tại Hội trường tầng 3. Xem [giấy mời](https://tinhuy.example.vn/giay-moi.html)."

// newAdminEnv is a bot on a fresh store, its clock at 08:15 on 5 June 2024.
func newAdminEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t)
	e.at(2024, 6, 5, 8, 15)
	return e
}

// vn is a wall-clock time in Vietnam.
func vn(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, vietnamZone)
}

var vietnamZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// announcement returns an announcement, failing the test if there is none.
func (e *env) announcement(t testing.TB, id int64) store.Announcement {
	t.Helper()
	a, err := e.store.Announcement(context.Background(), id)
	if err != nil {
		t.Fatalf("announcement %d: %v", id, err)
	}
	return a
}

// draft makes an admin's draft through the bot and returns its id.
func (e *env) draft(t testing.TB, text string) int64 {
	t.Helper()
	r := e.handle(msg(adminChat, boss, text))
	if len(r.Replies) != 1 || r.Replies[0].Preview == nil || len(r.Replies[0].Buttons) != 1 {
		t.Fatalf("%s: want a preview with buttons, got\n%s", text, render(r))
	}
	_, id, _, ok := parseAdminData(r.Replies[0].Buttons[0][0].Data)
	if !ok {
		t.Fatalf("button data %q", r.Replies[0].Buttons[0][0].Data)
	}
	return id
}

// addAnnouncement stores a confirmed announcement as the CLI does.
func (e *env) addAnnouncement(t testing.TB, na store.NewAnnouncement) store.Announcement {
	t.Helper()
	if na.Topic == "" {
		na.Topic = store.TopicAnnouncements
	}
	a, err := e.store.As(store.Actor{ID: "cli:vanphong", Via: store.ViaCLI}).CreateAnnouncement(context.Background(), na)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// seedSchedule stores one announcement of each schedule, plus a draft and a cancelled
// one that /scheduled leaves out.
func (e *env) seedSchedule(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	e.addAnnouncement(t, store.NewAnnouncement{Body: "Lịch tiếp công dân *tháng 6*: các ngày 10, 20 và 30.",
		Schedule: store.ScheduleOnce, NextRunAt: vn(2024, 6, 10, 7, 0)})
	e.addAnnouncement(t, store.NewAnnouncement{
		Body:     "Nhắc lịch giao ban đầu tuần của Văn phòng Tỉnh uỷ: 7 giờ 30 sáng thứ Hai hằng tuần, tại phòng họp số 2, tầng 3, trụ sở Tỉnh uỷ.",
		Schedule: store.ScheduleCron, Cron: "0 7 * * 1", Channel: "zalo", NextRunAt: vn(2024, 6, 10, 7, 0)})
	ev, err := e.store.AddEvent(ctx, calendar.Event{Slug: "thanh-lap-dang-bo", Kind: calendar.Solar, Day: 18, Month: 6,
		FoundedYear: 1930, Title: "thành lập Đảng bộ tỉnh", Category: calendar.Organisation, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	e.addAnnouncement(t, store.NewAnnouncement{Body: "Chào mừng {years} năm Ngày thành lập Đảng bộ tỉnh ({founded}).",
		Schedule: store.ScheduleEvent, EventID: &ev.ID, EventTime: "07:00", Topic: store.TopicAnniversaries,
		NextRunAt: vn(2024, 6, 18, 7, 0)})
	e.draft(t, "/announce Bản nháp chưa xác nhận")
	gone := e.addAnnouncement(t, store.NewAnnouncement{Body: "Đã huỷ", Schedule: store.ScheduleOnce, NextRunAt: vn(2024, 6, 9, 7, 0)})
	if _, err := e.store.As(store.Actor{ID: "cli:vanphong", Via: store.ViaCLI}).CancelAnnouncement(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
}

// Chats that receive the broadcasts of the progress tests.
var audience = []chat.Chat{
	{Address: "3001", Kind: "private", Title: "Trần Văn Bình"},
	{Address: "3002", Kind: "private", Title: "Lê Thị Cúc"},
	{Address: "3003", Kind: "private", Title: "Phạm Văn Dũng"},
	{Address: "3004", Kind: "private", Title: "Hoàng Thị Én"},
	{Address: "-4101", Kind: "group", Title: "Chi bộ Phòng Tổng hợp"},
	{Address: "-1004102", Kind: "supergroup", Title: "Đảng bộ Cơ quan"},
	{Address: "-1004103", Kind: "channel", Title: "Kênh Tin Tỉnh uỷ"},
}

// seedProgress subscribes the audience (and a Zalo member, and a chat that stopped),
// sends an announcement through the Announcer, and records outcomes for the Telegram
// deliveries: two sent, one rejected, one blocked (the chat is then gone), the rest
// left pending. It returns the broadcast's id.
func (e *env) seedProgress(t testing.TB) int64 {
	t.Helper()
	ctx := context.Background()
	for _, c := range audience {
		e.subscribe(t, c)
	}
	e.zsubscribe(t, zaloPrivate)
	e.subscribe(t, privateChat)
	if err := e.store.SetSubscriberStatus(ctx, "telegram", privateChat.Address, store.StatusStopped, "stopped by member"); err != nil {
		t.Fatal(err)
	}
	id := e.draft(t, "/announce "+announceBody)
	if r := e.handle(press(adminChat, boss, adminData(actSend, id))); r.CallbackText != sentNowToast {
		t.Fatalf("send: %s", render(r))
	}
	bid := e.runAnnouncements(t)
	ds, err := e.store.ClaimDeliveries(ctx, "telegram", time.Minute, 100, "test")
	if err != nil || len(ds) != len(audience) {
		t.Fatalf("claimed %d deliveries (%v), want %d", len(ds), err, len(audience))
	}
	for _, d := range ds {
		var err error
		switch d.Address {
		case "3001", "3002":
			err = e.store.MarkSent(ctx, d.ID, d.Claim, 1, 0)
		case "3003":
			err = e.store.FailDelivery(ctx, d.ID, d.Claim, store.ReasonRejected, "bad_request (rejected): telegram sendMessage: 400 Bad Request: can't parse entities")
		case "3004":
			err = e.store.SubscriberGone(ctx, d.ID, d.Claim, d.SubscriberID, store.ReasonBlocked, "blocked")
		default:
			err = e.store.RetryDelivery(ctx, d.ID, d.Claim, 0, "", false)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return bid
}

// article makes the broadcast of a news article to the subscribers of "news".
func (e *env) article(t testing.TB) {
	t.Helper()
	if _, _, err := e.store.CreateBroadcast(context.Background(), store.NewBroadcast{
		SourceKey: "item:77", Kind: "article", Topic: "news", Title: "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15",
		Summary: "Sáng 5/6, Ban Chấp hành Đảng bộ tỉnh tổ chức Hội nghị lần thứ 15.", Link: "https://tinhuy.example.vn/tin/15.html",
	}); err != nil {
		t.Fatal(err)
	}
}

// runAnnouncements makes the due runs as the leader's job does, at the bot's clock,
// and returns the one broadcast made.
func (e *env) runAnnouncements(t testing.TB) int64 {
	t.Helper()
	ctx := context.Background()
	a := &scheduler.Announcer{Store: e.store, Location: e.bot.location(), Now: e.bot.now,
		Log: slog.New(slog.DiscardHandler), Event: e.store.Event}
	if n, err := a.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("announcer made %d broadcasts (%v), want 1", n, err)
	}
	bs, err := e.store.Broadcasts(ctx, 1)
	if err != nil || len(bs) != 1 {
		t.Fatalf("broadcasts: %v, %v", bs, err)
	}
	return bs[0].ID
}

// createdTimes are the broadcasts' creation times, which the database sets.
var createdTimes = regexp.MustCompile(`\d\d/\d\d/\d{4} \d\d:\d\d( · đã gửi)|(tạo lúc )\d\d/\d\d/\d{4} \d\d:\d\d`)

// TestAdminGolden pins the wording of the admins' replies in testdata/golden/admin-*.
func TestAdminGolden(t *testing.T) {
	t.Parallel()
	draft := func(text string) func(*testing.T, *env) {
		return func(t *testing.T, e *env) { e.draft(t, text) }
	}
	tests := []goldenCase{
		{name: "admin-announce", update: msg(adminChat, boss, "/announce "+announceBody)},
		{name: "admin-announce-replaces", setup: draft("/announce Bản cũ có lỗi chính tả"),
			update: msg(adminChat, boss, "/announce Bản đã sửa")},
		{name: "admin-announce-usage", update: msg(adminChat, boss, "/announce")},
		{name: "admin-announce-too-long", update: msg(adminChat, boss, "/announce "+strings.Repeat("Thông báo. ", 800))},
		{name: "admin-announce-invalid", update: msg(adminChat, boss, "/announce Thông báo\x00")},
		{name: "admin-announce-zalo", update: zmsg(zaloAdminChat, zaloAdmin, "/announce "+announceBody)},
		{name: "admin-button-send", setup: draft("/announce Họp chi bộ"), update: press(adminChat, boss, "a:send:1")},
		{name: "admin-button-time", setup: draft("/announce Họp chi bộ"), update: press(adminChat, boss, "a:time:1")},
		{name: "admin-button-drop", setup: draft("/announce Họp chi bộ"), update: press(adminChat, boss, "a:drop:1")},
		{name: "admin-button-handled", setup: func(t *testing.T, e *env) {
			e.draft(t, "/announce Họp chi bộ")
			e.handle(press(adminChat, boss, "a:drop:1"))
		}, update: press(adminChat, boss, "a:send:1")},
		{name: "admin-button-member", setup: draft("/announce Họp chi bộ"), update: press(privateChat, member, "a:send:1")},
		{name: "admin-button-confirm", setup: draft("/schedule 10/6/2024 07:00 Họp chi bộ"),
			update: press(adminChat, boss, confirmData(1, vn(2024, 6, 10, 7, 0)))},
		{name: "admin-button-past", setup: draft("/schedule 10/6/2024 07:00 Họp chi bộ"),
			update: press(adminChat, boss, confirmData(1, vn(2024, 6, 5, 8, 0)))},
		{name: "admin-schedule", update: msg(adminChat, boss, "/schedule 10/06/2024 07:00 "+announceBody)},
		{name: "admin-schedule-draft", setup: draft("/announce Họp chi bộ"), update: msg(adminChat, boss, "/schedule 5/6/2024 14h30")},
		{name: "admin-schedule-no-draft", update: msg(adminChat, boss, "/schedule 10/6/2024 07:00")},
		{name: "admin-schedule-past", update: msg(adminChat, boss, "/schedule 05/06/2024 08:00 Họp chi bộ")},
		{name: "admin-schedule-bad", update: msg(adminChat, boss, "/schedule ngày mai 7 giờ Họp chi bộ")},
		{name: "admin-schedule-usage", update: msg(adminChat, boss, "/schedule")},
		{name: "admin-schedule-zalo", update: zmsg(zaloAdminChat, zaloAdmin, "/schedule 10/6/2024 07:00 Họp chi bộ")},
		{name: "admin-xacnhan-zalo", setup: func(t *testing.T, e *env) {
			e.handle(zmsg(zaloAdminChat, zaloAdmin, "/announce Họp chi bộ"))
		}, update: zmsg(zaloAdminChat, zaloAdmin, "/xacnhan 1")},
		{name: "admin-huy-zalo", setup: func(t *testing.T, e *env) {
			e.handle(zmsg(zaloAdminChat, zaloAdmin, "/schedule 10/6/2024 07:00 Họp chi bộ"))
		}, update: zmsg(zaloAdminChat, zaloAdmin, "/huy 1")},
		{name: "admin-scheduled", setup: func(t *testing.T, e *env) { e.seedSchedule(t) }, update: msg(adminChat, boss, "/scheduled")},
		{name: "admin-scheduled-empty", update: msg(adminChat, boss, "/scheduled")},
		{name: "admin-cancel", setup: func(t *testing.T, e *env) { e.seedSchedule(t) }, update: msg(adminChat, boss, "/cancel 2")},
		{name: "admin-cancel-under-way", setup: func(t *testing.T, e *env) { e.seedProgress(t) }, update: msg(adminChat, boss, "/cancel 1")},
		{name: "admin-cancel-not-found", update: msg(adminChat, boss, "/cancel 99")},
		{name: "admin-cancel-again", setup: func(t *testing.T, e *env) { e.seedSchedule(t) }, update: msg(adminChat, boss, "/cancel 5")},
		{name: "admin-cancel-usage", update: msg(adminChat, boss, "/cancel số mấy")},
		{name: "admin-stats", setup: func(t *testing.T, e *env) { e.seedProgress(t) }, update: msg(adminChat, boss, "/stats")},
		{name: "admin-stats-empty", update: msg(adminChat, boss, "/stats")},
		{name: "admin-broadcast", setup: func(t *testing.T, e *env) { e.seedProgress(t) }, update: msg(adminChat, boss, "/broadcast 1")},
		{name: "admin-broadcast-recent", setup: func(t *testing.T, e *env) {
			e.seedProgress(t)
			e.article(t)
		}, update: msg(adminChat, boss, "/broadcast")},
		{name: "admin-broadcast-article", setup: func(t *testing.T, e *env) {
			e.subscribe(t, privateChat)
			e.article(t)
		}, update: msg(adminChat, boss, "/broadcast 1")},
		{name: "admin-broadcast-not-found", update: msg(adminChat, boss, "/broadcast 34")},
		{name: "admin-broadcast-none", update: msg(adminChat, boss, "/broadcast")},
		{name: "admin-refused", update: msg(privateChat, member, "/stats")},
		{name: "admin-refused-cancel", update: msg(privateChat, member, "/cancel")},
		{name: "admin-refused-group", update: msg(groupChat, member, "/announce@loa_bot Tin giả")},
		{name: "admin-refused-zalo", update: zmsg(zaloPrivate, zaloMember, "/cancel 1")},
		{name: "admin-help", update: msg(adminChat, boss, "/help")},
		{name: "admin-help-zalo", update: zmsg(zaloAdminChat, zaloAdmin, "trợ giúp")},
	}
	runGolden(t, tests, newAdminEnv, func(t *testing.T, e *env, r Response) string {
		if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
			t.Errorf("errors logged:\n%s", e.logs)
		}
		return createdTimes.ReplaceAllString(render(r), "${2}[giờ tạo]${1}")
	})
}

// TestAnnounceSendNow: the whole flow of "Gửi ngay", from /announce to the broadcast
// the leader's job makes of it.
func TestAnnounceSendNow(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	ctx := context.Background()
	e.subscribe(t, privateChat)

	r := e.handle(msg(adminChat, boss, "/announce@loa_bot\n"+announceBody+"\n"))
	if len(r.Replies) != 1 {
		t.Fatalf("/announce: %s", render(r))
	}
	rp := r.Replies[0]
	if rp.Preview == nil || rp.Preview.Summary != announceBody || rp.Preview.Kind != "announcement" {
		t.Fatalf("preview %+v", rp.Preview)
	}
	if len(rp.Buttons) != 1 || len(rp.Buttons[0]) != 3 {
		t.Fatalf("want one row of three buttons: %s", render(r))
	}
	for i, want := range []string{sendNowButton, timeButton, dropButton} {
		if rp.Buttons[0][i].Text != want {
			t.Errorf("button %d: %q, want %q", i, rp.Buttons[0][i].Text, want)
		}
	}
	a := e.announcement(t, 1)
	if a.Status != "draft" || a.Body != announceBody || a.CreatedBy != "telegram:"+adminID || a.NextRunAt != nil {
		t.Fatalf("draft %+v", a)
	}
	// Nothing is due before the confirmation.
	if due, err := e.store.DueAnnouncements(ctx, vn(2030, 1, 1, 0, 0)); err != nil || len(due) != 0 {
		t.Fatalf("due before confirmation: %v, %v", due, err)
	}
	if log, err := e.store.AuditLog(ctx, 10); err != nil || len(log) != 0 {
		t.Errorf("audit before confirmation: %+v, %v", log, err)
	}

	r = e.handle(press(adminChat, boss, rp.Buttons[0][0].Data))
	if r.CallbackText != sentNowToast || r.Edit == nil || r.Edit.Text != sentNowText(1) || len(r.Edit.Buttons) != 0 || len(r.Replies) != 0 {
		t.Fatalf("Gửi ngay: %s", render(r))
	}
	a = e.announcement(t, 1)
	if a.Status != "scheduled" || a.NextRunAt == nil || !a.NextRunAt.Equal(e.bot.now()) {
		t.Fatalf("after Gửi ngay: %+v, want scheduled at %v", a, e.bot.now())
	}
	log, err := e.store.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 {
		t.Fatalf("audit: %+v, %v", log, err)
	}
	if log[0].Action != "announcement.create" || log[0].Actor != "telegram:"+adminID || log[0].Target != "announcement 1" {
		t.Errorf("audit entry %+v", log[0])
	}

	// A double tap, or another admin's press, does not confirm twice.
	if r := e.handle(press(adminChat, boss, rp.Buttons[0][0].Data)); r.CallbackText != draftHandledToast || r.Edit != nil {
		t.Errorf("second press: %s", render(r))
	}
	if r := e.handle(press(adminChat, boss, rp.Buttons[0][2].Data)); r.CallbackText != draftHandledToast {
		t.Errorf("Huỷ after Gửi ngay: %s", render(r))
	}

	// The broadcast says what the preview showed.
	bid := e.runAnnouncements(t)
	bs, _, err := e.store.BroadcastDetail(ctx, bid)
	if err != nil {
		t.Fatal(err)
	}
	got := broadcast.Content{Kind: bs.Kind, Topic: bs.Topic, Title: bs.Title, Summary: bs.Summary, Link: bs.Link}
	if got != *rp.Preview {
		t.Errorf("broadcast %+v, preview %+v", got, *rp.Preview)
	}
	if bs.Total != 1 {
		t.Errorf("%d deliveries, want 1", bs.Total)
	}
	if !strings.Contains(e.logs.String(), `"msg":"announcement confirmed"`) {
		t.Errorf("confirmation not logged:\n%s", e.logs)
	}
}

// TestAnnounceDrop: "Huỷ" drops the draft; nothing is scheduled or audited.
func TestAnnounceDrop(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	ctx := context.Background()
	id := e.draft(t, "/announce Họp chi bộ")
	r := e.handle(press(adminChat, boss, adminData(actDrop, id)))
	if r.CallbackText != discardedToast || r.Edit == nil || len(r.Edit.Buttons) != 0 {
		t.Fatalf("Huỷ: %s", render(r))
	}
	if a := e.announcement(t, id); a.Status != store.AnnouncementDiscarded {
		t.Errorf("status %q, want discarded", a.Status)
	}
	for _, data := range []string{adminData(actSend, id), adminData(actTime, id), adminData(actDrop, id)} {
		if r := e.handle(press(adminChat, boss, data)); r.CallbackText != draftHandledToast || r.Edit != nil {
			t.Errorf("%s after Huỷ: %s", data, render(r))
		}
	}
	if due, err := e.store.DueAnnouncements(ctx, vn(2030, 1, 1, 0, 0)); err != nil || len(due) != 0 {
		t.Errorf("due after Huỷ: %v, %v", due, err)
	}
	if log, err := e.store.AuditLog(ctx, 10); err != nil || len(log) != 0 {
		t.Errorf("audit after Huỷ: %+v, %v", log, err)
	}
	// Without a message to edit (a very old message), the press is still answered.
	id = e.draft(t, "/announce Họp chi bộ lần 2")
	u := press(adminChat, boss, adminData(actDrop, id))
	u.Callback.MessageID = ""
	if r := e.handle(u); r.CallbackText != discardedToast || r.Edit != nil {
		t.Errorf("press without a message: %s", render(r))
	}
}

// TestAnnounceReplacesDraft: a new draft drops the admin's earlier one, whose buttons
// then send nothing; another admin's draft is left alone.
func TestAnnounceReplacesDraft(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	first := e.draft(t, "/announce Bản có lỗi")
	if r := e.handle(zmsg(zaloAdminChat, zaloAdmin, "/announce Bản của quản trị viên Zalo")); len(r.Replies) != 1 {
		t.Fatalf("zalo draft: %s", render(r))
	}
	second := e.draft(t, "/announce Bản đã sửa")
	if a := e.announcement(t, first); a.Status != store.AnnouncementDiscarded {
		t.Errorf("first draft %q, want discarded", a.Status)
	}
	if a := e.announcement(t, 2); a.Status != "draft" {
		t.Errorf("the other admin's draft %q, want draft", a.Status)
	}
	if r := e.handle(press(adminChat, boss, adminData(actSend, first))); r.CallbackText != draftHandledToast {
		t.Errorf("stale Gửi ngay: %s", render(r))
	}
	if a := e.announcement(t, second); a.Status != "draft" {
		t.Errorf("second draft %q", a.Status)
	}
}

// TestSchedule: /schedule with text, without text (the latest draft), the confirmation
// at the time the button showed, and the times refused.
func TestSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := vn(2024, 6, 10, 7, 0)

	t.Run("with text", func(t *testing.T) {
		t.Parallel()
		e := newAdminEnv(t)
		r := e.handle(msg(adminChat, boss, "/schedule 10/6/2024 07:00 Họp *chi bộ*\nthường kỳ"))
		if len(r.Replies) != 1 || r.Replies[0].Preview == nil || r.Replies[0].Preview.Summary != "Họp *chi bộ*\nthường kỳ" {
			t.Fatalf("/schedule: %s", render(r))
		}
		kb := r.Replies[0].Buttons
		if len(kb) != 1 || len(kb[0]) != 2 || kb[0][0].Text != confirmButton || kb[0][1].Text != dropButton {
			t.Fatalf("buttons %v", kb)
		}
		a := e.announcement(t, 1)
		if a.Status != "draft" || a.NextRunAt == nil || !a.NextRunAt.Equal(at) {
			t.Fatalf("draft %+v, want a draft at %v", a, at)
		}
		r = e.handle(press(adminChat, boss, kb[0][0].Data))
		if r.CallbackText != scheduledToast || r.Edit == nil || len(r.Edit.Buttons) != 0 {
			t.Fatalf("Xác nhận: %s", render(r))
		}
		a = e.announcement(t, 1)
		if a.Status != "scheduled" || !a.NextRunAt.Equal(at) {
			t.Errorf("after Xác nhận: %+v", a)
		}
		if due, err := e.store.DueAnnouncements(ctx, at.Add(-time.Minute)); err != nil || len(due) != 0 {
			t.Errorf("due before its time: %v, %v", due, err)
		}
		if due, err := e.store.DueAnnouncements(ctx, at); err != nil || len(due) != 1 {
			t.Errorf("due at its time: %v, %v", due, err)
		}
		log, err := e.store.AuditLog(ctx, 1)
		if err != nil || len(log) != 1 || log[0].Action != "announcement.create" || log[0].Actor != "telegram:"+adminID {
			t.Errorf("audit %+v, %v", log, err)
		}
	})

	t.Run("latest draft", func(t *testing.T) {
		t.Parallel()
		e := newAdminEnv(t)
		id := e.draft(t, "/announce Họp chi bộ")
		r := e.handle(press(adminChat, boss, adminData(actTime, id)))
		if r.CallbackText != timeHelpToast || r.Edit == nil || !strings.Contains(r.Edit.Text, "/schedule 06/06/2024 07:00") {
			t.Fatalf("Hẹn giờ: %s", render(r))
		}
		if a := e.announcement(t, id); a.Status != "draft" || a.NextRunAt != nil {
			t.Fatalf("Hẹn giờ changed the draft: %+v", a)
		}
		r = e.handle(msg(adminChat, boss, "/schedule 2024-06-10 7:00"))
		if len(r.Replies) != 1 || r.Replies[0].Preview == nil || r.Replies[0].Preview.Summary != "Họp chi bộ" {
			t.Fatalf("/schedule without text: %s", render(r))
		}
		if a := e.announcement(t, id); a.Status != "draft" || a.NextRunAt == nil || !a.NextRunAt.Equal(at) {
			t.Fatalf("draft %+v, want its time set to %v", a, at)
		}
		// Another time, then the old preview's button: the button's time is what is
		// confirmed, as its preview said.
		old := r.Replies[0].Buttons[0][0].Data
		e.handle(msg(adminChat, boss, "/schedule 11/6/2024 07:00"))
		if r := e.handle(press(adminChat, boss, old)); r.CallbackText != scheduledToast {
			t.Fatalf("Xác nhận: %s", render(r))
		}
		if a := e.announcement(t, id); a.Status != "scheduled" || !a.NextRunAt.Equal(at) {
			t.Errorf("after Xác nhận: %+v, want scheduled at %v", a, at)
		}
		if n := len(listDrafts(t, e)); n != 0 {
			t.Errorf("%d drafts left", n)
		}
	})

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		e := newAdminEnv(t)
		for _, tt := range []struct{ text, want string }{
			{"/schedule 05/06/2024 08:15 Họp", pastTimeText("08:15, thứ Tư, ngày 5/6/2024", "08:15, thứ Tư, ngày 5/6/2024")},
			{"/schedule 4/6/2024 09:00 Họp", pastTimeText("09:00, thứ Ba, ngày 4/6/2024", "08:15, thứ Tư, ngày 5/6/2024")},
			{"/schedule 31/6/2024 07:00 Họp", badWhenText},
			{"/schedule 10/6/2024 24:00 Họp", badWhenText},
			{"/schedule 10/6/2024", "Chưa đọc được giờ. Vui lòng ghi theo dạng giờ:phút, ví dụ: 07:00 hoặc 7h30. " +
				"Gửi lại theo mẫu: /schedule 06/06/2024 07:00 <nội dung>"},
			{"/schedule 10/6/2024 07:00 ", "Bạn chưa có bản nháp nào. " + writeDraftHint},
			{"/schedule 10/6/2024 07:00 \xff", "Nội dung thông báo có ký tự không hợp lệ. Vui lòng gõ lại nội dung rồi gửi lại."},
		} {
			if got := text(t, e.handle(msg(adminChat, boss, tt.text))); got != tt.want {
				t.Errorf("%q:\n%s\nwant:\n%s", tt.text, got, tt.want)
			}
		}
		// The time order does not matter.
		if r := e.handle(msg(adminChat, boss, "/schedule 07:00 10/6/2024 Họp")); len(r.Replies) != 1 || r.Replies[0].Preview == nil {
			t.Errorf("time first: %s", render(r))
		}
		// A confirmation whose time has passed meanwhile is refused.
		id := e.draft(t, "/schedule 5/6/2024 08:30 Họp")
		e.at(2024, 6, 5, 8, 31)
		if r := e.handle(press(adminChat, boss, confirmData(id, vn(2024, 6, 5, 8, 30)))); r.CallbackText != pastButtonToast || r.Edit != nil {
			t.Errorf("late Xác nhận: %s", render(r))
		}
		if got := text(t, e.handle(msg(adminChat, boss, "/xacnhan "+strconv.FormatInt(id, 10)))); got != pastTimeText("08:30, thứ Tư, ngày 5/6/2024", "08:31, thứ Tư, ngày 5/6/2024")+" "+rescheduleHint {
			t.Errorf("late /xacnhan: %s", got)
		}
		if a := e.announcement(t, id); a.Status != "draft" {
			t.Errorf("a past time was confirmed: %+v", a)
		}
	})
}

// The admin layer's refusals as the bot words them: admin.Message, then the bot's hint.
// The texts are the bot's own from before the admin layer, unchanged but for the dates.

const badWhenText = "Chưa đọc được ngày giờ. Vui lòng ghi theo dạng ngày/tháng/năm giờ:phút, ví dụ: " +
	"05/06/2024 07:00 hoặc 5/6/2024 7h30. Gửi lại theo mẫu: /schedule 06/06/2024 07:00 <nội dung>"

func pastTimeText(when, now string) string {
	return "Thời điểm " + when + " đã qua (bây giờ là " + now + "). Vui lòng chọn một thời điểm trong tương lai."
}

func draftHandledText(id int64) string {
	return "Thông báo số " + strconv.FormatInt(id, 10) + " không còn là bản nháp (đã được xác nhận hoặc đã huỷ). " +
		"Gửi /scheduled để xem các thông báo đã lên lịch."
}

func otherAdminDraftText(id int64) string {
	return "Bản nháp số " + strconv.FormatInt(id, 10) + " do quản trị viên khác soạn; chỉ người soạn mới gửi, " +
		"hẹn giờ hoặc huỷ được. Bạn có thể soạn thông báo của mình bằng lệnh /announce."
}

func draftNotFoundText(id int64) string {
	return "Không tìm thấy bản nháp số " + strconv.FormatInt(id, 10) + ". Vui lòng kiểm tra lại số trong bản xem trước."
}

func cancelNotFoundText(id int64) string {
	return "Không tìm thấy thông báo số " + strconv.FormatInt(id, 10) + ". Gửi /scheduled để xem các thông báo đã lên lịch."
}

func alreadyCancelledText(id int64) string {
	return "Thông báo số " + strconv.FormatInt(id, 10) + " đã được huỷ trước đó."
}

// listDrafts returns the admin's open drafts.
func listDrafts(t *testing.T, e *env) []store.Announcement {
	t.Helper()
	d, err := e.store.LatestDraft(context.Background(), "telegram:"+adminID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return []store.Announcement{d}
}

// TestZaloTyped: on Zalo the buttons are typed: /xacnhan and /huy.
func TestZaloTyped(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	ctx := context.Background()
	r := e.handle(zmsg(zaloAdminChat, zaloAdmin, "/announce Họp chi bộ"))
	if len(r.Replies) != 1 || r.Replies[0].Preview == nil || len(r.Replies[0].Buttons) != 0 ||
		!strings.Contains(r.Replies[0].Text, "/xacnhan 1") || !strings.Contains(r.Replies[0].Text, "/huy 1") {
		t.Fatalf("zalo /announce: %s", render(r))
	}
	if got := text(t, e.handle(zmsg(zaloAdminChat, zaloAdmin, "/xacnhan 1"))); got != sentNowText(1) {
		t.Errorf("/xacnhan: %s", got)
	}
	a := e.announcement(t, 1)
	if a.Status != "scheduled" || !a.NextRunAt.Equal(e.bot.now()) || a.CreatedBy != "zalo:"+zaloAdminID {
		t.Errorf("after /xacnhan: %+v", a)
	}
	if log, err := e.store.AuditLog(ctx, 1); err != nil || len(log) != 1 || log[0].Actor != "zalo:"+zaloAdminID {
		t.Errorf("audit %+v, %v", log, err)
	}
	for _, tt := range []struct{ text, want string }{
		{"/xacnhan 1", draftHandledText(1)},
		{"/huy 1", draftHandledText(1)},
		{"/xacnhan 9", draftNotFoundText(9)},
		{"/huy 9", draftNotFoundText(9)},
		{"/xacnhan", confirmUsageText},
		{"/huy abc", discardUsageText},
	} {
		if got := text(t, e.handle(zmsg(zaloAdminChat, zaloAdmin, tt.text))); got != tt.want {
			t.Errorf("%s: %s", tt.text, got)
		}
	}
	// A draft with a time is confirmed at that time.
	e.handle(zmsg(zaloAdminChat, zaloAdmin, "/schedule 10/6/2024 07:00 Họp chi bộ tháng 6"))
	if got := text(t, e.handle(zmsg(zaloAdminChat, zaloAdmin, "/xacnhan #2"))); got != scheduledText(2, "07:00, thứ Hai, ngày 10/6/2024") {
		t.Errorf("/xacnhan of a timed draft: %s", got)
	}
	if a := e.announcement(t, 2); a.Status != "scheduled" || !a.NextRunAt.Equal(vn(2024, 6, 10, 7, 0)) {
		t.Errorf("timed draft %+v", a)
	}
	// "huỷ" without a slash is still the members' unsubscribe, and "huỷ 3" nothing.
	if got := text(t, e.handle(zmsg(zaloAdminChat, zaloAdmin, "huỷ 3"))); got != hintText(typedCaps) {
		t.Errorf("huỷ 3: %s", got)
	}
}

// TestScheduledAndCancel: /scheduled lists what is coming; /cancel stops it and the
// pending deliveries of what it already sent.
func TestScheduledAndCancel(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	ctx := context.Background()
	e.seedSchedule(t)
	got := text(t, e.handle(msg(adminChat, boss, "/scheduled")))
	for _, want := range []string{"(3)", "#1 · 10/06/2024 07:00 · một lần", "#2 · 10/06/2024 07:00 · định kỳ (cron: 0 7 * * 1) · chỉ gửi qua Zalo",
		"#3 · 18/06/2024 07:00 · hằng năm vào ngày “thành lập Đảng bộ tỉnh”, lúc 07:00 · chủ đề “Ngày kỷ niệm”"} {
		if !strings.Contains(got, want) {
			t.Errorf("/scheduled lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "#4") || strings.Contains(got, "#5") {
		t.Errorf("/scheduled lists a draft or a cancelled announcement:\n%s", got)
	}
	if got := text(t, e.handle(msg(adminChat, boss, "/cancel 1"))); got != cancelledText(1, false, 0) {
		t.Errorf("/cancel 1: %s", got)
	}
	if a := e.announcement(t, 1); a.Status != "cancelled" || a.CancelledBy != "telegram:"+adminID {
		t.Errorf("after /cancel: %+v", a)
	}
	log, err := e.store.AuditLog(ctx, 1)
	if err != nil || log[0].Action != "announcement.cancel" || log[0].Actor != "telegram:"+adminID {
		t.Errorf("audit %+v, %v", log, err)
	}
	for _, tt := range []struct{ text, want string }{
		{"/cancel 1", alreadyCancelledText(1)},
		{"/cancel #5", alreadyCancelledText(5)},
		{"/cancel 99", cancelNotFoundText(99)},
		{"/cancel", cancelUsageText},
		{"/cancel -3", cancelUsageText},
		{"/cancel 99999999999999999999", cancelUsageText},
		{"/cancel 4", discardedText(4)}, // a draft is simply dropped
	} {
		if got := text(t, e.handle(msg(adminChat, boss, tt.text))); got != tt.want {
			t.Errorf("%s: %s", tt.text, got)
		}
	}
	if got := text(t, e.handle(msg(adminChat, boss, "/scheduled"))); !strings.Contains(got, "(2)") || strings.Contains(got, "#1 ") {
		t.Errorf("/scheduled after /cancel:\n%s", got)
	}

	// Cancelling an announcement under way stops its pending deliveries.
	e2 := newAdminEnv(t)
	bid := e2.seedProgress(t)
	if got := text(t, e2.handle(msg(adminChat, boss, "/cancel 1"))); got != cancelledText(1, true, 4) {
		t.Errorf("/cancel under way: %s", got)
	}
	bs, _, err := e2.store.BroadcastDetail(ctx, bid)
	if err != nil || bs.Pending != 0 || bs.Cancelled != 4 {
		t.Errorf("after /cancel: %+v, %v; want 0 pending, 4 cancelled", bs, err)
	}
}

// TestStatsAndProgress: the numbers of /stats and /broadcast.
func TestStatsAndProgress(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	bid := e.seedProgress(t)
	got := text(t, e.handle(msg(adminChat, boss, "/stats")))
	for _, want := range []string{
		// 7 Telegram chats, one of them (a private chat) gone after "blocked"; the
		// member who stopped.
		"• Telegram: 6 đang nhận (3 cá nhân, 2 nhóm, 1 kênh); 1 đã ngừng; 1 không còn liên lạc được",
		"• Zalo: 1 đang nhận (1 cá nhân)",
		"Tuần này (từ thứ Hai, ngày 3/6/2024):",
		"• 1 bản tin",
		// Telegram: 2 sent, 2 failed (rejected, blocked), 3 pending; Zalo: 1 pending.
		"• Lượt gửi: 2 thành công, 2 thất bại, 4 đang chờ gửi",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats lacks %q:\n%s", want, got)
		}
	}
	got = text(t, e.handle(msg(adminChat, boss, "/broadcast "+strconv.FormatInt(bid, 10))))
	for _, want := range []string{
		"Bản tin số 1 · Thông báo (thông báo số 1) · tạo lúc ",
		"Kính gửi các đồng chí, Hội nghị sơ kết 6 tháng diễn ra lúc 8 giờ",
		"Người nhận: 8 (đang gửi)", "• Đã gửi: 2 (25%)", "• Thất bại: 2", "• Đang chờ gửi: 4",
		"• 1 thất bại: người nhận đã chặn bot",
		// Counted by reason code, never by the error's text.
		"• 1 thất bại: nền tảng nhắn tin từ chối tin",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/broadcast lacks %q:\n%s", want, got)
		}
	}
	for _, tt := range []struct{ text, want string }{
		{"/broadcast 99", broadcastNotFoundText(99)},
		{"/broadcast số 1", broadcastUsageText},
	} {
		if got := text(t, e.handle(msg(adminChat, boss, tt.text))); got != tt.want {
			t.Errorf("%s: %s", tt.text, got)
		}
	}
}

// TestAdminRefused: every admin command and button, from someone who is not a loa
// admin, is refused and logged (user and chat, never the text), and changes nothing.
func TestAdminRefused(t *testing.T) {
	t.Parallel()
	secret := "Nội dung bí mật"
	commands := []string{"/announce " + secret, "/schedule 10/6/2024 07:00 " + secret, "/schedule 10/6/2024 07:00",
		"/scheduled", "/cancel 1", "/stats", "/broadcast 1", "/broadcast", "/xacnhan 1", "/huy 1"}
	buttons := []string{"a:send:1", "a:time:1", "a:drop:1", confirmData(1, vn(2024, 6, 10, 7, 0)), "a:nonsense"}
	for _, tt := range []struct {
		name   string
		chat   chat.Chat
		from   User
		suffix string
	}{
		{"private", privateChat, member, ""},
		{"group addressed", groupChat, member, "@loa_bot"},
		{"forum addressed", forumChat, member, "@loa_bot"},
		{"channel post", channelChat, User{ID: channelChat.Address}, "@loa_bot"},
		{"zalo private", zaloPrivate, zaloMember, ""},
		{"zalo group", zaloGroup, zaloMember, ""},
		{"telegram admin on zalo", zaloPrivate, boss, ""},
		{"no sender", privateChat, User{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newAdminEnv(t)
			id := e.draft(t, "/announce Bản nháp của quản trị viên")
			channel := chat.Telegram
			if tt.chat == zaloPrivate || tt.chat == zaloGroup {
				channel = chat.Zalo
				e.bot.Username = "" // as on Zalo: no @username, every command is the bot's
			}
			for _, c := range commands {
				name, args, _ := strings.Cut(c, " ")
				u := Update{Chat: on(channel, tt.chat), From: tt.from, Text: name + tt.suffix + " " + args}
				caps := e.channelBot(channel).Capabilities
				want := adminRefusedText(caps, tt.chat.Kind, name)
				if name == "/cancel" || name == "/huy" {
					want = adminRefusedStopText(caps, tt.chat.Kind, name)
				}
				if got := text(t, e.handle(u)); got != want {
					t.Errorf("%s: %s", c, got)
				}
			}
			for _, data := range buttons {
				u := Update{Chat: on(channel, tt.chat), From: tt.from, Callback: &Callback{ID: "cb", Data: data, MessageID: "42"}}
				if r := e.handle(u); r.CallbackText != adminButtonRefusedToast || r.Edit != nil || len(r.Replies) != 0 {
					t.Errorf("button %s: %s", data, render(r))
				}
			}
			if a := e.announcement(t, id); a.Status != "draft" || a.NextRunAt != nil {
				t.Errorf("the draft changed: %+v", a)
			}
			if as, err := e.store.Announcements(context.Background(), true); err != nil || len(as) != 0 {
				t.Errorf("announcements: %v, %v", as, err)
			}
			logs := e.logs.String()
			if strings.Contains(logs, secret) || strings.Contains(logs, "10/6/2024") {
				t.Errorf("the text was logged:\n%s", logs)
			}
			var refused int
			for line := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
				if !strings.Contains(line, "refused: not an admin") {
					continue
				}
				refused++
				entry := logEntry(t, line, "WARN")
				if entry["user_id"] != tt.from.ID || entry["chat_id"] != tt.chat.Address || entry["channel"] != string(channel) {
					t.Errorf("log entry %v", entry)
				}
			}
			if want := len(commands) + len(buttons); refused != want {
				t.Errorf("%d refusals logged, want %d:\n%s", refused, want, logs)
			}
		})
	}
}

// TestAdminInGroups: in a group, admin commands answer when addressed to the bot by
// name; without it they may be another bot's, and the bot keeps quiet.
func TestAdminInGroups(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	for _, cmd := range []string{"/stats", "/announce Tin", "/cancel 1", "/stats@other_bot", "/broadcast@other_bot 1"} {
		for _, from := range []User{boss, member} {
			if r := e.handle(msg(groupChat, from, cmd)); !isEmpty(r) {
				t.Errorf("%s from %s: %s", cmd, from.ID, render(r))
			}
		}
	}
	r := e.handle(msg(groupChat, boss, "/announce@loa_bot Họp chi bộ"))
	if len(r.Replies) != 1 || r.Replies[0].Preview == nil {
		t.Fatalf("addressed /announce: %s", render(r))
	}
	// The draft is its author's: another admin may neither time, send nor drop it
	// (TestDraftBelongsToItsAuthor); a member may use no button at all.
	data := r.Replies[0].Buttons[0]
	other := User{ID: "1002"}
	e.bot.IsAdmin = func(ctx context.Context, channel, userID string) bool {
		return isAdmin(ctx, channel, userID) || userID == other.ID
	}
	for _, d := range data {
		if r := e.handle(press(groupChat, other, d.Data)); r.CallbackText != otherAdminDraftToast || r.Edit != nil {
			t.Errorf("another admin's %s: %s", d.Text, render(r))
		}
	}
	if r := e.handle(press(groupChat, member, data[0].Data)); r.CallbackText != adminButtonRefusedToast {
		t.Errorf("a member's Gửi ngay: %s", render(r))
	}
	if r := e.handle(press(groupChat, boss, data[0].Data)); r.CallbackText != sentNowToast {
		t.Errorf("the author's Gửi ngay: %s", render(r))
	}
	log, err := e.store.AuditLog(context.Background(), 1)
	if err != nil || len(log) != 1 || log[0].Actor != "telegram:1001" {
		t.Errorf("audit %+v, %v: want the author who pressed", log, err)
	}
	// With no username configured, every command is taken as the bot's.
	e.bot.Username = ""
	if got := text(t, e.handle(msg(groupChat, member, "/stats"))); got != adminRefusedText(menuCaps, "group", "/stats") {
		t.Errorf("/stats without a username: %s", got)
	}
}

// TestDraftBelongsToItsAuthor: only the admin who wrote a draft may send, confirm or
// drop it, by button or typed; another admin is told whose it is, and the draft waits
// for its author.
func TestDraftBelongsToItsAuthor(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	other := User{ID: "1002", Name: "Quản trị khác"}
	otherChat := chat.Chat{Address: other.ID, Kind: "private", Title: other.Name}
	zaloOther := User{ID: "f0e1d2c3b4a596877869"}
	e.bot.IsAdmin = func(ctx context.Context, channel, userID string) bool {
		return isAdmin(ctx, channel, userID) || userID == other.ID || userID == zaloOther.ID
	}
	now := e.draft(t, "/announce Họp chi bộ")
	r := e.handle(msg(adminChat, boss, "/schedule 10/6/2024 07:00 Họp chi bộ tháng 6"))
	if len(r.Replies) != 1 || len(r.Replies[0].Buttons) != 1 {
		t.Fatalf("/schedule: %s", render(r))
	}
	timed := r.Replies[0].Buttons[0]
	_, timedID, _, _ := parseAdminData(timed[0].Data)
	for _, data := range []string{adminData(actSend, timedID), timed[0].Data, timed[1].Data} {
		if r := e.handle(press(otherChat, other, data)); r.CallbackText != otherAdminDraftToast || r.Edit != nil {
			t.Errorf("another admin presses %s: %s", data, render(r))
		}
	}
	for _, tt := range []struct {
		u    Update
		want string
	}{
		{msg(otherChat, other, "/xacnhan "+strconv.FormatInt(timedID, 10)), otherAdminDraftText(timedID)},
		{msg(otherChat, other, "/huy "+strconv.FormatInt(timedID, 10)), otherAdminDraftText(timedID)},
		{msg(otherChat, other, "/cancel "+strconv.FormatInt(timedID, 10)), otherAdminDraftText(timedID)},
		{zmsg(chat.Chat{Address: zaloOther.ID, Kind: "private"}, zaloOther, "/xacnhan "+strconv.FormatInt(timedID, 10)), otherAdminDraftText(timedID)},
	} {
		if got := text(t, e.handle(tt.u)); got != tt.want {
			t.Errorf("%s from %s: %s", tt.u.Text, tt.u.From.ID, got)
		}
	}
	if a := e.announcement(t, timedID); a.Status != "draft" {
		t.Fatalf("after another admin's attempts: %+v, want a draft", a)
	}
	if log, err := e.store.AuditLog(context.Background(), 5); err != nil || len(log) != 0 {
		t.Errorf("audit %+v, %v: a refusal confirms nothing", log, err)
	}
	if !strings.Contains(e.logs.String(), "another admin's draft") {
		t.Errorf("refusals not logged:\n%s", e.logs)
	}
	// The author still can; the first draft was replaced by the second, as ever.
	if r := e.handle(press(adminChat, boss, timed[0].Data)); r.CallbackText != scheduledToast {
		t.Errorf("the author's Xác nhận: %s", render(r))
	}
	if a := e.announcement(t, now); a.Status != store.AnnouncementDiscarded {
		t.Errorf("replaced draft %+v", a)
	}
}

// TestAdminHelp: /help adds the admins' commands for an admin in a private chat only;
// the command menu stays the members'.
func TestAdminHelp(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	tg, zl := e.channelBot("telegram"), e.channelBot("zalo")
	if got := text(t, e.handle(msg(adminChat, boss, "/help"))); got != tg.helpText("private", false)+"\n\n"+tg.adminHelpText() {
		t.Errorf("admin's /help:\n%s", got)
	}
	for _, u := range []Update{msg(privateChat, member, "/help"), msg(groupChat, boss, "/help")} {
		if got := text(t, e.handle(u)); strings.Contains(got, "/announce") {
			t.Errorf("/help shows admin commands to %s in %s:\n%s", u.From.ID, u.Chat.Kind, got)
		}
	}
	if got := text(t, e.handle(zmsg(zaloAdminChat, zaloAdmin, "/help"))); !strings.HasSuffix(got, zl.adminHelpText()) {
		t.Errorf("zalo admin's /help:\n%s", got)
	}
	for _, c := range Commands() {
		if lookup(c.Name).who == admins {
			t.Errorf("admin command /%s in the members' menu", c.Name)
		}
	}
	for _, c := range commands {
		if c.who != admins {
			continue
		}
		if shown := strings.Contains(tg.adminHelpText(), "\n/"+c.name+" "); shown == c.noButtons {
			t.Errorf("Telegram's admin help shows /%s: %v", c.name, shown)
		}
		if !strings.Contains(zl.adminHelpText(), "\n"+c.label(zl.Capabilities)+" ") {
			t.Errorf("Zalo's admin help lacks %s", c.label(zl.Capabilities))
		}
	}
}

// TestAdminStoreErrors: a failing store is logged; the admin gets the apology.
func TestAdminStoreErrors(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	e.store.Close()
	for _, cmd := range []string{"/announce Tin", "/schedule 10/6/2024 07:00 Tin", "/schedule 10/6/2024 07:00",
		"/scheduled", "/cancel 1", "/stats", "/broadcast 1", "/broadcast", "/xacnhan 1", "/huy 1"} {
		if got := text(t, e.handle(msg(adminChat, boss, cmd))); got != busyText {
			t.Errorf("%s: %q", cmd, got)
		}
	}
	for _, data := range []string{"a:send:1", "a:time:1", "a:drop:1", confirmData(1, vn(2024, 6, 10, 7, 0))} {
		if r := e.handle(press(adminChat, boss, data)); r.CallbackText != busyText || r.Edit != nil {
			t.Errorf("%s: %s", data, render(r))
		}
	}
	if n := strings.Count(e.logs.String(), `"level":"ERROR"`); n != 14 {
		t.Errorf("%d errors logged, want 14:\n%s", n, e.logs)
	}
}

func TestAdminData(t *testing.T) {
	t.Parallel()
	maxID := int64(1<<63 - 1)
	far := vn(9999, 12, 31, 23, 59)
	for _, d := range []string{adminData(actSend, maxID), adminData(actTime, maxID), adminData(actDrop, maxID), confirmData(maxID, far)} {
		if len(d) > maxButtonData {
			t.Errorf("%q: %d bytes", d, len(d))
		}
		action, id, at, ok := parseAdminData(d)
		if !ok || id != maxID || (action == actConfirm && !at.Equal(far)) {
			t.Errorf("%q: %s %d %v %v", d, action, id, at, ok)
		}
	}
	for _, d := range []string{"a:", "a:send", "a:send:", "a:send:0", "a:send:-1", "a:send:01", "a:send:1:2", "a:ok:1",
		"a:ok:1:", "a:ok:1:x", "a:ok:1:99999999999999999", "a:time:1:2", "a:sendx:1", "a:send:1 ", "a:send:+1",
		"a:send:99999999999999999999", "t0:news", "a:SEND:1"} {
		if action, id, _, ok := parseAdminData(d); ok {
			t.Errorf("%q parsed as %s %d", d, action, id)
		}
	}
}

func TestParseWhen(t *testing.T) {
	t.Parallel()
	b := &Bot{Location: vietnamZone}
	for _, tt := range []struct {
		date, clock string
		want        time.Time
	}{
		{"10/6/2024", "07:00", vn(2024, 6, 10, 7, 0)},
		{"05/06/2024", "7:05", vn(2024, 6, 5, 7, 5)},
		{"5/6/2024", "14h30", vn(2024, 6, 5, 14, 30)},
		{"5/6/2024", "7H", vn(2024, 6, 5, 7, 0)},
		{"2024-06-05", "23:59", vn(2024, 6, 5, 23, 59)},
		{"0:00", "29/2/2028", vn(2028, 2, 29, 0, 0)},
	} {
		if got, err := b.parseWhen(tt.date, tt.clock); err != nil || !got.Equal(tt.want) {
			t.Errorf("%s %s: %v %v, want %v", tt.date, tt.clock, got, err, tt.want)
		}
	}
	for _, tt := range [][2]string{{"10/6/2024", "7"}, {"10/6/2024", "7:0"}, {"10/6/2024", "07:60"}, {"10/6/2024", "-1:00"},
		{"10/6/2024", "007:00"}, {"29/2/2023", "07:00"}, {"10/6", "07:00"}, {"", ""}, {"07:00", "08:00"}, {"10/6/2024", "h30"},
		{"10/6/2024", ""}} {
		if got, err := b.parseWhen(tt[0], tt[1]); err == nil {
			t.Errorf("%s %s parsed as %v", tt[0], tt[1], got)
		}
	}
}

func TestWeekStart(t *testing.T) {
	t.Parallel()
	monday := vn(2024, 6, 3, 0, 0)
	for _, now := range []time.Time{monday, vn(2024, 6, 5, 8, 15), vn(2024, 6, 9, 23, 59),
		// Sunday 17:30 UTC is already Monday in Vietnam.
		time.Date(2024, 6, 2, 17, 30, 0, 0, time.UTC)} {
		if got := weekStart(now, vietnamZone); !got.Equal(monday) {
			t.Errorf("week of %v starts %v, want %v", now, got, monday)
		}
	}
	if got := weekStart(vn(2024, 6, 2, 23, 0), vietnamZone); !got.Equal(vn(2024, 5, 27, 0, 0)) {
		t.Errorf("Sunday's week starts %v", got)
	}
}

func TestNumberAndExcerpt(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1.000", 12345: "12.345", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := admin.Number(n); got != want {
			t.Errorf("admin.Number(%d) = %q, want %q", n, got, want)
		}
	}
	long := strings.Repeat("Đảng bộ ", 30)
	if got := excerpt(long); utf8.RuneCountInString(got) > excerptRunes || !strings.HasSuffix(got, "…") {
		t.Errorf("excerpt %q", got)
	}
	if got := excerpt(" a\n\nb "); got != "a b" {
		t.Errorf("excerpt %q", got)
	}
}

// TestAdminToastsFit: toasts stay within answerCallbackQuery's 200 characters.
func TestAdminToastsFit(t *testing.T) {
	t.Parallel()
	for _, s := range []string{adminButtonRefusedToast, draftHandledToast, adminButtonOutdated, sentNowToast,
		scheduledToast, discardedToast, timeHelpToast, pastButtonToast, otherAdminDraftToast} {
		if n := utf8.RuneCountInString(s); n > 200 {
			t.Errorf("toast of %d characters: %s", n, s)
		}
	}
}

// TestSendNowOnTheRealClock: "Gửi ngay" confirms at the bot's now, which the admin layer
// reads a moment later on a running clock; it is still now, not a time past.
func TestSendNowOnTheRealClock(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t)
	e.bot.Now = nil // time.Now, for the bot and its admin layer alike
	id := e.draft(t, "/announce Họp chi bộ")
	if r := e.handle(press(adminChat, boss, adminData(actSend, id))); r.CallbackText != sentNowToast {
		t.Fatalf("Gửi ngay: %s", render(r))
	}
	if a := e.announcement(t, id); a.Status != "scheduled" || a.NextRunAt == nil || a.NextRunAt.After(time.Now()) {
		t.Errorf("after Gửi ngay: %+v, want scheduled now", a)
	}
}
