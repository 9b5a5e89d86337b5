package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"loa/admin"
	"loa/calendar"
	"loa/chat"
	"loa/store"
)

// TestPagesRender: every page of the menu answers, with the data it is about.
func TestPagesRender(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.st.AddFeed(ctx, store.NewFeed{URL: "https://user:secret@portal.example/rss", Topic: "news", Interval: 15 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "501", Kind: "private", Title: "Anh Ba"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "502", Kind: "private", Title: "Chị Năm"}); err != nil {
		t.Fatal(err)
	}
	if err := r.st.SetSubscriberStatus(ctx, chat.Telegram, "502", store.StatusGone, string(store.ReasonBlocked)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.AddEvent(ctx, calendar.Event{Slug: "thanh-lap-tinh", Title: "thành lập tỉnh", Kind: calendar.Solar,
		Day: 10, Month: 12, FoundedYear: 1976, Category: calendar.Province, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	c, _ := r.signIn("telegram", "1001")
	for _, tt := range []struct{ path, want string }{
		{"/", "thành lập tỉnh"},
		{"/ban-tin", "Chưa có bản tin nào"},
		{"/nguoi-nhan", "Anh Ba"},
		{"/nguoi-nhan", "(" + admin.ReasonText(store.ReasonBlocked) + ")"}, // why a chat is gone, in words
		{"/nguoi-nhan?kenh=zalo", "<strong>0</strong> người nhận khớp"},
		{"/nguon-tin", "portal.example"},
		{"/lich", "50 năm · thành lập tỉnh"},
		{"/lich?thang=2027-02&tu=2026-12-01&den=2026-12-31", "50 năm"},
		{"/lich/su-kien.csv", "thanh-lap-tinh"},
		{"/lich/su-kien.ics", "BEGIN:VCALENDAR"},
		{"/quan-tri", "Mời quản trị viên mới"},
		{"/nhat-ky", "web.signin"},
		{"/nhat-ky?hanh-dong=feed.", "Không có mục nào"},
		{"/thong-bao", "Viết thông báo"},
		{"/thong-bao/moi", "Xem trước và kiểm tra"},
		{"/nguon-tin/nguon-tin.opml", "portal.example"},
	} {
		code, body := do(t, c, "GET", r.srv.URL+tt.path, nil)
		if code != http.StatusOK || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %d, want %q in\n%s", tt.path, code, tt.want, body)
		}
		if strings.Contains(body, "secret") {
			t.Errorf("GET %s shows a feed's credentials", tt.path)
		}
	}
}

// TestInviteFromTheConsole: the code is shown once, and redeeming it makes an admin.
func TestInviteFromTheConsole(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c, page := r.signIn("telegram", "1001")
	code, body := do(t, c, "POST", r.srv.URL+"/quan-tri/moi", url.Values{"csrf": {csrfOf(t, page)}, "name": {"Chị Lan"}})
	m := regexp.MustCompile(`LOA-[A-Z0-9]{5}-[A-Z0-9]{5}`).FindString(body)
	if code != http.StatusOK || m == "" {
		t.Fatalf("invite: %d\n%s", code, body)
	}
	if _, err := r.c.Ops.RedeemInvite(context.Background(), admin.Actor{Channel: "zalo", UserID: "lan", Via: admin.ViaBot}, m); err != nil {
		t.Fatal(err)
	}
	if _, body := do(t, c, "GET", r.srv.URL+"/quan-tri", nil); !strings.Contains(body, "Chị Lan") || strings.Contains(body, m) {
		t.Fatalf("admins page after the invite:\n%s", body)
	}
}

// TestAddAdminFromTheConsole: an admin adds another by channel and user id (as loa
// admins add), audited as coming from the web; adding them twice is refused next to the
// user id, with what was typed kept.
func TestAddAdminFromTheConsole(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c, page := r.signIn("telegram", "1001")
	add := url.Values{"csrf": {csrfOf(t, page)}, "channel": {"zalo"}, "user_id": {"3918274650"}, "name": {"Chị Lan"}}
	code, body := do(t, c, "POST", r.srv.URL+"/quan-tri/them", add)
	if code != http.StatusOK || !strings.Contains(body, "Đã thêm quản trị viên.") || !strings.Contains(body, "<code>3918274650</code>") {
		t.Fatalf("add: %d\n%s", code, body)
	}
	ctx := context.Background()
	if ok, err := r.st.IsAdmin(ctx, "zalo", "3918274650"); !ok || err != nil {
		t.Fatalf("IsAdmin = %v, %v", ok, err)
	}
	es, err := r.st.AuditEntries(ctx, store.AuditFilter{Action: "admin.add"})
	if err != nil || len(es) != 1 || es[0].Via != store.ViaWeb || es[0].Actor != "telegram:1001" {
		t.Fatalf("audit = %+v, %v; want one admin.add by telegram:1001 via web", es, err)
	}
	code, body = do(t, c, "POST", r.srv.URL+"/quan-tri/them", add)
	if code != http.StatusOK || !regexp.MustCompile(`id="add-user-err"><p class="field-error" role="alert">Người dùng zalo:3918274650 đã là quản trị viên.`).MatchString(body) ||
		!strings.Contains(body, `name="name" value="Chị Lan"`) {
		t.Fatalf("adding twice: %d\n%s", code, body)
	}
}

// TestResumePausedSubscriber: a chat paused because the bot lost its right to post has
// a "Gửi tiếp" button on the Người nhận page; pressing it lifts the pause (audited as
// coming from the web) and says so; pressing it again, or for an unknown chat, says
// why nothing changed, in Vietnamese.
func TestResumePausedSubscriber(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	sub, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "-100555", Kind: "channel", Title: "Kênh tin xã"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "502", Kind: "private", Title: "Chị Tư"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "ann:1", Kind: store.KindAnnouncement,
		Topic: store.TopicAnnouncements, Title: "Họp"}); err != nil {
		t.Fatal(err)
	}
	ds, err := r.st.ClaimDeliveries(ctx, "telegram", time.Minute, 10, "test")
	if err != nil || len(ds) != 2 {
		t.Fatalf("claimed %d, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.SubscriberID == sub.ID {
			if _, _, err := r.st.PauseSubscriber(ctx, d.ID, d.Claim, sub.ID, store.PauseNoRights, "not enough rights"); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, _ := r.signIn("telegram", "1001")
	// The list filtered to channels: after the resume it comes back filtered.
	_, page := do(t, c, "GET", r.srv.URL+"/nguoi-nhan?loai=channel", nil)
	resume := "/nguoi-nhan/" + itoa(sub.ID) + "/gui-tiep"
	if strings.Count(page, `action="/nguoi-nhan/`) != 1 || !strings.Contains(page, `action="`+resume+`"`) {
		t.Fatalf("want one resume button, on the paused chat:\n%s", page)
	}
	post := func(path string, more ...string) (int, string) {
		t.Helper()
		form := url.Values{"csrf": {csrfOf(t, page)}}
		for i := 0; i+1 < len(more); i += 2 {
			form.Set(more[i], more[i+1])
		}
		return do(t, c, "POST", r.srv.URL+path, form)
	}
	// The counts above the list are by channel and kind of chat, as loa subscribers stats.
	for _, kind := range []chat.Kind{chat.KindChannel, chat.KindPrivate} {
		row := "<tr><td>" + channelName(chat.Telegram) + "</td><td>" + chatKindNames[kind] + `</td><td class="num">1</td>`
		if !strings.Contains(page, row) {
			t.Errorf("no count row %q:\n%s", row, page)
		}
	}
	if !strings.Contains(page, `name="ve" value="loai=channel"`) {
		t.Fatalf("the resume form does not carry the list's filters:\n%s", page)
	}
	code, body := post(resume, "ve", "loai=channel")
	if code != http.StatusOK || !strings.Contains(body, "Đã cho gửi tiếp") || strings.Contains(body, `action="`+resume+`"`) {
		t.Fatalf("resume: %d\n%s", code, body)
	}
	if !strings.Contains(body, `<option value="channel" selected>`) || strings.Contains(body, "Chị Tư") {
		t.Errorf("after the resume the list lost its filter (channels only):\n%s", body)
	}
	for _, ve := range []string{"https://evil.example/x?loai=channel", "//evil.example", "%zz"} {
		req := httptest.NewRequest("POST", resume, strings.NewReader(url.Values{"ve": {ve}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if got := subscribersBack(req); !strings.HasPrefix(got, "/nguoi-nhan") || strings.Contains(got, "//") {
			t.Errorf("a form's ve %q came back as %q; want the subscribers' list", ve, got)
		}
	}
	got, err := r.st.SubscriberByChat(ctx, "telegram", "-100555")
	if err != nil || got.PausedAt != nil {
		t.Fatalf("after resume: %+v, %v", got, err)
	}
	es, err := r.st.AuditEntries(ctx, store.AuditFilter{Action: "subscriber.resume"})
	if err != nil || len(es) != 1 || es[0].Via != store.ViaWeb || es[0].Actor != "telegram:1001" {
		t.Fatalf("audit = %+v, %v; want one resume by telegram:1001 via web", es, err)
	}
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{resume, http.StatusOK, "Kênh nhận tin số " + itoa(sub.ID) + " («Kênh tin xã») không bị tạm dừng; không có gì thay đổi."},
		{"/nguoi-nhan/4242/gui-tiep", http.StatusNotFound, "Không tìm thấy kênh nhận tin số 4242."},
	} {
		if code, body := post(tt.path); code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("POST %s: %d, want %d with %q\n%s", tt.path, code, tt.code, tt.want, body)
		}
	}
}

// TestBroadcastFailuresInVietnamese: the Bản tin detail page and its recipients' CSV
// name the reasons deliveries failed in Vietnamese (admin.ReasonText, as the bot's
// /broadcast does), not by their codes.
func TestBroadcastFailuresInVietnamese(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	for _, a := range []string{"501", "502", "503"} {
		if _, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: a, Kind: "private", Title: "Người " + a}); err != nil {
			t.Fatal(err)
		}
	}
	id, _, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "ann:1", Kind: store.KindAnnouncement,
		Topic: store.TopicAnnouncements, Title: "Họp chi bộ"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := r.st.ClaimDeliveries(ctx, "telegram", time.Minute, 10, "test")
	if err != nil || len(ds) != 3 {
		t.Fatalf("claimed %d, %v", len(ds), err)
	}
	for i, reason := range []store.Reason{store.ReasonMaxAge, store.ReasonNotFoundRepeatedly} {
		if err := r.st.FailDelivery(ctx, ds[i].ID, ds[i].Claim, reason, "test"); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := r.signIn("telegram", "1001")
	want := []string{"gửi lại nhiều lần không được, đã quá hạn", "nhiều lần liền không tìm thấy cuộc trò chuyện"}
	for _, path := range []string{"/ban-tin/" + itoa(id), "/ban-tin/" + itoa(id) + "/nguoi-nhan.csv"} {
		code, body := do(t, c, "GET", r.srv.URL+path, nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, code, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in\n%s", path, w, body)
			}
		}
		if strings.Contains(body, string(store.ReasonMaxAge)) || strings.Contains(body, string(store.ReasonNotFoundRepeatedly)) {
			t.Errorf("GET %s shows a reason's code:\n%s", path, body)
		}
	}
}

// TestCancelFromTheConsole: an announcement and a broadcast are cancelled from their
// pages (audited as coming from the web) and say so; cancelling again shows admin's
// refusal on the page; an unknown one is not found.
func TestCancelFromTheConsole(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	if _, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "501", Kind: "private", Title: "Anh Ba"}); err != nil {
		t.Fatal(err)
	}
	ann, err := r.c.Ops.Schedule(ctx, admin.Actor{Channel: "cli", UserID: "root", Via: admin.ViaCLI},
		admin.Announcement{Text: "Giao ban *sáng thứ Hai*", When: admin.When{Cron: "0 7 * * 1"}})
	if err != nil {
		t.Fatal(err)
	}
	bid, _, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "item:1", Kind: store.KindArticle, Topic: "news", Title: "Tin mới"})
	if err != nil {
		t.Fatal(err)
	}
	c, page := r.signIn("telegram", "1001")
	csrf := url.Values{"csrf": {csrfOf(t, page)}}
	annPage, bcPage := "/thong-bao/"+itoa(ann.ID), "/ban-tin/"+itoa(bid)
	if _, body := do(t, c, "GET", r.srv.URL+"/thong-bao", nil); !strings.Contains(body, "Lặp lại <code>0 7 * * 1</code>") ||
		!strings.Contains(body, `<span class="badge ok">đang chờ</span>`) {
		t.Fatalf("announcements:\n%s", body)
	}
	for _, tt := range []struct {
		name, path string
		code       int
		want       string
	}{
		{"announcement", annPage + "/huy", http.StatusOK, "Đã huỷ."},
		{"announcement again", annPage + "/huy", http.StatusOK, "Thông báo số " + itoa(ann.ID) + " đã được huỷ trước đó."},
		{"unknown announcement", "/thong-bao/4242/huy", http.StatusNotFound, "Không có thông báo này"},
		{"broadcast", bcPage + "/huy", http.StatusOK, "Đã huỷ."},
		{"unknown broadcast", "/ban-tin/4242/huy", http.StatusNotFound, "Không có bản tin này"},
	} {
		code, body := do(t, c, "POST", r.srv.URL+tt.path, csrf)
		if body = html.UnescapeString(body); code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("%s: POST %s: %d, want %d with %q\n%s", tt.name, tt.path, code, tt.code, tt.want, body)
		}
	}
	if _, body := do(t, c, "GET", r.srv.URL+annPage, nil); !strings.Contains(body, "đã huỷ bởi telegram:1001") || strings.Contains(body, "Huỷ thông báo") {
		t.Errorf("the cancelled announcement's page:\n%s", body)
	}
	if _, body := do(t, c, "GET", r.srv.URL+"/thong-bao?tat-ca", nil); !strings.Contains(body, `<span class="badge">đã huỷ</span>`) {
		t.Errorf("announcements with the cancelled one:\n%s", body)
	}
	if _, body := do(t, c, "GET", r.srv.URL+bcPage, nil); !strings.Contains(body, "bản tin đã bị huỷ") {
		t.Errorf("the cancelled broadcast's page shows no reason:\n%s", body)
	}
	for _, action := range []string{"announcement.cancel", "broadcast.cancel"} {
		es, err := r.st.AuditEntries(ctx, store.AuditFilter{Action: action})
		if err != nil || len(es) == 0 || es[0].Via != store.ViaWeb {
			t.Errorf("audit of %s: %+v, %v", action, es, err)
		}
	}
}

