package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/internal/apitest"
	"loa/internal/testclock"
)

// newClock is a settable clock for Options.Now.
func newClock() *testclock.Clock { return testclock.New(time.Date(2025, 6, 5, 8, 0, 0, 0, time.UTC)) }

// hoasBot is an unthrottled server that knows Hoa's private chat, and a bot on it.
func hoasBot(t *testing.T) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	s := NewServer(t, Unthrottled())
	s.AddChat(Chat{ID: hoa.ID, Type: Private})
	return s, newBot(t, s)
}

func newBot(t *testing.T, s *Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client())
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return bot
}

// wantAPIError checks that err is the library's *tgbotapi.Error with code and
// description, and returns it.
func wantAPIError(t *testing.T, err error, code int, description string) *tgbotapi.Error {
	t.Helper()
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want *tgbotapi.Error %d %q", err, err, code, description)
	}
	if apiErr.Code != code || apiErr.Message != description {
		t.Fatalf("error = %d %q, want %d %q", apiErr.Code, apiErr.Message, code, description)
	}
	return apiErr
}

// post sends a raw form request and returns the status and body.
func post(t *testing.T, s *Server, method string, form url.Values) (int, string) {
	t.Helper()
	resp, err := s.Client().PostForm(s.URL()+"/bot"+s.Token()+"/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var (
	hoa  = User{ID: 1001, FirstName: "Hoa", Username: "hoa"}
	minh = User{ID: 1002, FirstName: "Minh"}
)

const (
	group      = int64(-4001)
	supergroup = int64(-1001234567890)
	channel    = int64(-1009876543210)
)

func TestAuthAndRouting(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	bot := newBot(t, s)
	if bot.Self.UserName != "loa_test_bot" || bot.Self.ID != 123456789 || !bot.Self.IsBot {
		t.Errorf("getMe = %+v", bot.Self)
	}

	_, err := tgbotapi.NewBotAPIWithClient("123456789:wrong", s.Endpoint(), s.Client())
	wantAPIError(t, err, 401, "Unauthorized")

	_, err = bot.MakeRequest("sendPigeon", nil)
	wantAPIError(t, err, 404, "Not Found")

	status, body := post(t, s, "sendPigeon", nil)
	if status != 404 || body != `{"ok":false,"error_code":404,"description":"Not Found"}` {
		t.Errorf("unknown method: %d %s", status, body)
	}
	resp, err := s.Client().Get(s.URL() + "/bot123:nope/getMe")
	if err != nil {
		t.Fatal(err)
	}
	body2, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || string(body2) != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Errorf("wrong token: %d %s", resp.StatusCode, body2)
	}
	// Method names are case-insensitive, as on Telegram.
	if _, err := bot.MakeRequest("GETME", nil); err != nil {
		t.Errorf("GETME: %v", err)
	}
	if got := s.Calls("getMe"); got != 2 { // the wrong token's call is not the bot's
		t.Errorf("Calls(getMe) = %d, want 2", got)
	}
}

