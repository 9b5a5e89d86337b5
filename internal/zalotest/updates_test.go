package zalotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/internal/apitest"
)

// pollAsync runs getUpdates in the background.
func pollAsync(t *testing.T, s *Server, body any) <-chan apiResp {
	ch := make(chan apiResp, 1)
	go func() { ch <- call(t, s, "getUpdates", body) }()
	return ch
}

// waitPolls waits until n getUpdates are waiting.
func waitPolls(t *testing.T, s *Server, n int) {
	t.Helper()
	if err := s.WaitFor(apitest.Context(t), func() bool { return s.LongPolls() == n }); err != nil {
		t.Fatalf("waiting for %d long polls: %v", n, err)
	}
}

func recv(t *testing.T, ch <-chan apiResp) apiResp {
	t.Helper()
	return apitest.Receive(t, ch, "getUpdates's answer")
}

func TestLongPollReturnsPushedUpdate(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	res := pollAsync(t, s, map[string]any{"timeout": "30"})
	waitPolls(t, s, 1)
	u := s.TextMessage(hoa, hoa, "Nguyễn Thị Hoa", "đăng ký")
	id := s.PushUpdate(u)
	r := recv(t, res)
	want := fmt.Sprintf(`{"ok":true,"result":{"event_name":"message.text.received","message":{"from":{"id":"%s","display_name":"Nguyễn Thị Hoa","is_bot":false},"chat":{"id":"%s","chat_type":"PRIVATE"},"text":"đăng ký","message_id":"%s","date":%d}}}`,
		hoa, hoa, id, clock.Now().UnixMilli())
	if r.Status != 200 || r.Raw != want {
		t.Errorf("getUpdates =\n%s\nwant\n%s", r.Raw, want)
	}
	if !hexID.MatchString(id) || s.PendingUpdates() != 0 || !s.KnownChat(hoa) {
		t.Errorf("id %q, pending %d, known %v", id, s.PendingUpdates(), s.KnownChat(hoa))
	}
	waitPolls(t, s, 0)
}

func TestIdlePoll(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   []Option
		body   any
		expire bool
		code   int
		desc   string
	}{
		{name: "timeout 0 as a string", body: map[string]any{"timeout": "0"}, code: 408, desc: "Request timeout"},
		{name: "timeout 0 as a number", body: map[string]any{"timeout": 0}, code: 408, desc: "Request timeout"},
		{name: "expired by the test", body: map[string]any{"timeout": "30"}, expire: true, code: 408, desc: "Request timeout"},
		{name: "default timeout, expired", body: nil, expire: true, code: 408, desc: "Request timeout"},
		{name: "capped timeout", opts: []Option{WithMaxPollTimeout(time.Millisecond)}, body: map[string]any{"timeout": 30},
			code: 408, desc: "Request timeout"},
		{name: "bad timeout", body: map[string]any{"timeout": "soon"}, code: 400, desc: "Bad Request: timeout must be a whole number of seconds"},
		{name: "negative timeout", body: map[string]any{"timeout": -1}, code: 400, desc: "Bad Request: timeout must be a whole number of seconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t, tc.opts...)
			res := pollAsync(t, s, tc.body)
			if tc.expire {
				waitPolls(t, s, 1)
				s.ExpirePolls()
			}
			wantErr(t, recv(t, res), tc.code, tc.desc)
			waitPolls(t, s, 0)
		})
	}
}

func TestOneUpdatePerCall(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	first := s.TextMessage(hoa, hoa, "Hoa", "/start")
	second := s.TextMessage(minh, minh, "Minh", "đăng ký")
	s.PushUpdate(first)
	s.PushUpdate(second)
	s.PushUpdate(second) // pushed twice: same message_id
	if s.PendingUpdates() != 3 {
		t.Fatalf("pending %d", s.PendingUpdates())
	}
	var got []Update
	for range 3 {
		var u Update
		wantOK(t, call(t, s, "getUpdates", map[string]any{"timeout": "0"}), &u)
		got = append(got, u)
	}
	if got[0].Message.Text != "/start" || got[1].Message.MessageID != second.Message.MessageID ||
		got[2].Message.MessageID != second.Message.MessageID || got[0].Message.MessageID == got[1].Message.MessageID {
		t.Errorf("updates = %+v %+v %+v", got[0].Message, got[1].Message, got[2].Message)
	}
	// Served once, gone: nothing to confirm, nothing served again.
	wantErr(t, call(t, s, "getUpdates", map[string]any{"timeout": "0"}), 408, "Request timeout")
	if s.PendingUpdates() != 0 || s.Calls("getUpdates") != 4 {
		t.Errorf("pending %d, calls %d", s.PendingUpdates(), s.Calls("getUpdates"))
	}
}

