package zalo

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"loa/bot"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/zalotest"
)

func TestDeriveWebhookSecret(t *testing.T) {
	t.Parallel()
	a := DeriveWebhookSecret(zalotest.DefaultToken)
	if a != DeriveWebhookSecret(zalotest.DefaultToken) {
		t.Error("not deterministic")
	}
	if a == DeriveWebhookSecret("1:another-token") {
		t.Error("two tokens give the same secret")
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{8,256}$`).MatchString(a) {
		t.Errorf("secret %q: want 8 to 256 characters of A-Z a-z 0-9 _ -", a)
	}
	apitest.NoToken(t, "secret", a, zalotest.DefaultToken)
}

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	const secret = "s3cret_value-for-tests"
	upd := `{"event_name":"message.text.received","message":{"from":{"id":"` + hoaID + `","display_name":"Hoa","is_bot":false},` +
		`"chat":{"id":"` + hoaID + `","chat_type":"PRIVATE"},"text":"trợ giúp","message_id":"m-%s","date":1717574400000}}`
	body := func(id string) string { return strings.Replace(upd, "%s", id, 1) }
	tests := []struct {
		name    string
		method  string
		header  *string
		body    string
		status  int
		handled bool
	}{
		{name: "right secret, wrapped", method: "POST", header: ptr(secret), body: `{"ok":true,"result":` + body("1") + `}`, status: 200, handled: true},
		{name: "right secret, bare", method: "POST", header: ptr(secret), body: body("2"), status: 200, handled: true},
		{name: "wrong secret", method: "POST", header: ptr("s3cret_value-for-test"), body: body("3"), status: 401},
		{name: "missing secret", method: "POST", body: body("4"), status: 401},
		{name: "empty secret", method: "POST", header: ptr(""), body: body("5"), status: 401},
		{name: "wrong method", method: "GET", header: ptr(secret), status: 405},
		{name: "oversized", method: "POST", header: ptr(secret), body: `{"event_name":"x","pad":"` + strings.Repeat("a", 1<<20) + `"}`, status: 413},
		{name: "malformed JSON", method: "POST", header: ptr(secret), body: `{"event_name":`, status: 400},
		{name: "not an update", method: "POST", header: ptr(secret), body: `{"event_name":"message.text.received","message":{"text":"x"}}`, status: 400},
		{name: "envelope not ok", method: "POST", header: ptr(secret), body: `{"ok":false,"result":` + body("6") + `}`, status: 400},
		{name: "other event", method: "POST", header: ptr(secret), body: `{"event_name":"message.sticker.received","message":{"chat":{"id":"c"},"message_id":"s"}}`, status: 200},
		{name: "empty envelope", method: "POST", header: ptr(secret), body: `{"ok":true,"result":null}`, status: 200},
		// Not handled (never as a private chat), yet no malformed request for Zalo to resend.
		{name: "no chat_type", method: "POST", header: ptr(secret), body: strings.Replace(body("7"), `,"chat_type":"PRIVATE"`, "", 1), status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := zalotest.NewServer(t)
			srv.AddChat(zalotest.Chat{ID: hoaID})
			c, logs := newClient(t, srv, nil)
			h := inboxtest.NewRecorder(func(bot.Update) bot.Response {
				return bot.Response{Replies: []bot.Reply{{Text: "Hướng dẫn"}}}
			})
			req := httptest.NewRequest(tc.method, "/zalo/webhook", strings.NewReader(tc.body))
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
				if got[0].Text != "trợ giúp" || got[0].Chat.Address != hoaID {
					t.Errorf("handled %+v", got[0])
				}
				if m := srv.Messages(hoaID); len(m) != 1 || m[0].Text != "Hướng dẫn" {
					t.Errorf("reply not sent before answering: %+v", m)
				}
			}
			if tc.status == 400 && !strings.Contains(logs.String(), "malformed") {
				t.Errorf("malformed request not logged:\n%s", logs)
			}
			if tc.status == 401 && !strings.Contains(logs.String(), "without the right secret") {
				t.Errorf("refused request not logged:\n%s", logs)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestWebhookEndToEnd: SetWebhook registers the URL and the derived secret, the fake's
// deliveries (bare, as observed and the fake's default, or wrapped as in the docs'
// sample) pass the handler's check, a redelivered message is handled once, and another
// secret is refused.
func TestWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	for _, wrapped := range []bool{false, true} {
		name := "bare"
		clk := newTestClock() // the fake's per-chat limit and the client's pacing agree
		opts := []zalotest.Option{zalotest.WithClock(clk.Now)}
		if wrapped {
			name, opts = "wrapped", append(opts, zalotest.WrappedWebhook())
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := zalotest.NewServer(t, opts...)
			c, logs := newClient(t, srv, clk)
			h := inboxtest.NewRecorder(func(u bot.Update) bot.Response {
				return bot.Response{Replies: []bot.Reply{{Text: "Đã nhận: " + u.Text}}}
			})
			hook := httptest.NewServer(c.WebhookHandler("", inboxtest.NewDirect(c, h)))
			t.Cleanup(hook.Close)
			ctx := apitest.Context(t)
			if err := c.SetWebhook(ctx, hook.URL+"/zalo", ""); err != nil {
				t.Fatal(err)
			}
			url, secret, _ := srv.Webhook()
			if url != hook.URL+"/zalo" || secret != DeriveWebhookSecret(srv.Token()) {
				t.Errorf("webhook %q with secret %q, want the derived secret", url, secret)
			}
			if got, err := c.WebhookURL(ctx); err != nil || got != url {
				t.Errorf("WebhookURL = %q, %v", got, err)
			}
			first := srv.TextMessage(hoaID, hoaID, "Hoa", "đăng ký")
			srv.PushUpdate(first)
			srv.PushUpdate(first) // redelivered
			srv.PushUpdate(srv.TextMessage(hoaID, hoaID, "Hoa", "chủ đề").WithNameField())
			if err := srv.WaitFor(ctx, func() bool { return srv.PendingUpdates() == 0 && srv.WebhookDeliveries() == 3 }); err != nil {
				t.Fatalf("updates not delivered: %v", err)
			}
			if m := srv.Messages(hoaID); len(m) != 2 || m[0].Text != "Đã nhận: đăng ký" || m[1].Text != "Đã nhận: chủ đề" {
				t.Errorf("chat received %+v", m)
			}
			if got := h.Updates(); len(got) != 2 || got[1].From.Name != "Hoa" {
				t.Errorf("handled %+v", got)
			}

			// Another secret than the one the handler checks: every delivery is refused.
			if err := c.SetWebhook(ctx, hook.URL+"/zalo", "another-secret-value"); err != nil {
				t.Fatal(err)
			}
			srv.PushUpdate(srv.TextMessage(hoaID, hoaID, "Hoa", "/help"))
			if err := srv.WaitFor(ctx, func() bool { _, _, e := srv.Webhook(); return e != "" }); err != nil {
				t.Fatal(err)
			}
			if _, _, e := srv.Webhook(); !strings.Contains(e, "401") {
				t.Errorf("webhook error %q, want a 401", e)
			}
			if len(h.Updates()) != 2 {
				t.Error("a request with the wrong secret was handled")
			}
			if err := c.DeleteWebhook(ctx); err != nil {
				t.Fatal(err)
			}
			apitest.NoToken(t, "log", logs.String(), srv.Token())
		})
	}
}

// TestWebhookOtherEventsQuietly: events loa does not act on — voice messages, images,
// stickers and names Zalo may add later — are answered 200, reach no handler and log
// nothing above debug; a text after them is handled.
func TestWebhookOtherEventsQuietly(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	c, logs := newClient(t, srv, nil)
	h := inboxtest.NewRecorder(nil)
	hook := httptest.NewServer(c.WebhookHandler("", inboxtest.NewDirect(c, h)))
	t.Cleanup(hook.Close)
	ctx := apitest.Context(t)
	if err := c.SetWebhook(ctx, hook.URL+"/zalo", ""); err != nil {
		t.Fatal(err)
	}
	events := []string{zalotest.EventVoice, zalotest.EventImage, zalotest.EventSticker, zalotest.EventUnsupported,
		"message.location.received", "user.joined"}
	for _, ev := range events {
		srv.PushUpdate(srv.EventMessage(ev, hoaID, hoaID, "Hoa"))
	}
	srv.PushUpdate(srv.TextMessage(hoaID, hoaID, "Hoa", "trợ giúp"))
	if err := srv.WaitFor(ctx, func() bool { return srv.WebhookDeliveries() == len(events)+1 }); err != nil {
		t.Fatalf("deliveries: %v", err)
	}
	if _, _, lastErr := srv.Webhook(); lastErr != "" {
		t.Errorf("a delivery was refused: %s", lastErr)
	}
	if got := h.Updates(); len(got) != 1 || got[0].Text != "trợ giúp" {
		t.Errorf("handled %+v, want only the text", got)
	}
	for _, level := range []string{"level=INFO", "level=WARN", "level=ERROR"} {
		if strings.Contains(logs.String(), level) {
			t.Errorf("other events logged at %s:\n%s", level, logs)
		}
	}
}

// webhook is this adapter's webhook for the shared tests, with a client of its own.
func webhook(t *testing.T) adaptertest.Webhook {
	t.Helper()
	srv := zalotest.NewServer(t)
	clk := newTestClock()
	c, logs := newClient(t, srv, clk)
	return adaptertest.Webhook{
		Handler: c.WebhookHandler, Header: SecretHeader, Clock: clk, Logs: logs,
		Update: `{"event_name":"message.text.received","message":{"from":{"id":"u1","display_name":"Hoa"},"chat":{"id":"u1","chat_type":"PRIVATE"},"text":"đăng ký","message_id":"m-77","date":1}}`,
		ID:     "m-77", Chat: "u1", Sent: srv.Accepted,
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