func TestSendMessage(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	s.AddChat(Chat{ID: hoa.ID, Type: Private, FirstName: "Hoa", Username: "hoa"})
	bot := newBot(t, s)

	msg := tgbotapi.NewMessage(hoa.ID, "<b>Kỷ niệm 113 năm</b> Ngày Bác Hồ ra đi tìm đường cứu nước &amp; 😀")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableNotification = true
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Chủ đề", "topics"),
		tgbotapi.NewInlineKeyboardButtonURL("Đọc", "https://loa.example/a/1")))
	got, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	wantText := "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước & 😀"
	if got.MessageID != 1 || got.Chat.ID != hoa.ID || got.Chat.Type != "private" || got.Text != wantText ||
		got.From == nil || got.From.UserName != "loa_test_bot" || !got.Time().Equal(clock.Now()) {
		t.Errorf("returned message = %+v", got)
	}
	if len(got.Entities) != 1 || got.Entities[0].Type != "bold" || got.Entities[0].Length != 15 {
		t.Errorf("entities = %+v", got.Entities)
	}
	if got.ReplyMarkup == nil || got.ReplyMarkup.InlineKeyboard[0][0].Text != "Chủ đề" {
		t.Errorf("reply markup = %+v", got.ReplyMarkup)
	}

	clock.Advance(time.Second)
	got2, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "hai"))
	if err != nil {
		t.Fatal(err)
	}
	if got2.MessageID != 2 {
		t.Errorf("second message id = %d, want 2", got2.MessageID)
	}
	// By @username.
	clock.Advance(time.Second)
	if _, err := bot.Send(tgbotapi.NewMessageToChannel("@HOA", "ba")); err != nil {
		t.Errorf("by username: %v", err)
	}

	rec := s.Messages(hoa.ID)
	if len(rec) != 3 {
		t.Fatalf("recorded %d messages, want 3", len(rec))
	}
	r := rec[0]
	if r.Text != wantText || r.RawText != msg.Text || r.ParseMode != "HTML" || !r.DisableNotification ||
		!strings.Contains(string(r.ReplyMarkup), `"callback_data":"topics"`) || r.MessageID != 1 ||
		!r.At.Equal(time.Date(2025, 6, 5, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("record = %+v", r)
	}
	if rec[1].Text != "hai" || rec[2].Text != "ba" || rec[2].MessageID != 3 {
		t.Errorf("records = %+v", rec)
	}
	if s.Accepted() != 3 || len(s.AllMessages()) != 3 || s.Calls("sendMessage") != 3 {
		t.Errorf("counters: accepted %d, calls %d", s.Accepted(), s.Calls("sendMessage"))
	}
}

