package telegram

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"loa/bot"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/telegramtest"
)

func TestDeriveWebhookSecret(t *testing.T) {
	t.Parallel()
	a := DeriveWebhookSecret(telegramtest.DefaultToken)
	if a != DeriveWebhookSecret(telegramtest.DefaultToken) {
		t.Error("not deterministic")
	}
	if a == DeriveWebhookSecret("1:another-token") {
		t.Error("two tokens give the same secret")
	}
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("secret %q: want 64 hex digits (Telegram allows A-Z a-z 0-9 _ -, up to 256)", a)
	}
	apitest.NoToken(t, "secret", a, telegramtest.DefaultToken)
}

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	const secret = "s3cret_value-for-tests"
	update := `{"update_id":10,"message":{"message_id":1,"from":{"id":501,"first_name":"Hoa"},"chat":{"id":1001,"type":"private","first_name":"Hoa"},"date":1,"text":"/help"}}`
	tests := []struct {
		name    string
		method  string
		header  *string
		body    string
		status  int
		handled bool
	}{
		{name: "right secret", method: "POST", header: ptr(secret), body: update, status: 200, handled: true},
		{name: "wrong secret", method: "POST", header: ptr("s3cret_value-for-test"), body: update, status: 401},
		{name: "missing secret", method: "POST", body: update, status: 401},
		{name: "empty secret", method: "POST", header: ptr(""), body: update, status: 401},
		{name: "wrong method", method: "GET", header: ptr(secret), status: 405},
		{name: "oversized", method: "POST", header: ptr(secret), body: `{"update_id":1,"x":"` + strings.Repeat("a", 1<<20) + `"}`, status: 413},
		{name: "malformed", method: "POST", header: ptr(secret), body: `{"update_id":`, status: 400},
		{name: "not an update", method: "POST", header: ptr(secret), body: `{"update_id":11,"message":"x"}`, status: 200},
		{name: "unknown kind", method: "POST", header: ptr(secret), body: `{"update_id":12,"poll":{}}`, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := telegramtest.NewServer(t)
			srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
			c, logs := newClient(t, srv, nil)
			h := inboxtest.NewRecorder(func(bot.Update) bot.Response {
				return bot.Response{Replies: []bot.Reply{{Text: "Trợ giúp"}}}
			})
			req := httptest.NewRequest(tc.method, "/telegram/webhook", strings.NewReader(tc.body))
			if tc.header != nil {
				req.Header.Set(SecretHeader, *tc.header)
			}
			rec := httptest.NewRecorder()
			c.WebhookHandler(secret, inboxtest.NewDirect(c, h)).ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.status, rec.Body)
			}
			got := h.Updates()
			if tc.handled != (len(got) == 1) {
				t.Fatalf("handled %+v, want handled=%v", got, tc.handled)
			}
			if tc.handled {
				if m := srv.Messages(privateID); len(m) != 1 || m[0].Text != "Trợ giúp" {
					t.Errorf("reply not sent before answering: %+v", m)
				}
			}
			if tc.status == 400 && !strings.Contains(logs.String(), "malformed") {
				t.Errorf("malformed request not logged:\n%s", logs)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestWebhookEndToEnd: SetWebhook registers the derived secret and the allowed
// updates, and the fake's deliveries pass the handler's check.
func TestWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	c, _ := newClient(t, srv, nil)
	h := inboxtest.NewRecorder(func(u bot.Update) bot.Response {
		if u.Callback != nil {
			return bot.Response{CallbackText: "Đã lưu"}
		}
		return bot.Response{Replies: []bot.Reply{{Text: "Đã đăng ký."}}}
	})
	hook := httptest.NewServer(c.WebhookHandler("", inboxtest.NewDirect(c, h)))
	t.Cleanup(hook.Close)
	ctx := apitest.Context(t)
	if err := c.SetWebhook(ctx, hook.URL+"/telegram", ""); err != nil {
		t.Fatal(err)
	}
	if got := srv.WebhookSecret(); got != DeriveWebhookSecret(srv.Token()) {
		t.Errorf("webhook secret %q, want the derived one", got)
	}
	if info := srv.Webhook(); !reflect.DeepEqual(info.AllowedUpdates, allowedUpdates) {
		t.Errorf("allowed updates %v, want %v", info.AllowedUpdates, allowedUpdates)
	}
	srv.PushUpdate(srv.Command(privateID, hoa, "start"))
	srv.PushUpdate(srv.CallbackQuery(privateID, hoa, 2, "topic:articles"))
	// The fake marks a callback answerable only once its webhook request returned, so
	// the answer given while handling it is refused there (Telegram accepts it): count
	// the call rather than the recorded answer.
	if err := srv.WaitFor(ctx, func() bool { return srv.PendingUpdates() == 0 && srv.Calls("answerCallbackQuery") == 1 }); err != nil {
		t.Fatalf("updates not delivered: %+v (%v)", srv.Webhook(), err)
	}
	if m := srv.Messages(privateID); len(m) != 1 || m[0].Text != "Đã đăng ký." {
		t.Errorf("private chat received %+v", m)
	}
	if info := srv.Webhook(); info.LastErrorMessage != "" {
		t.Errorf("the fake saw a webhook error: %s", info.LastErrorMessage)
	}
	if got := h.Updates(); len(got) != 2 || got[0].Text != "/start" || got[1].Callback == nil {
		t.Errorf("handled %+v", got)
	}

	// Another secret than the one registered: every delivery is refused.
	if err := c.SetWebhook(ctx, hook.URL+"/telegram", "other-secret"); err != nil {
		t.Fatal(err)
	}
	srv.PushUpdate(srv.Command(privateID, hoa, "help"))
	if err := srv.WaitFor(ctx, func() bool { return srv.Webhook().LastErrorMessage != "" }); err != nil {
		t.Fatal(err)
	}
	if msg := srv.Webhook().LastErrorMessage; !strings.Contains(msg, "401") {
		t.Errorf("webhook error %q, want a 401", msg)
	}
	if len(h.Updates()) != 2 {
		t.Error("an update with the wrong secret was handled")
	}
}

// webhook is this adapter's webhook for the shared tests, with a client of its own.
func webhook(t *testing.T) adaptertest.Webhook {
	t.Helper()
	srv := telegramtest.NewServer(t)
	clk := newTestClock()
	c, logs := newClient(t, srv, clk)
	return adaptertest.Webhook{
		Handler: c.WebhookHandler, Header: SecretHeader, Clock: clk, Logs: logs,
		Update: `{"update_id":10,"message":{"message_id":1,"from":{"id":501,"first_name":"Hoa"},"chat":{"id":1001,"type":"private","first_name":"Hoa"},"date":1,"text":"/help"}}`,
		ID:     "10", Chat: "1001", Sent: srv.Accepted,
	}
}

func TestWebhookRefusalsCounted(t *testing.T) {
	t.Parallel()
	adaptertest.WebhookRefusalsCounted(t, webhook(t))
}

func TestWebhookStoresThenAnswers(t *testing.T) {
	t.Parallel()
	adaptertest.WebhookStoresThenAnswers(t, webhook(t))
}