// TestCalendarTools: the Lịch kỷ niệm page answers what loa calendar convert, upcoming
// and banner answer, through the admin layer, with its Vietnamese refusals next to the
// form.
func TestCalendarTools(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if _, err := r.st.AddEvent(context.Background(), calendar.Event{Slug: "thanh-lap-tinh", Title: "Ngày thành lập tỉnh", Kind: calendar.Solar,
		Day: 10, Month: 12, FoundedYear: 1976, Category: calendar.Province, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	c, _ := r.signIn("telegram", "1001")
	for _, tt := range []struct{ name, query, want string }{
		{"solar to lunar", "doi-ngay=10/8/2025", "Chủ nhật, 10/8/2025 dương lịch là ngày 17 tháng 6 nhuận năm Ất Tỵ (2025) âm lịch"},
		{"lunar to solar", "doi-ngay=10/3/2025&chieu=am", "Mùng 10 tháng 3 năm Ất Tỵ (2025) âm lịch là thứ Hai, 7/4/2025 dương lịch"},
		{"lunar date without a year", "doi-ngay=10/3&chieu=am", `<p class="field-error" role="alert">Ngày âm lịch chưa hợp lệ`},
		{"no such solar date", "doi-ngay=31/2/2025", `<p class="field-error" role="alert">Ngày chưa hợp lệ`},
		{"upcoming by default: 30 days from today", "", "Kỷ niệm 50 năm (năm tròn) Ngày thành lập tỉnh (10/12/1976 - 10/12/2026)"},
		{"upcoming from a day", "sap-toi-tu=2027-01-01&so-ngay=31", "Không có thông báo nào đến hết ngày 31/1/2027."},
		{"upcoming over too many days", "so-ngay=0", `<p class="field-error" role="alert">Số ngày phải từ 1 đến 3.660.`},
		{"upcoming with days not a number", "so-ngay=ba", `<p class="field-error" role="alert">Số ngày phải từ 1 đến 3.660.`},
		{"banner ending before it starts", "tu=2026-12-31&den=2026-12-01", "Ngày kết thúc phải từ ngày bắt đầu trở đi."},
		{"banner", "tu=2026-12-01&den=2026-12-31", "50 năm"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, c, "GET", r.srv.URL+"/lich?"+tt.query, nil)
			if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), tt.want) {
				t.Errorf("GET /lich?%s: %d, want %q in\n%s", tt.query, code, tt.want, body)
			}
		})
	}
	// Exports, as loa calendar export writes them.
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/lich/su-kien.csv", http.StatusOK, "thanh-lap-tinh"},
		{"/lich/su-kien.ics", http.StatusOK, "DTSTART;VALUE=DATE:20261210"},
		{"/lich/su-kien.ics?tu-nam=2030&den-nam=2031", http.StatusOK, "DTSTART;VALUE=DATE:20301210"},
	} {
		code, body := do(t, c, "GET", r.srv.URL+tt.path, nil)
		if code != tt.code || !strings.Contains(html.UnescapeString(body), tt.want) {
			t.Errorf("GET %s: %d, want %d with %q in\n%s", tt.path, code, tt.code, tt.want, body)
		}
	}
	// A refused year range shows the calendar page again, the error beside the year at
	// fault and the years as typed.
	for _, tt := range []struct {
		query, field, typed, want string
	}{
		{"tu-nam=2031&den-nam=2030", "den-nam", `value="2030"`, "Năm kết thúc chưa hợp lệ."},
		{"tu-nam=hai&den-nam=2030", "tu-nam", `value="hai"`, "Năm bắt đầu chưa hợp lệ."},
		{"tu-nam=0&den-nam=2030", "tu-nam", `value="0"`, "Năm bắt đầu chưa hợp lệ."},
	} {
		code, body := do(t, c, "GET", r.srv.URL+"/lich/su-kien.ics?"+tt.query, nil)
		body = html.UnescapeString(body)
		field := regexp.MustCompile(`<input[^>]*id="` + tt.field + `"[^>]*>`).FindString(body)
		if code != http.StatusBadRequest || !strings.Contains(body, "Các ngày kỷ niệm") ||
			!strings.Contains(field, `aria-invalid="true"`) || !strings.Contains(field, tt.typed) ||
			!strings.Contains(body, tt.want) {
			t.Errorf("GET /lich/su-kien.ics?%s: %d, field %s; want 400, the calendar page, %s marked with %s and %q in\n%s",
				tt.query, code, field, tt.field, tt.typed, tt.want, body)
		}
	}
}