func TestSendMessageRejections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		setup  func(s *Server)
		chat   int64
		text   string
		mode   string
		params tgbotapi.Params // extra parameters, sent with MakeRequest
		code   int
		desc   string
	}{
		{name: "unknown chat", chat: 999, text: "x", code: 400, desc: "Bad Request: chat not found"},
		{name: "empty text", chat: hoa.ID, text: "", code: 400, desc: "Bad Request: message text is empty"},
		{name: "only white space", chat: hoa.ID, text: " \n\t ", code: 400, desc: "Bad Request: message text is empty"},
		{name: "empty after parsing", chat: hoa.ID, text: "<b></b>", mode: "HTML", code: 400, desc: "Bad Request: message text is empty"},
		{name: "unsupported tag", chat: hoa.ID, text: "<div>Tin mới</div>", mode: "HTML", code: 400,
			desc: `Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0`},
		{name: "unescaped title", chat: hoa.ID, text: "<b>Hà Nam & Ninh Bình <2025></b>", mode: "HTML", code: 400,
			desc: `Bad Request: can't parse entities: Unescaped "&" at byte offset 11`},
		{name: "unclosed tag", chat: hoa.ID, text: "<b>Tin mới", mode: "HTML", code: 400,
			desc: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{name: "markdown not implemented", chat: hoa.ID, text: "Hà Nội\\.", mode: "MarkdownV2", code: 400, desc: "Bad Request: unsupported parse_mode"},
		{name: "bad parse mode", chat: hoa.ID, text: "x", mode: "BBCode", code: 400, desc: "Bad Request: unsupported parse_mode"},
		{name: "too long", chat: hoa.ID, text: strings.Repeat("a", 4097), code: 400, desc: "Bad Request: message is too long"},
		{name: "too long in UTF-16", chat: hoa.ID, text: strings.Repeat("😀", 2048) + "a", code: 400, desc: "Bad Request: message is too long"},
		{name: "too long after entities", chat: hoa.ID, text: strings.Repeat("&lt;", 4097), mode: "HTML", code: 400, desc: "Bad Request: message is too long"},
		{name: "thread in private chat", chat: hoa.ID, text: "x", params: tgbotapi.Params{"message_thread_id": "5"}, code: 400,
			desc: "Bad Request: message thread not found"},
		{name: "unknown topic", chat: supergroup, text: "x", params: tgbotapi.Params{"message_thread_id": "77"}, code: 400,
			desc: "Bad Request: message thread not found"},
		{name: "bad reply markup", chat: hoa.ID, text: "x", params: tgbotapi.Params{"reply_markup": "{nope"}, code: 400,
			desc: "Bad Request: can't parse reply keyboard markup JSON object"},
		{name: "callback data too long", chat: hoa.ID, text: "x",
			params: tgbotapi.Params{"reply_markup": `{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("x", 65) + `"}]]}`},
			code:   400, desc: "Bad Request: BUTTON_DATA_INVALID"},
		{name: "blocked", setup: func(s *Server) { s.SetState(hoa.ID, ChatBlocked) }, chat: hoa.ID, text: "x", code: 403,
			desc: "Forbidden: bot was blocked by the user"},
		{name: "deactivated", setup: func(s *Server) { s.SetState(hoa.ID, ChatDeactivated) }, chat: hoa.ID, text: "x", code: 403,
			desc: "Forbidden: user is deactivated"},
		{name: "not started", setup: func(s *Server) { s.SetState(hoa.ID, ChatNotStarted) }, chat: hoa.ID, text: "x", code: 403,
			desc: "Forbidden: bot can't initiate conversation with a user"},
		{name: "kicked from group", setup: func(s *Server) { s.SetState(group, ChatKicked) }, chat: group, text: "x", code: 403,
			desc: "Forbidden: bot was kicked from the group chat"},
		{name: "kicked from supergroup", setup: func(s *Server) { s.SetState(supergroup, ChatKicked) }, chat: supergroup, text: "x", code: 403,
			desc: "Forbidden: bot was kicked from the supergroup chat"},
		{name: "kicked from channel", setup: func(s *Server) { s.SetState(channel, ChatKicked) }, chat: channel, text: "x", code: 403,
			desc: "Forbidden: bot was kicked from the channel chat"},
		{name: "chat gone", setup: func(s *Server) { s.SetState(hoa.ID, ChatGone) }, chat: hoa.ID, text: "x", code: 400,
			desc: "Bad Request: chat not found"},
		{name: "chat error before text error", setup: func(s *Server) { s.SetState(hoa.ID, ChatBlocked) }, chat: hoa.ID, text: "<div>", mode: "HTML",
			code: 403, desc: "Forbidden: bot was blocked by the user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t)
			s.AddChat(Chat{ID: hoa.ID, Type: Private, FirstName: "Hoa"})
			s.AddChat(Chat{ID: group, Type: Group, Title: "Chi bộ 1"})
			s.AddChat(Chat{ID: supergroup, Type: Supergroup, Title: "Đảng bộ", IsForum: true})
			s.AddChat(Chat{ID: channel, Type: Channel, Title: "Tin tức"})
			s.AddTopic(supergroup, "Thông báo")
			if tc.setup != nil {
				tc.setup(s)
			}
			bot := newBot(t, s)
			var err error
			if tc.params != nil {
				p := tgbotapi.Params{"chat_id": tgFormat(tc.chat), "text": tc.text}
				for k, v := range tc.params {
					p[k] = v
				}
				_, err = bot.MakeRequest("sendMessage", p)
			} else {
				m := tgbotapi.NewMessage(tc.chat, tc.text)
				m.ParseMode = tc.mode
				_, err = bot.Send(m)
			}
			wantAPIError(t, err, tc.code, tc.desc)
			if s.Accepted() != 0 || s.Errors(tc.code) != 1 {
				t.Errorf("accepted %d, errors(%d) %d", s.Accepted(), tc.code, s.Errors(tc.code))
			}
		})
	}
}

func tgFormat(id int64) string { b, _ := json.Marshal(id); return string(b) }

func TestSendMessageLimitsAccepted(t *testing.T) {
	t.Parallel()
	s, bot := hoasBot(t)
	for _, text := range []string{
		strings.Repeat("a", 4096),
		strings.Repeat("😀", 2048),                     // 4096 UTF-16 units
		strings.Repeat("ạ", 4096),                     // 2 bytes each, 1 unit
		"<b>" + strings.Repeat("&lt;", 4096) + "</b>", // 16 KB sent, 4096 after parsing
		"   padded   ",
	} {
		m := tgbotapi.NewMessage(hoa.ID, text)
		m.ParseMode = tgbotapi.ModeHTML
		if _, err := bot.Send(m); err != nil {
			t.Errorf("%.20q…: %v", text, err)
		}
	}
	if got := s.Messages(hoa.ID)[4].Text; got != "padded" {
		t.Errorf("trimmed text = %q", got)
	}
}