func TestConcurrentPolls(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	a := pollAsync(t, s, map[string]any{"timeout": 30})
	b := pollAsync(t, s, map[string]any{"timeout": 30})
	waitPolls(t, s, 2)
	s.PushUpdate(s.TextMessage(hoa, hoa, "Hoa", "một"))
	s.PushUpdate(s.TextMessage(minh, minh, "Minh", "hai"))
	var ua, ub Update
	wantOK(t, recv(t, a), &ua)
	wantOK(t, recv(t, b), &ub)
	if ua.Message.Text == ub.Message.Text {
		t.Errorf("both polls got %q", ua.Message.Text)
	}
}

func TestPollEndsWithClient(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	ctx, cancel := ctxWithCancel(t)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.MethodURL("getUpdates"), strings.NewReader(`{"timeout":"30"}`))
	req.Header.Set("Content-Type", "application/json")
	errc := s.DoAsync(req)
	waitPolls(t, s, 1)
	cancel()
	if err := <-errc; err == nil {
		t.Error("cancelled poll answered")
	}
	waitPolls(t, s, 0)
	// The update pushed afterwards is still there for the next poll.
	s.PushUpdate(s.TextMessage(hoa, hoa, "Hoa", "còn đây"))
	wantOK(t, call(t, s, "getUpdates", map[string]any{"timeout": "0"}), nil)
}

