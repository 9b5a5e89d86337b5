package zalo

import (
	"net/http/httptest"
	"strings"
	"testing"

	"loa/bot"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/zalotest"
)

// TestWebhookEndToEnd: SetWebhook registers the URL and the derived secret, the fake's
// deliveries (bare, as observed and the fake's default, or wrapped as in the docs'
// sample) pass the handler's check, a redelivered message is handled once, and another
// secret is refused.
func TestWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	for _, wrapped := range []bool{false, true} {
		name := "bare"
		clk := adaptertest.NewClock() // the fake's per-chat limit and the client's pacing agree
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

// webhook is this adapter's webhook for the shared tests, with a client of a fake
// server of its own where Hoa's chat exists.
func webhook(t *testing.T) adaptertest.Webhook {
	t.Helper()
	srv := zalotest.NewServer(t)
	srv.AddChat(zalotest.Chat{ID: hoaID})
	clk := adaptertest.NewClock()
	c, logs := newClient(t, srv, clk)
	return adaptertest.Webhook{
		Handler: c.WebhookHandler, Adapter: c, Header: SecretHeader, Clock: clk, Logs: logs,
		Update: updateBody("77"), ID: "m-77", Chat: hoaID, Text: "trợ giúp",
		Replies: func() []string {
			return adaptertest.Map(srv.Messages(hoaID), func(m zalotest.SentMessage) string { return m.Text })
		},
		Sent: srv.Accepted, Derive: DeriveWebhookSecret, Token: srv.Token(),
	}
}

// updateBody is a webhook request with Hoa's text "trợ giúp" as the message m-<id>,
// bare as Zalo sends it.
func updateBody(id string) string {
	return `{"event_name":"message.text.received","message":{"from":{"id":"` + hoaID + `","display_name":"Hoa","is_bot":false},` +
		`"chat":{"id":"` + hoaID + `","chat_type":"PRIVATE"},"text":"trợ giúp","message_id":"m-` + id + `","date":1717574400000}}`
}

// TestWebhookHandler: what every webhook does alike (adaptertest.WebhookSuite), and what Zalo's wire
// format makes of others: the docs' envelope, events loa does not act on, a message
// without chat_type.
func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	secret := adaptertest.Ptr("s3cret_value-for-tests")
	type tc = adaptertest.WebhookCase
	adaptertest.WebhookSuite(t, webhook,
		tc{Name: "right secret, wrapped", Secret: secret, Body: `{"ok":true,"result":` + updateBody("1") + `}`, Status: 200, Handled: true},
		tc{Name: "not an update", Secret: secret, Body: `{"event_name":"message.text.received","message":{"text":"x"}}`, Status: 400},
		tc{Name: "envelope not ok", Secret: secret, Body: `{"ok":false,"result":` + updateBody("6") + `}`, Status: 400},
		tc{Name: "other event", Secret: secret, Body: `{"event_name":"message.sticker.received","message":{"chat":{"id":"c"},"message_id":"s"}}`, Status: 200},
		tc{Name: "empty envelope", Secret: secret, Body: `{"ok":true,"result":null}`, Status: 200},
		// Not handled (never as a private chat), yet no malformed request for Zalo to resend.
		tc{Name: "no chat_type", Secret: secret, Body: strings.Replace(updateBody("7"), `,"chat_type":"PRIVATE"`, "", 1), Status: 200},
	)
}
