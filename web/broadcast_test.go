package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"loa/store"
)

// TestBroadcastFailuresInVietnamese: the Bản tin detail page and its recipients' CSV
// name the reasons deliveries failed in Vietnamese (admin.ReasonText, as the bot's
// /broadcast does), not by their codes.
func TestBroadcastFailuresInVietnamese(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	for _, a := range []string{"501", "502", "503"} {
		if _, _, err := r.st.Subscribe(ctx, store.Chat{Channel: "telegram", Address: a, Kind: "private", Title: "Người " + a}); err != nil {
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