func TestForumTopics(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: supergroup, Type: Supergroup, Title: "Đảng bộ", IsForum: true})
	thread := s.AddTopic(supergroup, "Thông báo")
	bot := newBot(t, s)
	resp, err := bot.MakeRequest("sendMessage", tgbotapi.Params{
		"chat_id": tgFormat(supergroup), "text": "Tin mới", "message_thread_id": tgFormat(int64(thread))})
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := json.Unmarshal(resp.Result, &m); err != nil {
		t.Fatal(err)
	}
	if m.MessageThreadID != thread || !m.IsTopicMessage || m.MessageID != thread+1 || !m.Chat.IsForum {
		t.Errorf("message = %+v (thread %d)", m, thread)
	}
	if rec := s.Messages(supergroup); len(rec) != 1 || rec[0].ThreadID != thread {
		t.Errorf("recorded = %+v", rec)
	}
}

func TestScriptedReplies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		chat       int64
		reply      Reply
		code       int
		desc       string
		retryAfter int
		migrateTo  int64
	}{
		{name: "blocked", chat: hoa.ID, reply: Blocked(), code: 403, desc: "Forbidden: bot was blocked by the user"},
		{name: "deactivated", chat: hoa.ID, reply: Deactivated(), code: 403, desc: "Forbidden: user is deactivated"},
		{name: "kicked group", chat: group, reply: KickedReply(), code: 403, desc: "Forbidden: bot was kicked from the group chat"},
		{name: "kicked supergroup", chat: supergroup, reply: KickedReply(), code: 403, desc: "Forbidden: bot was kicked from the supergroup chat"},
		{name: "not found", chat: hoa.ID, reply: ChatNotFound(), code: 400, desc: "Bad Request: chat not found"},
		{name: "migrated", chat: group, reply: Migrated(supergroup), code: 400,
			desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: supergroup},
		{name: "flood", chat: hoa.ID, reply: TooManyRequests(41), code: 429, desc: "Too Many Requests: retry after 41", retryAfter: 41},
		{name: "internal", chat: hoa.ID, reply: ServerError(500), code: 500, desc: "Internal Server Error"},
		{name: "bad gateway json", chat: hoa.ID, reply: ServerError(502), code: 502, desc: "Bad Gateway"},
		{name: "custom", chat: hoa.ID, reply: Fail(400, "Bad Request: not enough rights to send text messages to the chat"), code: 400,
			desc: "Bad Request: not enough rights to send text messages to the chat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			s := NewServer(t, WithClock(clock.Now))
			s.AddChat(Chat{ID: hoa.ID, Type: Private})
			s.AddChat(Chat{ID: group, Type: Group})
			s.AddChat(Chat{ID: supergroup, Type: Supergroup})
			s.Script(tc.chat, tc.reply)
			bot := newBot(t, s)
			_, err := bot.Send(tgbotapi.NewMessage(tc.chat, "x"))
			apiErr := wantAPIError(t, err, tc.code, tc.desc)
			if apiErr.RetryAfter != tc.retryAfter || apiErr.MigrateToChatID != tc.migrateTo {
				t.Errorf("parameters = %+v", apiErr.ResponseParameters)
			}
			// One-shot: the next message goes through.
			if _, err := bot.Send(tgbotapi.NewMessage(tc.chat, "y")); err != nil {
				t.Errorf("after the scripted reply: %v", err)
			}
			if rec := s.Messages(tc.chat); len(rec) != 1 || rec[0].Text != "y" || rec[0].MessageID != 1 {
				t.Errorf("recorded = %+v", rec)
			}
		})
	}
}

