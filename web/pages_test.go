package web

import (
	"context"
	"net/http"
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
	if _, err := r.st.AddEvent(ctx, calendar.Event{Slug: "thanh-lap-tinh", Title: "thành lập tỉnh", Kind: calendar.Solar,
		Day: 10, Month: 12, FoundedYear: 1976, Category: calendar.Province, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	c, _ := r.signIn("telegram", "1001")
	for _, tt := range []struct{ path, want string }{
		{"/", "thành lập tỉnh"},
		{"/ban-tin", "Chưa có bản tin nào"},
		{"/nguoi-nhan", "Anh Ba"},
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
