package adaptertest

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/bot/inbox"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/testclock"
)

// Webhook is one adapter's webhook, as the shared webhook tests drive it: a client of
// a fake server of its own.
type Webhook struct {
	// Handler returns the adapter's WebhookHandler with this secret, storing in in.
	Handler func(secret string, in botapi.Inbox) http.Handler
	// Adapter is the client, which parses stored updates and carries out answers.
	Adapter inbox.Adapter
	// Replies returns the texts the fake server received for Chat.
	Replies func() []string
	// Header carries the secret (the adapter's SecretHeader).
	Header string
	// Clock is the client's clock (its refusal log runs on it); Logs its log.
	Clock *testclock.Clock
	Logs  fmt.Stringer
	// Update is a request body holding one update, stored under ID for Chat, whose text
	// is Text.
	Update, ID, Chat, Text string
	// Sent counts the messages the fake server accepted from the client.
	Sent func() int
	// Derive is the adapter's DeriveWebhookSecret; Token the fake's token.
	Derive func(token string) string
	Token  string
}

// WebhookSuite runs the webhook tests every adapter passes alike, each on a webhook
// of its own from newWebhook: the derived secret, the request table (with the
// adapter's extra cases), the refusal log, store-then-answer.
func WebhookSuite(t *testing.T, newWebhook func(t *testing.T) Webhook, extra ...WebhookCase) {
	t.Helper()
	t.Run("derived secret", func(t *testing.T) {
		t.Parallel()
		w := newWebhook(t)
		WebhookSecret(t, w.Derive, w.Token)
	})
	t.Run("requests", func(t *testing.T) {
		t.Parallel()
		WebhookRequests(t, newWebhook, extra...)
	})
	t.Run("refusals counted", func(t *testing.T) {
		t.Parallel()
		WebhookRefusalsCounted(t, newWebhook(t))
	})
	t.Run("stores then answers", func(t *testing.T) {
		t.Parallel()
		WebhookStoresThenAnswers(t, newWebhook(t))
	})
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

// WebhookSecret: the secret derived from a token is the same each time, another
// token's differs, and it is 64 hex digits, which both messengers' secret_token accept
// (Telegram: 1–256 of A-Z a-z 0-9 _ -; Zalo: 8–256 of them), and it shows nothing of
// the token.
func WebhookSecret(t *testing.T, derive func(token string) string, token string) {
	t.Helper()
	a := derive(token)
	if a != derive(token) {
		t.Error("not deterministic")
	}
	if a == derive("1:another-token") {
		t.Error("two tokens give the same secret")
	}
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("secret %q: want 64 hex digits", a)
	}
	apitest.NoToken(t, "secret", a, token)
}

// WebhookCase is one request to the webhook and what it must come to.
type WebhookCase struct {
	Name string
	// Method is the request's method; "" is POST.
	Method string
	// Secret is the secret header's value; nil sends no header.
	Secret *string
	Body   string
	Status int
	// Handled: the update reached the bot, and its reply was sent before the answer.
	Handled bool
}

// Ptr returns a pointer to s (a WebhookCase's Secret).
func Ptr(s string) *string { return &s }

// WebhookRequests sends each request to a webhook of its own (newWebhook) whose bot
// replies "Trợ giúp", and checks the status, that the update was handled (with the
// reply sent before the answer) or not, and that a malformed request (400) and a
// refused one (401) are logged. The requests every webhook answers alike come first
// (the right secret with the adapter's Update, wrong, missing and empty secrets, a GET,
// a body over 1 MiB, broken JSON); the adapter adds what its wire format makes of
// other bodies.
func WebhookRequests(t *testing.T, newWebhook func(t *testing.T) Webhook, extra ...WebhookCase) {
	t.Helper()
	const secret = "s3cret_value-for-tests"
	update := newWebhook(t).Update
	cases := append([]WebhookCase{
		{Name: "right secret", Secret: Ptr(secret), Body: update, Status: http.StatusOK, Handled: true},
		{Name: "wrong secret", Secret: Ptr(secret[:len(secret)-1]), Body: update, Status: http.StatusUnauthorized},
		{Name: "missing secret", Body: update, Status: http.StatusUnauthorized},
		{Name: "empty secret", Secret: Ptr(""), Body: update, Status: http.StatusUnauthorized},
		{Name: "wrong method", Method: "GET", Secret: Ptr(secret), Status: http.StatusMethodNotAllowed},
		{Name: "oversized", Secret: Ptr(secret), Body: `{"pad":"` + strings.Repeat("a", botapi.MaxUpdateBytes) + `"}`,
			Status: http.StatusRequestEntityTooLarge},
		{Name: "malformed JSON", Secret: Ptr(secret), Body: `{"update_id":`, Status: http.StatusBadRequest},
	}, extra...)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			w := newWebhook(t)
			h := inboxtest.NewRecorder(func(bot.Update) bot.Response {
				return bot.Response{Replies: []bot.Reply{{Text: "Trợ giúp"}}}
			})
			req := httptest.NewRequest(cmp.Or(tc.Method, "POST"), "/webhook", strings.NewReader(tc.Body))
			if tc.Secret != nil {
				req.Header.Set(w.Header, *tc.Secret)
			}
			rec := httptest.NewRecorder()
			w.Handler(secret, inboxtest.NewDirect(w.Adapter, h)).ServeHTTP(rec, req)
			if rec.Code != tc.Status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.Status, rec.Body)
			}
			got := h.Updates()
			if tc.Handled != (len(got) == 1) {
				t.Fatalf("handled %+v, want handled=%v", got, tc.Handled)
			}
			if tc.Handled {
				if got[0].Text != w.Text || got[0].Chat.Address != w.Chat {
					t.Errorf("handled %+v; want %q in chat %s", got[0], w.Text, w.Chat)
				}
				if m := w.Replies(); len(m) != 1 || m[0] != "Trợ giúp" {
					t.Errorf("reply not sent before answering: %q", m)
				}
			}
			if tc.Status == http.StatusBadRequest && !strings.Contains(w.Logs.String(), "malformed") {
				t.Errorf("malformed request not logged:\n%s", w.Logs)
			}
			if tc.Status == http.StatusUnauthorized && !strings.Contains(w.Logs.String(), "without the right secret") {
				t.Errorf("refused request not logged:\n%s", w.Logs)
			}
		})
	}
}
