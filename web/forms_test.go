package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"loa/calendar"
	"loa/store"
)

// TestBadInputIsRefusedNextToItsFieldAndKept: each bad input gets the admin layer's
// Vietnamese message next to its field, the form keeps what was typed, and nothing is
// written.
func TestBadInputIsRefusedNextToItsFieldAndKept(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c, page := r.signIn("telegram", "1001")
	token := csrfOf(t, page)
	post := func(path string, v url.Values) string {
		t.Helper()
		v.Set("csrf", token)
		code, body := do(t, c, "POST", r.srv.URL+path, v)
		if code != http.StatusOK {
			t.Fatalf("POST %s: %d\n%s", path, code, body)
		}
		return body
	}
	for _, tt := range []struct {
		name, path string
		form       url.Values
		field      string // the input whose error shows
		want, kept string
	}{
		{"empty announcement", "/thong-bao/moi", url.Values{"text": {"   "}, "topic": {"all"}, "when": {"now"}, "action": {"preview"}},
			"text", "Vui lòng viết nội dung thông báo.", `value="all" selected`},
		{"time in the past", "/thong-bao/moi", url.Values{"text": {"Họp chi bộ"}, "when": {"at"}, "at_date": {"2026-12-01"},
			"at_time": {"07:00"}, "action": {"preview"}}, "at", "đã qua", "Họp chi bộ"},
		{"weekly without days", "/thong-bao/moi", url.Values{"text": {"Giao ban"}, "when": {"repeat"}, "repeat": {"weekly"},
			"time": {"07:30"}, "action": {"preview"}}, "weekdays", "các ngày trong tuần", "Giao ban"},
		{"bad topic", "/thong-bao/moi", url.Values{"text": {"Tin"}, "topic": {"a;b"}, "when": {"now"}, "action": {"preview"}},
			"topic", "Chủ đề", "Tin"},
		{"event without a date", "/lich/su-kien", url.Values{"title": {"Ngày hội quê"}, "kind": {"solar"}, "date": {"31/2"}},
			"date", "Ngày chưa hợp lệ", "Ngày hội quê"},
		{"founding year not a number", "/lich/su-kien", url.Values{"title": {"Ngày hội"}, "kind": {"solar"}, "date": {"3/2"},
			"founded": {"năm 1930"}}, "founded", "Vui lòng nhập một số.", "năm 1930"},
		{"feed URL not http", "/nguon-tin", url.Values{"url": {"ftp://portal.example/rss"}, "topic": {"news"}},
			"url", "địa chỉ nguồn tin", "ftp://portal.example/rss"},
		{"admin's Telegram id not a number", "/quan-tri/them", url.Values{"channel": {"telegram"}, "user_id": {"anh.ba"}, "name": {"Anh Ba"}},
			"user_id", "Mã người dùng chưa hợp lệ", `value="anh.ba"`},
		{"admin's name too long", "/quan-tri/them", url.Values{"channel": {"zalo"}, "user_id": {"z42"}, "name": {strings.Repeat("Ba ", 30)}},
			"name", "Tên dài 89 ký tự", `<option value="zalo" selected>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := post(tt.path, tt.form)
			// The error sits in a field-error paragraph near the field, in Vietnamese.
			errs := regexp.MustCompile(`<p class="field-error" role="alert">([^<]*)</p>`).FindAllStringSubmatch(body, -1)
			var found bool
			for _, e := range errs {
				found = found || strings.Contains(strings.ToLower(e[1]), strings.ToLower(tt.want))
			}
			if !found {
				t.Errorf("no error %q in %q", tt.want, errs)
			}
			if !strings.Contains(body, `aria-invalid="true"`) && tt.field != "weekdays" {
				t.Errorf("no field marked invalid")
			}
			if !strings.Contains(body, tt.kept) {
				t.Errorf("what was typed (%q) is gone", tt.kept)
			}
		})
	}
	ctx := context.Background()
	if as, _ := r.st.Announcements(ctx, true); len(as) != 0 {
		t.Errorf("announcements written: %+v", as)
	}
	if evs, _ := r.st.Events(ctx, true); len(evs) != 0 {
		t.Errorf("events written: %+v", evs)
	}
	if fs, _ := r.st.Feeds(ctx); len(fs) != 0 {
		t.Errorf("feeds written: %+v", fs)
	}
	if as, _ := r.st.Admins(ctx); len(as) != 0 {
		t.Errorf("admins written: %+v", as)
	}
}

// TestSecondSaveIsRefusedWithWhatChanged: two admins open the same event; the first
// saves, the second's save is refused with who changed what, and nothing of it is
// written.
func TestSecondSaveIsRefusedWithWhatChanged(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.admins.set("zalo:lan", true)
	ev, err := r.st.As(store.Actor{ID: "cli:root", Via: store.ViaCLI}).AddEvent(context.Background(), calendar.Event{Slug: "hoi-xa",
		Title: "thành lập Hội Nông dân xã", Kind: calendar.Solar, Day: 5, Month: 3, FoundedYear: 1977,
		Category: calendar.Organisation, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := r.signIn("telegram", "1001")
	b, _ := r.signIn("zalo", "lan")
	edit := r.srv.URL + "/lich/su-kien/" + itoa(ev.ID) + "/sua"
	_, pageA := do(t, a, "GET", edit, nil)
	_, pageB := do(t, b, "GET", edit, nil)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(pageA)[1]
	form := func(page, title string) url.Values {
		return url.Values{"csrf": {csrfOf(t, page)}, "version": {version}, "title": {title}, "kind": {"solar"}, "date": {"5/3"},
			"founded": {"1977"}, "category": {"organisation"}, "advance": {"7"}, "slug": {"hoi-xa"}}
	}
	if code, body := do(t, a, "POST", edit, form(pageA, "thành lập Hội Nông dân xã Hoà Bình")); code != http.StatusOK ||
		!strings.Contains(body, "Đã lưu") {
		t.Fatalf("first save: %d\n%s", code, body)
	}
	code, body := do(t, b, "POST", edit, form(pageB, "thành lập Hội Nông dân"))
	if code != http.StatusOK || !strings.Contains(body, "vừa được người khác sửa") || !strings.Contains(body, "telegram:1001 đã sửa tên sự kiện") {
		t.Fatalf("second save: %d\n%s", code, body)
	}
	if !strings.Contains(body, `value="thành lập Hội Nông dân"`) {
		t.Error("the second admin's text is gone")
	}
	got, _ := r.st.Event(context.Background(), ev.ID)
	if got.Title != "thành lập Hội Nông dân xã Hoà Bình" {
		t.Fatalf("the second save overwrote the first: %q", got.Title)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
