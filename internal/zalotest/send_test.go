package zalotest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"loa/internal/apitest"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{20}$`)

func TestSendMessage(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now), Unthrottled())
	s.AddChat(Chat{ID: hoa})
	e2000, e2001 := strings.Repeat("ệ", 2000), strings.Repeat("ệ", 2001)
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
		desc string
	}{
		{name: "ok", body: text(hoa, "Tin mới: Hội nghị sơ kết công tác xây dựng Đảng")},
		{name: "one character", body: text(hoa, "ệ")},
		{name: "2000 characters of ệ (6000 bytes)", body: text(hoa, e2000)},
		{name: "2001 characters", body: text(hoa, e2001), code: 400,
			desc: "Bad Request: text is too long: 2001 characters; it must be 1 to 2000 characters"},
		{name: "empty text", body: text(hoa, ""), code: 400,
			desc: "Bad Request: text is empty; it must be 1 to 2000 characters"},
		{name: "no text", body: map[string]any{"chat_id": hoa}, code: 400,
			desc: "Bad Request: text is empty; it must be 1 to 2000 characters"},
		{name: "null text", body: map[string]any{"chat_id": hoa, "text": nil}, code: 400,
			desc: "Bad Request: text is empty; it must be 1 to 2000 characters"},
		{name: "text not a string", body: map[string]any{"chat_id": hoa, "text": 42}, code: 400,
			desc: "Bad Request: text must be a string"},
		{name: "no chat_id", body: map[string]any{"text": "x"}, code: 400, desc: "Bad Request: chat_id is required"},
		{name: "null chat_id", body: map[string]any{"chat_id": nil, "text": "x"}, code: 400, desc: "Bad Request: chat_id is required"},
		{name: "numeric chat_id", body: map[string]any{"chat_id": 12345, "text": "x"}, code: 400,
			desc: "Bad Request: chat_id must be a string"},
		{name: "user never wrote to the bot", body: text(minh, "x"), code: 404, desc: "Not Found: chat not found"},
		{name: "unknown chat wins over bad text", body: text(minh, ""), code: 404, desc: "Not Found: chat not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Accepted()
			r := call(t, s, "sendMessage", tc.body)
			if tc.code != 0 {
				wantErr(t, r, tc.code, tc.desc)
				if s.Accepted() != before {
					t.Error("a refused message was recorded")
				}
				return
			}
			var res struct {
				MessageID string `json:"message_id"`
				Date      int64  `json:"date"`
			}
			wantOK(t, r, &res)
			if !hexID.MatchString(res.MessageID) || res.Date != clock.Now().UnixMilli() {
				t.Errorf("result = %s", r.Result)
			}
			got := s.Messages(hoa)
			last := got[len(got)-1]
			if last.Text != tc.body["text"] || last.MessageID != res.MessageID || last.Kind != KindText ||
				!last.At.Equal(clock.Now()) || last.Date != res.Date || last.ChatID != hoa {
				t.Errorf("recorded %+v", last)
			}
		})
	}

	// Invalid UTF-8 cannot travel in JSON; a form body carries it.
	r := callForm(t, s, "sendMessage", url.Values{"chat_id": {hoa}, "text": {"Tin \xff mới"}})
	wantErr(t, r, 400, "Bad Request: text must be encoded in UTF-8")
}

func TestSendPhoto(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Unthrottled())
	s.AddChat(Chat{ID: hoa})
	const img = "https://loa.example/anh/113-nam.jpg"
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
		desc string
	}{
		{name: "with caption", body: map[string]any{"chat_id": hoa, "photo": img, "caption": "Ảnh tư liệu"}},
		{name: "without caption", body: map[string]any{"chat_id": hoa, "photo": img}},
		{name: "empty caption is no caption", body: map[string]any{"chat_id": hoa, "photo": img, "caption": ""}},
		{name: "2000-character caption", body: map[string]any{"chat_id": hoa, "photo": img, "caption": strings.Repeat("ệ", 2000)}},
		{name: "2001-character caption", body: map[string]any{"chat_id": hoa, "photo": img, "caption": strings.Repeat("ệ", 2001)},
			code: 400, desc: "Bad Request: caption is too long: 2001 characters; it must be 1 to 2000 characters"},
		{name: "no photo", body: map[string]any{"chat_id": hoa}, code: 400, desc: "Bad Request: photo is required"},
		{name: "photo not a URL", body: map[string]any{"chat_id": hoa, "photo": "anh.jpg"}, code: 400,
			desc: "Bad Request: photo must be an http or https URL"},
		{name: "ftp photo", body: map[string]any{"chat_id": hoa, "photo": "ftp://loa.example/a.jpg"}, code: 400,
			desc: "Bad Request: photo must be an http or https URL"},
		{name: "unknown chat", body: map[string]any{"chat_id": minh, "photo": img}, code: 404, desc: "Not Found: chat not found"},
		{name: "no chat_id", body: map[string]any{"photo": img}, code: 400, desc: "Bad Request: chat_id is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "sendPhoto", tc.body)
			if tc.code != 0 {
				wantErr(t, r, tc.code, tc.desc)
				return
			}
			var res sendResult
			wantOK(t, r, &res)
			got := s.Messages(hoa)
			last := got[len(got)-1]
			caption, _ := tc.body["caption"].(string)
			if last.Kind != KindPhoto || last.Photo != img || last.Caption != caption || last.MessageID != res.MessageID {
				t.Errorf("recorded %+v", last)
			}
		})
	}
}

func TestSendChatAction(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	s.AddChat(Chat{ID: hoa})
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
		desc string
	}{
		{name: "typing", body: map[string]any{"chat_id": hoa, "action": "typing"}},
		{name: "upload_photo", body: map[string]any{"chat_id": hoa, "action": "upload_photo"}},
		{name: "unknown action", body: map[string]any{"chat_id": hoa, "action": "record_voice"}, code: 400,
			desc: "Bad Request: action must be typing or upload_photo"},
		{name: "no action", body: map[string]any{"chat_id": hoa}, code: 400,
			desc: "Bad Request: action must be typing or upload_photo"},
		{name: "no chat_id", body: map[string]any{"action": "typing"}, code: 400, desc: "Bad Request: chat_id is required"},
		{name: "unknown chat", body: map[string]any{"chat_id": minh, "action": "typing"}, code: 404, desc: "Not Found: chat not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "sendChatAction", tc.body)
			if tc.code != 0 {
				wantErr(t, r, tc.code, tc.desc)
				return
			}
			if r.Status != 200 || r.Raw != `{"ok":true}` {
				t.Errorf("answer = %d %s, want the documented {\"ok\":true}", r.Status, r.Raw)
			}
		})
	}
	got := s.ChatActions(hoa)
	if len(got) != 2 || got[0].Action != "typing" || got[1].Action != "upload_photo" || !got[0].At.Equal(clock.Now()) {
		t.Errorf("ChatActions = %+v", got)
	}
	if s.Accepted() != 0 {
		t.Error("chat actions counted as messages")
	}
}

func TestScriptedReplies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		reply       Reply
		status      int
		code        int
		desc        string
		retryAfter  int
		contentType string
	}{
		{name: "bad request", reply: BadRequest("user has blocked the bot"), status: 200, code: 400, desc: "Bad Request: user has blocked the bot"},
		{name: "token invalid", reply: TokenInvalid(), status: 200, code: 401, desc: "Unauthorized"},
		{name: "internal error", reply: InternalError(), status: 200, code: 403, desc: "Internal error"},
		{name: "not found", reply: NotFound(), status: 200, code: 404, desc: "Not Found: chat not found"},
		{name: "quota exceeded", reply: QuotaExceeded(), status: 200, code: 429, desc: "Too Many Requests: quota exceeded"},
		{name: "quota with retry hint", reply: Reply{Code: 429, RetryAfter: 7}, status: 200, code: 429, desc: "Too Many Requests", retryAfter: 7},
		{name: "server error", reply: ServerError(500), status: 200, code: 500, desc: "Internal Server Error"},
		{name: "unavailable", reply: ServerError(503), status: 200, code: 503, desc: "Service Unavailable"},
		{name: "any code and text", reply: Fail(-201, "Invalid access token"), status: 200, code: -201, desc: "Invalid access token"},
		{name: "ok false with status 200", reply: InternalError().WithStatus200(), status: 200, code: 403, desc: "Internal error"},
		{name: "status equals code", reply: InternalError().WithStatusEqualsCode(), status: 403, code: 403, desc: "Internal error"},
		{name: "html page", reply: BadGateway(), status: 502, code: 502, contentType: "text/html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t)
			s.AddChat(Chat{ID: hoa})
			s.Script(hoa, tc.reply)
			r := call(t, s, "sendMessage", text(hoa, "Tin mới"))
			if r.Err != nil || r.Status != tc.status || r.OK {
				t.Fatalf("answer = %d %s (%v)", r.Status, r.Raw, r.Err)
			}
			if tc.contentType != "" {
				if !strings.Contains(r.Raw, "502 Bad Gateway") {
					t.Errorf("body = %s", r.Raw)
				}
			} else if r.ErrorCode != tc.code || r.Description != tc.desc {
				t.Errorf("answer = %s, want %d %q", r.Raw, tc.code, tc.desc)
			}
			if tc.retryAfter != 0 && (r.Parameters == nil || r.Parameters.RetryAfter != tc.retryAfter) {
				t.Errorf("parameters = %s", r.Raw)
			}
			if tc.retryAfter == 0 && r.Parameters != nil {
				t.Errorf("unexpected parameters: %s", r.Raw)
			}
			if s.Accepted() != 0 || s.Errors(tc.code) != 1 {
				t.Errorf("accepted %d, errors(%d) %d", s.Accepted(), tc.code, s.Errors(tc.code))
			}
			// One-shot: the next send goes through; other chats never saw it.
			wantOK(t, call(t, s, "sendMessage", text(hoa, "Tin mới")), nil)
		})
	}
}

func TestScriptHangupAndDeliver(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Unthrottled())
	s.AddChat(Chat{ID: hoa})

	s.Script(hoa, Hangup())
	if r := call(t, s, "sendMessage", text(hoa, "mất")); r.Err == nil {
		t.Fatalf("hangup answered %d %s", r.Status, r.Raw)
	}
	if s.Accepted() != 0 {
		t.Error("a hung-up message was recorded")
	}

	// Accepted by the platform, then the answer is lost.
	s.Script(hoa, Reply{Deliver: true, Hangup: true}, Reply{Deliver: true, Code: 500})
	if r := call(t, s, "sendMessage", text(hoa, "đã nhận 1")); r.Err == nil {
		t.Fatalf("hangup answered %d %s", r.Status, r.Raw)
	}
	wantErr(t, call(t, s, "sendMessage", text(hoa, "đã nhận 2")), 500, "Internal Server Error")
	// Deliver still checks the message: a bad one is refused, not recorded.
	s.Script(hoa, Reply{Deliver: true, Code: 500})
	wantErr(t, call(t, s, "sendMessage", text(hoa, "")), 400, "Bad Request: text is empty; it must be 1 to 2000 characters")
	got := s.Messages(hoa)
	if len(got) != 2 || got[0].Text != "đã nhận 1" || got[1].Text != "đã nhận 2" {
		t.Errorf("recorded %+v", got)
	}
}

func TestGate(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: hoa})
	g := NewGate()
	s.Script(hoa, Hold(g), Reply{Gate: g, Code: 429, Description: "Too Many Requests: quota exceeded"})

	first := make(chan apiResp, 1)
	go func() { first <- call(t, s, "sendMessage", text(hoa, "chậm")) }()
	apitest.Receive(t, g.Arrived(), "the request at the gate")
	if s.Accepted() != 0 {
		t.Fatal("a held request was processed")
	}
	g.Release()
	wantOK(t, <-first, nil)
	// A released gate lets later requests through; the failure still applies.
	wantErr(t, call(t, s, "sendMessage", text(hoa, "x")), 429, "Too Many Requests: quota exceeded")

	// A held getUpdates, then processed normally (idle: 408).
	pg := NewGate()
	s.ScriptMethod("getUpdates", Hold(pg))
	poll := make(chan apiResp, 1)
	go func() { poll <- call(t, s, "getUpdates", map[string]any{"timeout": "0"}) }()
	<-pg.Arrived()
	s.PushUpdate(s.TextMessage(minh, minh, "Minh", "/start"))
	pg.Release()
	wantOK(t, <-poll, nil)
}

func TestChatFailureAndForget(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Unthrottled())
	s.AddChat(Chat{ID: hoa})
	blocked := BadRequest("user has blocked the bot")
	s.SetChatFailure(hoa, &blocked)
	for i := 0; i < 2; i++ { // lasting
		wantErr(t, call(t, s, "sendMessage", text(hoa, "x")), 400, "Bad Request: user has blocked the bot")
	}
	wantErr(t, call(t, s, "sendPhoto", map[string]any{"chat_id": hoa, "photo": "https://loa.example/a.jpg"}),
		400, "Bad Request: user has blocked the bot")
	wantErr(t, call(t, s, "sendChatAction", map[string]any{"chat_id": hoa, "action": "typing"}),
		400, "Bad Request: user has blocked the bot")
	s.SetChatFailure(hoa, nil)
	wantOK(t, call(t, s, "sendMessage", text(hoa, "x")), nil)

	s.ForgetChat(hoa)
	if s.KnownChat(hoa) {
		t.Fatal("chat still known")
	}
	wantErr(t, call(t, s, "sendMessage", text(hoa, "x")), 404, "Not Found: chat not found")
	// The user writes again: reachable again.
	s.PushUpdate(s.TextMessage(hoa, hoa, "Hoa", "đăng ký"))
	wantOK(t, call(t, s, "sendMessage", text(hoa, "x")), nil)
	// A bot's own message does not make a chat reachable.
	u := s.TextMessage(lan, lan, "Bot khác", "xin chào")
	u.Message.From.IsBot = true
	s.PushUpdate(u)
	if s.KnownChat(lan) {
		t.Error("a bot's message registered the chat")
	}
}

func TestRecordingAndWaits(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	s.AddChat(Chat{ID: hoa})
	s.AddChat(Chat{ID: minh})

	done := make(chan struct{})
	var got []SentMessage
	var werr error
	go func() {
		got, werr = s.WaitMessages(apitest.Context(t), hoa, 3)
		close(done)
	}()
	texts := []string{"Một", "Hai", "Ba"}
	for _, m := range texts {
		wantOK(t, call(t, s, "sendMessage", text(hoa, m)), nil)
		wantOK(t, call(t, s, "sendMessage", text(minh, m)), nil)
		clock.Advance(time.Second)
	}
	<-done
	if werr != nil || len(got) != 3 {
		t.Fatalf("WaitMessages = %d messages, %v", len(got), werr)
	}
	ids := map[string]bool{}
	for i, m := range got {
		if m.Text != texts[i] || !m.At.Equal(newClock().Now().Add(time.Duration(i)*time.Second)) || ids[m.MessageID] {
			t.Errorf("message %d = %+v", i, m)
		}
		ids[m.MessageID] = true
	}
	all := s.AllMessages()
	if len(all) != 6 || all[0].ChatID != hoa || all[1].ChatID != minh || s.Accepted() != 6 || s.Calls("sendMessage") != 6 {
		t.Errorf("all = %+v", all)
	}
	if err := s.WaitAccepted(apitest.Context(t), 6); err != nil {
		t.Error(err)
	}

	ctx, cancel := ctxWithCancel(t)
	cancel()
	if err := s.WaitFor(ctx, func() bool { return false }); err == nil {
		t.Error("WaitFor with a cancelled context returned nil")
	}
	if s.Errors(http.StatusTooManyRequests) != 0 {
		t.Error("unexpected 429")
	}
}
