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

// webhook is this adapter's webhook for the shared tests, with a client of a fake
// server of its own where the private chat exists.
func webhook(t *testing.T) adaptertest.Webhook {
	t.Helper()
	srv := telegramtest.NewServer(t)
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	clk := adaptertest.NewClock()
	c, logs := newClient(t, srv, clk)
	return adaptertest.Webhook{
		Handler: c.WebhookHandler, Adapter: c, Header: SecretHeader, Clock: clk, Logs: logs,
		Update: `{"update_id":10,"message":{"message_id":1,"from":{"id":501,"first_name":"Hoa"},"chat":{"id":1001,"type":"private","first_name":"Hoa"},"date":1,"text":"/help"}}`,
		ID:     "10", Chat: "1001", Text: "/help",
		Replies: func() []string {
			return adaptertest.Map(srv.Messages(privateID), func(m telegramtest.SentMessage) string { return m.Text })
		},
		Sent: srv.Accepted, Derive: DeriveWebhookSecret, Token: srv.Token(),
	}
}

// TestWebhookHandler: what every webhook does alike (adaptertest.WebhookSuite), and what Telegram's
// wire format makes of others.
func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	secret := adaptertest.Ptr("s3cret_value-for-tests")
	adaptertest.WebhookSuite(t, webhook,
		adaptertest.WebhookCase{Name: "not an update", Secret: secret, Body: `{"update_id":11,"message":"x"}`, Status: 200},
		adaptertest.WebhookCase{Name: "unknown kind", Secret: secret, Body: `{"update_id":12,"poll":{}}`, Status: 200},
	)
}
