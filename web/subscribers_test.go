package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"loa/store"
)

// TestResumePausedSubscriber: a chat paused because the bot lost its right to post has
// a "Gửi tiếp" button on the Người nhận page; pressing it lifts the pause (audited as
// coming from the web) and says so; pressing it again, or for an unknown chat, says
// why nothing changed, in Vietnamese.
func TestResumePausedSubscriber(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	sub, _, err := r.st.Subscribe(ctx, store.Chat{Channel: "telegram", Address: "-100555", Kind: "channel", Title: "Kênh tin xã"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.st.Subscribe(ctx, store.Chat{Channel: "telegram", Address: "502", Kind: "private", Title: "Chị Tư"}); err != nil {
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
	_, page := do(t, c, "GET", r.srv.URL+"/nguoi-nhan", nil)
	resume := "/nguoi-nhan/" + itoa(sub.ID) + "/gui-tiep"
	if strings.Count(page, `action="/nguoi-nhan/`) != 1 || !strings.Contains(page, `action="`+resume+`"`) {
		t.Fatalf("want one resume button, on the paused chat:\n%s", page)
	}
	post := func(path string) (int, string) {
		t.Helper()
		return do(t, c, "POST", r.srv.URL+path, url.Values{"csrf": {csrfOf(t, page)}})
	}
	code, body := post(resume)
	if code != http.StatusOK || !strings.Contains(body, "Đã cho gửi tiếp") || strings.Contains(body, `action="`+resume+`"`) {
		t.Fatalf("resume: %d\n%s", code, body)
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