func TestScriptedTransportFailures(t *testing.T) {
	t.Parallel()
	s, bot := hoasBot(t)

	// 502 from the front end: an HTML body, so the library fails to decode.
	s.Script(hoa.ID, BadGateway())
	_, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "a"))
	var apiErr *tgbotapi.Error
	var syntax *json.SyntaxError
	if err == nil || errors.As(err, &apiErr) || !errors.As(err, &syntax) {
		t.Errorf("bad gateway: %v (%T)", err, err)
	}
	// The connection drops before Telegram took the message.
	s.Script(hoa.ID, Hangup())
	_, err = bot.Send(tgbotapi.NewMessage(hoa.ID, "b"))
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		t.Errorf("hangup: %v (%T)", err, err)
	}
	if s.Accepted() != 0 {
		t.Errorf("accepted %d before delivery", s.Accepted())
	}
	// The connection drops after Telegram took it: the message is delivered.
	s.Script(hoa.ID, Reply{Hangup: true, Deliver: true})
	if _, err = bot.Send(tgbotapi.NewMessage(hoa.ID, "c")); !errors.As(err, &urlErr) {
		t.Errorf("deliver then hang up: %v", err)
	}
	// Accepted, but a gateway error comes back.
	d := ServerError(504)
	d.Deliver = true
	s.Script(hoa.ID, d)
	_, err = bot.Send(tgbotapi.NewMessage(hoa.ID, "d"))
	wantAPIError(t, err, 504, "Gateway Timeout")
	rec := s.Messages(hoa.ID)
	if len(rec) != 2 || rec[0].Text != "c" || rec[1].Text != "d" {
		t.Errorf("recorded = %+v", rec)
	}
	// Per-method scripts apply whatever the parameters.
	s.ScriptMethod("getMe", ServerError(500))
	if _, err := bot.GetMe(); err == nil {
		t.Error("scripted getMe succeeded")
	}
	if _, err := bot.GetMe(); err != nil {
		t.Errorf("getMe after script: %v", err)
	}
}

