package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"loa/admin"
	"loa/store"
)

// TestCancelFromTheConsole: an announcement and a broadcast are cancelled from their
// pages (audited as coming from the web) and say so; cancelling again shows admin's
// refusal on the page; an unknown one is not found.
func TestCancelFromTheConsole(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	if _, _, err := r.st.Subscribe(ctx, store.Chat{Channel: "telegram", Address: "501", Kind: "private", Title: "Anh Ba"}); err != nil {
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