func TestUpdateBuilders(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	ms := clock.Now().UnixMilli()
	for _, tc := range []struct {
		name string
		u    Update
		want string // with %s for message_id and %d for date
	}{
		{
			name: "text, display_name",
			u:    s.TextMessage(hoa, hoa, "Hoa", "bật 2"),
			want: `{"event_name":"message.text.received","message":{"from":{"id":"` + hoa + `","display_name":"Hoa","is_bot":false},"chat":{"id":"` + hoa + `","chat_type":"PRIVATE"},"text":"bật 2","message_id":"%s","date":%d}}`,
		},
		{
			name: "text, name",
			u:    s.TextMessage(hoa, hoa, "Hoa", "tat 2").WithNameField(),
			want: `{"event_name":"message.text.received","message":{"from":{"id":"` + hoa + `","name":"Hoa","is_bot":false},"chat":{"id":"` + hoa + `","chat_type":"PRIVATE"},"text":"tat 2","message_id":"%s","date":%d}}`,
		},
		{
			name: "group",
			u:    s.TextMessage(lan, minh, "Minh", "/latest"),
			want: `{"event_name":"message.text.received","message":{"from":{"id":"` + minh + `","display_name":"Minh","is_bot":false},"chat":{"id":"` + lan + `","chat_type":"GROUP"},"text":"/latest","message_id":"%s","date":%d}}`,
		},
		{
			name: "sticker",
			u:    s.EventMessage(EventSticker, hoa, hoa, "Hoa"),
			want: `{"event_name":"message.sticker.received","message":{"from":{"id":"` + hoa + `","display_name":"Hoa","is_bot":false},"chat":{"id":"` + hoa + `","chat_type":"PRIVATE"},"sticker":"0e078a2fb66a5f34067b","message_id":"%s","date":%d}}`,
		},
		{
			name: "unknown event",
			u:    s.EventMessage("message.reaction.received", hoa, hoa, "Hoa"),
			want: `{"event_name":"message.reaction.received","message":{"from":{"id":"` + hoa + `","display_name":"Hoa","is_bot":false},"chat":{"id":"` + hoa + `","chat_type":"PRIVATE"},"message_id":"%s","date":%d}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.u)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(tc.want, tc.u.Message.MessageID, ms); string(b) != want {
				t.Errorf("update =\n%s\nwant\n%s", b, want)
			}
		})
	}
	// WithNameField copies: the original keeps display_name.
	u := s.TextMessage(hoa, hoa, "Hoa", "x")
	_ = u.WithNameField()
	if u.Message.From.DisplayName != "Hoa" || u.Message.From.Name != "" {
		t.Errorf("WithNameField changed the original: %+v", u.Message.From)
	}
}

func TestPushRaw(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.PushRaw([]byte(`{"event_name":"message.text.received","message":{"chat":{"id":12},"text":"x"}}`))
	s.PushRaw([]byte(`{"event_name":`))
	r := call(t, s, "getUpdates", map[string]any{"timeout": "0"})
	if r.Raw != `{"ok":true,"result":{"event_name":"message.text.received","message":{"chat":{"id":12},"text":"x"}}}` {
		t.Errorf("raw update served as %s", r.Raw)
	}
	resp, err := s.Client().Post(s.MethodURL("getUpdates"), "application/json", strings.NewReader(`{"timeout":"0"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if json.Valid(body) {
		t.Errorf("broken update served as valid JSON: %s", body)
	}
	if s.KnownChat("12") {
		t.Error("PushRaw registered a chat")
	}
}

func TestWebhookMethods(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	ms := clock.Now().UnixMilli()
	wantInfo := func(t *testing.T, r apiResp, url string) {
		t.Helper()
		if want := fmt.Sprintf(`{"ok":true,"result":{"url":"%s","updated_at":%d}}`, url, ms); r.Raw != want {
			t.Errorf("answer = %s, want %s", r.Raw, want)
		}
	}
	if r := call(t, s, "getWebhookInfo", nil); r.Raw != `{"ok":true,"result":{"url":"","updated_at":0}}` {
		t.Errorf("getWebhookInfo before any webhook = %s", r.Raw)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		desc string
	}{
		{"no url", map[string]any{"secret_token": "secret-123"}, "url is required"},
		{"no secret", map[string]any{"url": "https://loa.example/zalo"}, "secret_token is required"},
		{"empty secret", map[string]any{"url": "https://loa.example/zalo", "secret_token": ""}, "secret_token is required"},
		{"secret of 7", map[string]any{"url": "https://loa.example/zalo", "secret_token": "1234567"}, "secret_token must be 8 to 256 characters"},
		{"secret of 257", map[string]any{"url": "https://loa.example/zalo", "secret_token": strings.Repeat("s", 257)}, "secret_token must be 8 to 256 characters"},
		{"plain http", map[string]any{"url": "http://loa.example/zalo", "secret_token": "secret-123"}, "url must be an HTTPS URL"},
		{"not a URL", map[string]any{"url": "loa.example/zalo", "secret_token": "secret-123"}, "url must be an HTTPS URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, call(t, s, "setWebhook", tc.body), 400, "Bad Request: "+tc.desc)
		})
	}
	for _, u := range []string{"https://loa.example/zalo", "http://127.0.0.1:8080/zalo", "http://localhost/zalo"} {
		wantInfo(t, call(t, s, "setWebhook", map[string]any{"url": u, "secret_token": strings.Repeat("s", 256)}), u)
		wantInfo(t, call(t, s, "getWebhookInfo", nil), u)
	}
	wantErr(t, call(t, s, "getUpdates", map[string]any{"timeout": "0"}), 409, webhookActive)
	wantInfo(t, call(t, s, "deleteWebhook", nil), "")
	wantInfo(t, call(t, s, "getWebhookInfo", nil), "")
	wantErr(t, call(t, s, "getUpdates", map[string]any{"timeout": "0"}), 408, "Request timeout")
}

// hook is a webhook endpoint that records what it receives and answers the
// scripted statuses in turn (then 200).
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      chan hookReq
}

type hookReq struct {
	secret, contentType, body string
}

func newHook(t *testing.T, statuses ...int) *hook {
	h := &hook{statuses: statuses, got: make(chan hookReq, 16)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.got <- hookReq{r.Header.Get("X-Bot-Api-Secret-Token"), r.Header.Get("Content-Type"), string(body)}
		h.mu.Lock()
		status := http.StatusOK
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) next(t *testing.T) hookReq {
	t.Helper()
	return apitest.Receive(t, h.got, "a webhook delivery")
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
		wrap func(update string) string
	}{
		{name: "bare (observed, the default)", wrap: func(u string) string { return u }},
		{name: "envelope (the documentation's sample)", opts: []Option{WrappedWebhook()}, wrap: func(u string) string { return `{"ok":true,"result":` + u + `}` }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t, tc.opts...)
			h := newHook(t)
			// Queued before the webhook is set: delivered once it is.
			u := s.TextMessage(hoa, hoa, "Hoa", "đăng ký")
			s.PushUpdate(u)
			wantOK(t, call(t, s, "setWebhook", map[string]any{"url": h.URL + "/zalo", "secret_token": "bí-mật-123"}), nil)
			b, _ := json.Marshal(u)
			got := h.next(t)
			if got.secret != "bí-mật-123" || got.contentType != "application/json" || got.body != tc.wrap(string(b)) {
				t.Errorf("delivery = %+v", got)
			}
			// Pushed while set: delivered in order.
			s.PushUpdate(s.TextMessage(hoa, hoa, "Hoa", "/topics"))
			s.PushUpdate(s.EventMessage(EventUnsupported, minh, minh, "Minh"))
			if !strings.Contains(h.next(t).body, `"/topics"`) || !strings.Contains(h.next(t).body, EventUnsupported) {
				t.Error("deliveries out of order")
			}
			if err := s.WaitFor(apitest.Context(t), func() bool { return s.WebhookDeliveries() == 3 && s.PendingUpdates() == 0 }); err != nil {
				t.Fatal(err)
			}
			if url, secret, lastErr := s.Webhook(); url != h.URL+"/zalo" || secret != "bí-mật-123" || lastErr != "" {
				t.Errorf("Webhook() = %q %q %q", url, secret, lastErr)
			}
		})
	}
}