func TestMigration(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: group, Type: Group, Title: "Chi bộ 1"})
	s.MigrateChat(group, supergroup)
	bot := newBot(t, s)
	_, err := bot.Send(tgbotapi.NewMessage(group, "x"))
	apiErr := wantAPIError(t, err, 400, "Bad Request: group chat was upgraded to a supergroup chat")
	if apiErr.MigrateToChatID != supergroup {
		t.Fatalf("migrate_to_chat_id = %d", apiErr.MigrateToChatID)
	}
	got, err := bot.Send(tgbotapi.NewMessage(apiErr.MigrateToChatID, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Chat.Type != "supergroup" || got.Chat.Title != "Chi bộ 1" {
		t.Errorf("new chat = %+v", got.Chat)
	}
	// And still on the next try: migration lasts.
	_, err = bot.Send(tgbotapi.NewMessage(group, "y"))
	wantAPIError(t, err, 400, "Bad Request: group chat was upgraded to a supergroup chat")
}

func TestHold(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: hoa.ID, Type: Private})
	bot := newBot(t, s)
	g := NewGate()
	s.Script(hoa.ID, Hold(g))
	result := make(chan error, 1)
	go func() {
		_, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "chậm"))
		result <- err
	}()
	apitest.Receive(t, g.Arrived(), "the request at the gate")
	if s.Accepted() != 0 {
		t.Fatal("accepted while held")
	}
	g.Release()
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitMessages(apitest.Context(t), hoa.ID, 1); err != nil {
		t.Fatal(err)
	}

	// A held request whose client gives up is dropped, not recorded.
	g2 := NewGate()
	s.Script(hoa.ID, Reply{Gate: g2, Code: 500})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+s.Token()+"/sendMessage",
		strings.NewReader(url.Values{"chat_id": {"1001"}, "text": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	done := s.DoAsync(req)
	<-g2.Arrived()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
	if s.Accepted() != 1 {
		t.Errorf("accepted %d", s.Accepted())
	}
}

func TestRequestEncodings(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Unthrottled())
	s.AddChat(Chat{ID: hoa.ID, Type: Private, Username: "hoa"})
	base := s.URL() + "/bot" + s.Token() + "/sendMessage"

	do := func(name string, req *http.Request) {
		t.Helper()
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct {
			OK     bool    `json:"ok"`
			Result Message `json:"result"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.OK || resp.StatusCode != 200 {
			t.Errorf("%s: %d %+v %v", name, resp.StatusCode, env, err)
		}
	}

	j, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(
		`{"chat_id":1001,"text":"<i>json</i>","parse_mode":"HTML","disable_notification":true,
		  "reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]},
		  "link_preview_options":{"is_disabled":true}}`))
	j.Header.Set("Content-Type", "application/json")
	do("json", j)

	j2, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(`{"chat_id":"@hoa","text":"json username"}`))
	j2.Header.Set("Content-Type", "application/json; charset=utf-8")
	do("json username", j2)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("chat_id", "1001")
	mw.WriteField("text", "multipart")
	mw.Close()
	m, _ := http.NewRequest(http.MethodPost, base, &buf)
	m.Header.Set("Content-Type", mw.FormDataContentType())
	do("multipart", m)

	g, _ := http.NewRequest(http.MethodGet, base+"?chat_id=1001&text=query", nil)
	do("get", g)

	rec := s.Messages(hoa.ID)
	if len(rec) != 4 || rec[0].Text != "json" || !rec[0].DisableNotification || string(rec[0].LinkPreviewOptions) != `{"is_disabled":true}` ||
		rec[1].Text != "json username" || rec[2].Text != "multipart" || rec[3].Text != "query" {
		t.Errorf("recorded = %+v", rec)
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	bot := newBot(t, s)
	cmds := []tgbotapi.BotCommand{
		{Command: "start", Description: "Đăng ký nhận tin"},
		{Command: "stop", Description: "Ngừng nhận tin"},
		{Command: "latest_5", Description: "5 tin mới nhất"},
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
	got, err := bot.GetMyCommands()
	if err != nil || len(got) != 3 || got[0] != cmds[0] || got[2] != cmds[2] {
		t.Errorf("getMyCommands = %+v, %v", got, err)
	}
	if rec := s.Commands(); len(rec) != 3 || rec[1].Description != "Ngừng nhận tin" {
		t.Errorf("Commands() = %+v", rec)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(
		tgbotapi.NewBotCommandScopeAllPrivateChats(), "vi", cmds[0])); err != nil {
		t.Fatal(err)
	}
	if rec := s.CommandsFor("all_private_chats", "vi"); len(rec) != 1 {
		t.Errorf("scoped commands = %+v", rec)
	}

	for _, tc := range []struct {
		cmd  tgbotapi.BotCommand
		desc string
	}{
		{tgbotapi.BotCommand{Command: "Start", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: "tin-moi", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: "chủ_đề", Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: strings.Repeat("a", 33), Description: "x"}, "Bad Request: BOT_COMMAND_INVALID"},
		{tgbotapi.BotCommand{Command: "", Description: "x"}, "Bad Request: command must be non-empty"},
		{tgbotapi.BotCommand{Command: "help", Description: ""}, "Bad Request: command description must be non-empty"},
		{tgbotapi.BotCommand{Command: "help", Description: strings.Repeat("ạ", 257)}, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"},
	} {
		_, err := bot.Request(tgbotapi.NewSetMyCommands(tc.cmd))
		wantAPIError(t, err, 400, tc.desc)
	}
	_, err = bot.MakeRequest("setMyCommands", tgbotapi.Params{"commands": `[{"command":"help"}]`})
	wantAPIError(t, err, 400, `Bad Request: can't parse BotCommand: Can't find field "description"`)
	// Accepted at the limits: 32 characters, 256 characters of description.
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{
		Command: strings.Repeat("a", 32), Description: strings.Repeat("ạ", 256)})); err != nil {
		t.Errorf("at the limits: %v", err)
	}
	if rec := s.Commands(); len(rec) != 1 {
		t.Errorf("a rejected list replaced the commands: %+v", rec)
	}
}

func TestChatMemberAndLeave(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: group, Type: Group, Title: "Chi bộ 1"})
	s.AddChat(Chat{ID: channel, Type: Channel, Title: "Tin tức"})
	s.AddUser(hoa)
	s.SetMember(group, hoa.ID, Administrator)
	s.SetMember(group, minh.ID, Kicked)
	bot := newBot(t, s)
	member := func(chat, user int64) (tgbotapi.ChatMember, error) {
		return bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chat, UserID: user}})
	}
	for _, tc := range []struct {
		chat, user int64
		status     string
	}{
		{group, hoa.ID, "administrator"},
		{group, minh.ID, "kicked"},
		{group, 4242, "left"},
		{group, s.Bot().ID, "member"},
		{channel, s.Bot().ID, "administrator"},
	} {
		m, err := member(tc.chat, tc.user)
		if err != nil || m.Status != tc.status || m.User == nil || m.User.ID != tc.user {
			t.Errorf("getChatMember(%d, %d) = %+v, %v; want %s", tc.chat, tc.user, m, err, tc.status)
		}
	}
	if m, _ := member(group, hoa.ID); m.User.UserName != "hoa" || !m.IsAdministrator() {
		t.Errorf("member = %+v", m)
	}
	_, err := member(-777, hoa.ID)
	wantAPIError(t, err, 400, "Bad Request: chat not found")

	if _, err := bot.Request(tgbotapi.LeaveChatConfig{ChatID: group}); err != nil {
		t.Fatal(err)
	}
	if left := s.LeftChats(); len(left) != 1 || left[0] != group {
		t.Errorf("LeftChats = %v", left)
	}
	if m, _ := member(group, s.Bot().ID); m.Status != "left" {
		t.Errorf("bot status after leaving = %s", m.Status)
	}
	_, err = bot.Send(tgbotapi.NewMessage(group, "x"))
	wantAPIError(t, err, 403, "Forbidden: bot is not a member of the group chat")
}

// Close ends held and long-polling requests instead of waiting for them.
func TestCloseReleasesWaiters(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	s.AddChat(Chat{ID: hoa.ID})
	bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client())
	if err != nil {
		t.Fatal(err)
	}
	g := NewGate()
	s.Script(hoa.ID, Hold(g))
	sent := make(chan error, 1)
	go func() { _, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "x")); sent <- err }()
	polled := poll(bot, tgbotapi.UpdateConfig{Timeout: 50})
	<-g.Arrived()
	if err := s.WaitFor(apitest.Context(t), func() bool { return s.LongPolls() == 1 }); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	apitest.Receive(t, closed, "Close's return")
	if err := <-sent; err == nil {
		t.Error("held send succeeded after Close")
	}
	if r := waitPoll(t, polled); r.err == nil {
		t.Error("long poll succeeded after Close")
	}
	s.Close() // idempotent
}

// TestLateAnswer: a late answer comes after the message was accepted, so the chat has
// it while the sender still waits; a client that gives up meanwhile gets no answer, but
// the message stays accepted (what a real slow API does).
func TestLateAnswer(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Unthrottled(), WithAnswerDelay(func(chatID int64, call int) time.Duration {
		if call == 2 {
			return 300 * time.Millisecond
		}
		return 0
	}))
	s.AddChat(Chat{ID: hoa.ID, Type: Private})
	bot := newBot(t, s)
	if _, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "một")); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	result := make(chan error, 1)
	go func() {
		_, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "hai"))
		result <- err
	}()
	// The chat has the message before the sender hears back.
	if _, err := s.WaitMessages(apitest.Context(t), hoa.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < 300*time.Millisecond {
		t.Fatalf("answered after %s, want at least the 300ms delay", waited)
	}

	// A scripted late answer whose client gives up: accepted, never answered.
	s.Script(hoa.ID, LateAnswer(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+s.Token()+"/sendMessage",
		strings.NewReader(url.Values{"chat_id": {"1001"}, "text": {"ba"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.Client().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client that gave up: %v", err)
	}
	if got := s.Messages(hoa.ID); len(got) != 3 || got[2].Text != "ba" {
		t.Fatalf("messages = %+v; the late one must be accepted", got)
	}
}
