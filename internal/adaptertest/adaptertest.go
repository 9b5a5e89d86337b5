// Package adaptertest holds the tests that both messenger adapters (bot/telegram and
// bot/zalo) run against their own client: where the behaviour is the same by design
// (the webhook's secret check and store-then-answer, the clock the adapters run on,
// the texts they render), it is written once here and each adapter supplies only
// what differs (its handler, header, wire format and fake server).
package adaptertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loa/bot/botapi"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
)

// NewClock is the clock an adapter's tests run on: it only moves when a test (or the
// client's sleep) moves it.
func NewClock() *apitest.Clock {
	return apitest.NewClock(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
}

// LongSummary is a real-looking article body several messages long (on either
// messenger), with paragraphs to cut at and characters to escape.
func LongSummary() string {
	paras := []string{
		"Sáng 5/6, Ban Thường vụ Tỉnh ủy tổ chức hội nghị sơ kết công tác 6 tháng đầu năm, triển khai nhiệm vụ trọng tâm 6 tháng cuối năm 2024. Dự hội nghị có các đồng chí Ủy viên Ban Thường vụ, lãnh đạo các sở, ban, ngành & đoàn thể tỉnh.",
		"Theo báo cáo, tăng trưởng kinh tế (GRDP) ước đạt 8,2% <cao hơn cùng kỳ>; thu ngân sách nhà nước đạt 56% dự toán; công tác xây dựng Đảng, hệ thống chính trị tiếp tục được chú trọng.",
		"Phát biểu chỉ đạo, đồng chí Bí thư Tỉnh ủy nhấn mạnh: \"Các cấp ủy, tổ chức đảng cần bám sát nghị quyết, tập trung tháo gỡ khó khăn, vướng mắc cho doanh nghiệp, đẩy nhanh tiến độ giải ngân vốn đầu tư công.\"",
	}
	var sb strings.Builder
	for i := 0; i < 14; i++ {
		if i > 0 {
			sb.WriteString("\n\n")
		}
		fmt.Fprintf(&sb, "%d. %s", i+1, paras[i%len(paras)])
	}
	return sb.String()
}

// Webhook is one adapter's webhook, as the shared webhook tests drive it.
type Webhook struct {
	// Handler returns the adapter's WebhookHandler with this secret, storing in in.
	Handler func(secret string, in botapi.Inbox) http.Handler
	// Header carries the secret (the adapter's SecretHeader).
	Header string
	// Clock is the client's clock (its refusal log runs on it); Logs its log.
	Clock *apitest.Clock
	Logs  fmt.Stringer
	// Update is a request body holding one update, stored under ID for Chat.
	Update, ID, Chat string
	// Sent counts the messages the fake server accepted from the client.
	Sent func() int
}

// WebhookRefusalsCounted: wrong-secret requests are logged one line a minute at most,
// on the client's clock, with how many were refused.
func WebhookRefusalsCounted(t *testing.T, w Webhook) {
	t.Helper()
	h := w.Handler("s3cret_value-for-tests-0123456789", inboxtest.NewStoring(0))
	wrong := func() {
		t.Helper()
		req := httptest.NewRequest("POST", "/hook", strings.NewReader(`{}`))
		req.Header.Set(w.Header, "guess")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong secret: status %d", rec.Code)
		}
	}
	for range 3 {
		wrong()
	}
	if n := strings.Count(w.Logs.String(), "without the right secret"); n != 1 {
		t.Fatalf("%d lines for 3 refusals within a minute, want 1:\n%s", n, w.Logs)
	}
	_ = w.Clock.Sleep(context.Background(), time.Minute)
	wrong()
	if n := strings.Count(w.Logs.String(), "without the right secret"); n != 2 || !strings.Contains(w.Logs.String(), "refused=3") {
		t.Fatalf("a minute later: %d lines, want 2, the second counting 3:\n%s", n, w.Logs)
	}
}

// WebhookStoresThenAnswers: a webhook update is stored in the inbox and answered 200
// at once, before anything handles it (the messenger must never wait for the bot); a
// redelivery is stored under the same id; when the inbox refuses the update the
// answer is 500, so that the messenger delivers it again.
func WebhookStoresThenAnswers(t *testing.T, w Webhook) {
	t.Helper()
	const secret = "s3cret_value-for-tests"
	in := inboxtest.NewStoring(1)
	post := func() int {
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(w.Update))
		req.Header.Set(w.Header, secret)
		rec := httptest.NewRecorder()
		w.Handler(secret, in).ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(); code != http.StatusInternalServerError {
		t.Fatalf("refused by the inbox: status %d, want 500", code)
	}
	if !strings.Contains(w.Logs.String(), "store webhook update") {
		t.Errorf("the refusal was not logged:\n%s", w.Logs)
	}
	for range 2 {
		if code := post(); code != http.StatusOK {
			t.Fatalf("stored: status %d, want 200", code)
		}
	}
	got, _ := in.All()
	if len(got) != 2 || got[0].ID != w.ID || got[1].ID != w.ID || got[0].Chat != w.Chat || string(got[0].Payload) != w.Update {
		t.Fatalf("stored %+v; want the update under id %s both times", got, w.ID)
	}
	if n := w.Sent(); n != 0 {
		t.Errorf("%d messages sent while answering the webhook: handling comes after", n)
	}
}