func TestWebhookRedelivery(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	h := newHook(t, http.StatusInternalServerError)
	wantOK(t, call(t, s, "setWebhook", map[string]any{"url": h.URL, "secret_token": "secret-123"}), nil)
	s.PushUpdate(s.TextMessage(hoa, hoa, "Hoa", "/start"))
	first, second := h.next(t), h.next(t)
	if first.body != second.body {
		t.Errorf("redelivery differs: %s vs %s", first.body, second.body)
	}
	if err := s.WaitFor(apitest.Context(t), func() bool { return s.WebhookDeliveries() == 1 }); err != nil {
		t.Fatal(err)
	}
	if _, _, lastErr := s.Webhook(); lastErr != "" || s.PendingUpdates() != 0 {
		t.Errorf("after success: last error %q, pending %d", lastErr, s.PendingUpdates())
	}

	// An unreachable webhook keeps the update pending with the error.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	wantOK(t, call(t, s, "setWebhook", map[string]any{"url": deadURL, "secret_token": "secret-123"}), nil)
	s.PushUpdate(s.TextMessage(hoa, hoa, "Hoa", "/stop"))
	if err := s.WaitFor(apitest.Context(t), func() bool { _, _, e := s.Webhook(); return strings.HasPrefix(e, "webhook unreachable") }); err != nil {
		t.Fatal(err)
	}
	// Back to polling: the update is still there.
	wantOK(t, call(t, s, "deleteWebhook", nil), nil)
	var u Update
	wantOK(t, call(t, s, "getUpdates", map[string]any{"timeout": "0"}), &u)
	if u.Message.Text != "/stop" {
		t.Errorf("update = %+v", u.Message)
	}
}

func TestSetWebhookEndsLongPoll(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	res := pollAsync(t, s, map[string]any{"timeout": "30"})
	waitPolls(t, s, 1)
	wantOK(t, call(t, s, "setWebhook", map[string]any{"url": "https://loa.example/zalo", "secret_token": "secret-123"}), nil)
	wantErr(t, recv(t, res), 409, webhookActive)
}

// TestEventMessages: every documented event, voice included, and an invented one
// reach a poller with their name and no text.
func TestEventMessages(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	for _, ev := range append(append([]string(nil), KnownEvents[1:]...), "message.location.received") {
		s.PushUpdate(s.EventMessage(ev, hoa, hoa, "Hoa"))
		r := call(t, s, "getUpdates", map[string]any{"timeout": 0})
		if !r.OK || !strings.Contains(string(r.Result), `"event_name":"`+ev+`"`) || strings.Contains(string(r.Result), `"text"`) {
			t.Errorf("%s: %s", ev, r.Raw)
		}
	}
}
