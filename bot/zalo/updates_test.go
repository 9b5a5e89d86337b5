package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/broadcast"
	"loa/chat"
	"loa/internal/adaptertest"
	"loa/internal/alerttest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/zalotest"
)

func TestParseUpdate(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	hoa := bot.User{ID: hoaID, Name: "Nguyễn Thị Hoa"}
	private := chat.Chat{Channel: chat.Zalo, Address: hoaID, Kind: "private", Title: "Nguyễn Thị Hoa"}
	text := srv.TextMessage(hoaID, hoaID, "Nguyễn Thị Hoa", "đăng ký")
	tests := []struct {
		name  string
		raw   []byte
		want  bot.Update
		msgID string
		skip  bool
		bad   bool
		// noType: a message without chat_type, never taken for a private chat.
		noType bool
	}{
		{name: "private text", raw: adaptertest.JSON(t, text), msgID: text.Message.MessageID,
			want: bot.Update{Chat: private, From: hoa, Text: "đăng ký"}},
		{name: "name instead of display_name", raw: adaptertest.JSON(t, text.WithNameField()), msgID: text.Message.MessageID,
			want: bot.Update{Chat: private, From: hoa, Text: "đăng ký"}},
		{name: "group", raw: adaptertest.JSON(t, srv.TextMessage(groupID, hoaID, "Nguyễn Thị Hoa", "/latest")),
			want: bot.Update{Chat: chat.Chat{Channel: chat.Zalo, Address: groupID, Kind: "group"}, From: hoa, Text: "/latest"}},
		{name: "numeric ids, string date, lower-case type, chat title",
			raw: []byte(`{"event_name":"message.text.received","message":{"from":{"id":12345,"display_name":"Lan","is_bot":false},
				"chat":{"id":67890,"chat_type":"group","title":"Chi bộ 2"},"text":"chủ đề","message_id":987654321,"date":"1717574400000"}}`),
			msgID: "987654321",
			want:  bot.Update{Chat: chat.Chat{Channel: chat.Zalo, Address: "67890", Kind: "group", Title: "Chi bộ 2"}, From: bot.User{ID: "12345", Name: "Lan"}, Text: "chủ đề"}},
		{name: "no event name, no sender", raw: []byte(`{"message":{"chat":{"id":"abc","chat_type":"PRIVATE"},"text":"huỷ","message_id":"m1"}}`), msgID: "m1",
			want: bot.Update{Chat: chat.Chat{Channel: chat.Zalo, Address: "abc", Kind: "private"}, From: bot.User{ID: "abc"}, Text: "huỷ"}},
		{name: "sticker", raw: adaptertest.JSON(t, srv.EventMessage(zalotest.EventSticker, hoaID, hoaID, "Hoa")), skip: true},
		{name: "image", raw: adaptertest.JSON(t, srv.EventMessage(zalotest.EventImage, hoaID, hoaID, "Hoa")), skip: true},
		{name: "unknown event", raw: adaptertest.JSON(t, srv.EventMessage("user.reacted.to.message", hoaID, hoaID, "Hoa")), skip: true},
		{name: "event without message", raw: []byte(`{"event_name":"bot.added"}`), skip: true},
		{name: "from a bot", raw: []byte(`{"event_name":"message.text.received","message":{"from":{"id":"b","is_bot":true},"chat":{"id":"c"},"text":"/start","message_id":"m"}}`), skip: true},
		{name: "empty text", raw: []byte(`{"event_name":"message.text.received","message":{"chat":{"id":"c","chat_type":"PRIVATE"},"text":"  ","message_id":"m"}}`), skip: true},
		{name: "text not a string", raw: []byte(`{"event_name":"message.text.received","message":{"chat":{"id":"c","chat_type":"PRIVATE"},"text":42,"message_id":"m"}}`), skip: true},
		{name: "no chat_type", raw: []byte(`{"event_name":"message.text.received","message":{"from":{"id":"u"},"chat":{"id":"c"},"text":"đăng ký","message_id":"m"}}`), noType: true},
		{name: "empty chat_type", raw: []byte(`{"event_name":"message.text.received","message":{"chat":{"id":"c","chat_type":""},"text":"đăng ký","message_id":"m"}}`), noType: true},
		{name: "unknown chat type", raw: []byte(`{"event_name":"message.text.received","message":{"chat":{"id":"c","chat_type":"CHANNEL"},"text":"x","message_id":"m"}}`), skip: true},
		{name: "not JSON", raw: []byte(`{"event_name":`), bad: true},
		{name: "no message", raw: []byte(`{"event_name":"message.text.received"}`), bad: true},
		{name: "empty object", raw: []byte(`{}`), bad: true},
		{name: "no chat", raw: []byte(`{"event_name":"message.text.received","message":{"text":"x","message_id":"m"}}`), bad: true},
		{name: "chat id of the wrong type", raw: []byte(`{"event_name":"message.text.received","message":{"chat":{"id":{}},"text":"x"}}`), bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id, u, err := parseUpdate(tc.raw)
			switch {
			case tc.noType:
				if !errors.Is(err, errNoChatType) {
					t.Errorf("parseUpdate = %+v, %v; want errNoChatType", u, err)
				}
			case tc.skip:
				if !errors.Is(err, errSkip) {
					t.Errorf("parseUpdate = %+v, %v; want skipped", u, err)
				}
			case tc.bad:
				if err == nil || errors.Is(err, errSkip) {
					t.Errorf("parseUpdate = %+v, %v; want malformed", u, err)
				}
			default:
				if err != nil {
					t.Fatalf("parseUpdate: %v", err)
				}
				// The update's id, for de-duplication, is its message_id.
				var head struct {
					Message struct {
						MessageID flexString `json:"message_id"`
					} `json:"message"`
				}
				if err := json.Unmarshal(tc.raw, &head); err != nil {
					t.Fatal(err)
				}
				tc.want.ID = string(head.Message.MessageID)
				if !reflect.DeepEqual(u, tc.want) {
					t.Errorf("parseUpdate =\n%+v\nwant\n%+v", u, tc.want)
				}
				if tc.msgID != "" && id != tc.msgID {
					t.Errorf("message id %q, want %q", id, tc.msgID)
				}
			}
		})
	}
}

func TestUpdatesIn(t *testing.T) {
	t.Parallel()
	upd := `{"event_name":"message.text.received","message":{"chat":{"id":"c"},"text":"x","message_id":"m"}}`
	tests := []struct {
		body string
		n    int
		bad  bool
	}{
		{body: upd, n: 1},
		{body: `{"ok":true,"result":` + upd + `}`, n: 1},
		{body: `{"ok":true,"result":[` + upd + `,` + upd + `]}`, n: 2},
		{body: `{"result":` + upd + `}`, n: 1},
		{body: `{"ok":true,"result":null}`, n: 0},
		{body: `{"ok":false,"result":` + upd + `}`, bad: true},
		{body: `{"ok":true,"result":"x"}`, bad: true},
		{body: `[` + upd + `]`, bad: true},
		{body: `nonsense`, bad: true},
	}
	for _, tc := range tests {
		got, err := updatesIn([]byte(tc.body))
		if tc.bad != (err != nil) || len(got) != tc.n {
			t.Errorf("updatesIn(%.60s) = %d updates, %v; want %d, bad=%v", tc.body, len(got), err, tc.n, tc.bad)
		}
	}
}

// TestPoll: updates are handled in order, idle polls (408) are not errors, a
// duplicate message_id is stored under the same id (the inbox handles it once; here
// the test's stand-in does), other events are not stored, "name" is read like
// "display_name", and the replies arrive in the fake.
func TestPoll(t *testing.T) {
	t.Parallel()
	clk := adaptertest.NewClock()
	srv := zalotest.NewServer(t, zalotest.WithClock(clk.Now))
	c, logs := newClient(t, srv, clk)
	ctx := apitest.Context(t)

	// A webhook left over from webhook mode: Poll must delete it first.
	if err := c.SetWebhook(ctx, "https://loa.example.vn/zalo", ""); err != nil {
		t.Fatal(err)
	}
	h := inboxtest.NewRecorder(func(u bot.Update) bot.Response {
		return bot.Response{Replies: []bot.Reply{{Text: "Đã nhận: " + u.Text, Buttons: [][]bot.Button{{{Text: "x", Data: "y"}}}}}}
	})
	stop := adaptertest.StartPoll(t, c.Poll, inboxtest.NewDirect(c, h))

	// Two idle polls first.
	for range 2 {
		if err := srv.WaitFor(ctx, func() bool { return srv.LongPolls() == 1 }); err != nil {
			t.Fatal(err)
		}
		before := srv.Errors(408)
		srv.ExpirePolls()
		if err := srv.WaitFor(ctx, func() bool { return srv.Errors(408) > before }); err != nil {
			t.Fatal(err)
		}
	}
	first := srv.TextMessage(hoaID, hoaID, "Nguyễn Thị Hoa", "đăng ký")
	srv.PushUpdate(first)
	srv.PushUpdate(srv.EventMessage(zalotest.EventSticker, hoaID, hoaID, "Nguyễn Thị Hoa"))
	srv.PushUpdate(first) // the same message_id again
	srv.PushUpdate(srv.TextMessage(hoaID, hoaID, "Nguyễn Thị Hoa", "chủ đề").WithNameField())
	srv.PushUpdate(srv.TextMessage(groupID, hoaID, "Nguyễn Thị Hoa", "/latest"))
	if _, err := srv.WaitMessages(ctx, groupID, 1); err != nil {
		t.Fatalf("waiting for the group's reply: %v", err)
	}
	if err := stop(); err != nil {
		t.Errorf("Poll = %v, want nil after its context ended", err)
	}
	if srv.Calls("deleteWebhook") == 0 {
		t.Error("Poll did not delete the webhook")
	}
	if url, _, _ := srv.Webhook(); url != "" {
		t.Errorf("webhook still set: %s", url)
	}

	got := h.Updates()
	var texts []string
	for _, u := range got {
		texts = append(texts, u.Text)
	}
	if want := []string{"đăng ký", "chủ đề", "/latest"}; !reflect.DeepEqual(texts, want) {
		t.Fatalf("handled %q, want %q (in order, the duplicate and the sticker skipped)", texts, want)
	}
	if got[1].From.Name != "Nguyễn Thị Hoa" || got[1].Chat.Title != "Nguyễn Thị Hoa" {
		t.Errorf("the name field was not read: %+v", got[1])
	}
	if got[2].Chat.Kind != "group" || got[2].Chat.Address != groupID {
		t.Errorf("group update read as %+v", got[2].Chat)
	}
	msgs := srv.Messages(hoaID)
	if len(msgs) != 2 || msgs[0].Text != "Đã nhận: đăng ký" || msgs[1].Text != "Đã nhận: chủ đề" {
		t.Fatalf("private chat received %+v", msgs)
	}
	if d := msgs[1].At.Sub(msgs[0].At); d < broadcast.DefaultChatSpacing {
		t.Errorf("replies to one chat %v apart, want at least %v", d, broadcast.DefaultChatSpacing)
	}
	if n := srv.Count429(); n != 0 {
		t.Errorf("%d answers were 429", n)
	}
	if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("idle polls or skips logged as problems:\n%s", logs)
	}
	apitest.NoToken(t, "log", logs.String(), srv.Token())
}

// TestPollBacksOff: failed getUpdates calls are retried after growing waits, a 429
// after its hint, a webhook conflict after deleting the webhook again; an idle poll
// resets nothing but needs no wait.
func TestPollBacksOff(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	srv.ScriptMethod("getUpdates",
		zalotest.ServerError(500),
		zalotest.BadGateway(),
		zalotest.Hangup(),
		zalotest.Reply{Code: 429, Description: "Too Many Requests", RetryAfter: 7},
		zalotest.InternalError(),
		zalotest.Fail(409, "Conflict: getUpdates is not available while a webhook is set"),
		zalotest.ServerError(503),
	)
	// 1, 2, 4 s; the 429's own 7 s (the backoff still grows, to 8 s); 16 s; 30 s; 30 s.
	adaptertest.PollBacksOff(t, newPoller(t, srv), []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 7 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second})
}

// TestPollIdleNotAnError: a server that answers 408 at once is polled again after a
// short pause, without a warning and without a growing backoff.
func TestPollIdleNotAnError(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	srv.ScriptMethod("getUpdates", zalotest.RequestTimeout(), zalotest.RequestTimeout(), zalotest.RequestTimeout())
	p := newPoller(t, srv)
	adaptertest.PollPast(t, p, "/help", "after the idle polls")
	if got := p.Sleeps.Waits(); !reflect.DeepEqual(got, []time.Duration{minIdlePoll, minIdlePoll, minIdlePoll}) {
		t.Errorf("waits %v, want three short pauses", got)
	}
	if strings.Contains(p.Logs.String(), "level=WARN") {
		t.Errorf("idle polls logged as problems:\n%s", p.Logs)
	}
}

func TestPollTokenRejected(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	c, _ := newClientAt(t, srv.URL(), "42:not-the-right-token", nil)
	if err := c.Poll(apitest.Context(t), inboxtest.NewDirect(c, inboxtest.NewRecorder(nil))); !tokenRejected(err) {
		t.Errorf("Poll with a wrong token = %v, want the 401", err)
	}

	// Refused by getUpdates (the token revoked after polling began): Poll stops with
	// the error.
	srv.ScriptMethod("getUpdates", zalotest.RequestTimeout(), zalotest.TokenInvalid())
	c, _ = newClient(t, srv, nil)
	err := c.Poll(apitest.Context(t), inboxtest.NewDirect(c, inboxtest.NewRecorder(nil)))
	if !tokenRejected(err) {
		t.Errorf("Poll after the token was revoked = %v, want the 401", err)
	}
	apitest.NoToken(t, "error", fmt.Sprint(err), srv.Token())
	if n := srv.Calls("getUpdates"); n != 2 {
		t.Errorf("getUpdates called %d times, want 2 (idle, refused)", n)
	}
}

// TestPollSkipsMalformed: a malformed update is logged and skipped, the next one is
// handled.
func TestPollSkipsMalformed(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	p := newPoller(t, srv)
	srv.PushRaw([]byte(`{"event_name":"message.text.received","message":{"text":"no chat","message_id":"bad1"}}`))
	if got := adaptertest.PollPast(t, p, "/help", "after the malformed one"); len(got) != 1 {
		t.Errorf("handled %d updates, want 1", len(got))
	}
	if logs := p.Logs.String(); !strings.Contains(logs, "malformed update skipped") || !strings.Contains(logs, "message_id=bad1") {
		t.Errorf("the malformed update was not logged:\n%s", logs)
	}
}

// TestRepliesPaced: replies to one chat are paced, a 429 waited out once (see
// adaptertest.RepliesPaced).
func TestRepliesPaced(t *testing.T) {
	t.Parallel()
	clk := adaptertest.NewClock()
	srv := zalotest.NewServer(t, zalotest.WithClock(clk.Now))
	srv.AddChat(zalotest.Chat{ID: hoaID})
	c, _ := newClient(t, srv, clk)
	adaptertest.RepliesPaced(t, adaptertest.Replier{
		CarryOut: c.CarryOut, Update: bot.Update{Chat: hoaChat}, Clock: clk,
		Received: func() []adaptertest.Received {
			return adaptertest.Map(srv.Messages(hoaID), func(m zalotest.SentMessage) adaptertest.Received {
				return adaptertest.Received{Text: m.Text, At: m.At}
			})
		},
		Count429: srv.Count429,
		// QuotaExceeded gives no hint: the adapter waits its default.
		Throttle: func(n int) {
			for range n {
				srv.Script(hoaID, zalotest.QuotaExceeded())
			}
		},
		RetryAfter: botapi.DefaultRetryAfter,
	})
}

// TestCarryOut: long replies are split, buttons dropped, an edit becomes a new
// message before the replies, a callback text and a request to leave do nothing.
func TestCarryOut(t *testing.T) {
	t.Parallel()
	srv, c, logs := newHoaClient(t, zalotest.Unthrottled())
	long := strings.Repeat("Tin mới <b>không</b> phải HTML & vẫn hiện đúng.\n", 100) // ~4,900 characters
	u := bot.Update{Chat: hoaChat}
	c.CarryOut(apitest.Context(t), u, bot.Response{
		Edit:         &bot.Reply{Text: "Chủ đề đã chọn:", Buttons: [][]bot.Button{{{Text: "✅ Tin tức", Data: "t0:news"}}}},
		Replies:      []bot.Reply{{Text: long, Buttons: [][]bot.Button{{{Text: "Xem", Data: "x"}}}}},
		CallbackText: "Đã lưu",
		Leave:        true,
	})
	msgs := srv.Messages(hoaID)
	if len(msgs) < 4 || msgs[0].Text != "Chủ đề đã chọn:" {
		t.Fatalf("received %+v; want the edit, then the reply in at least 3 parts", msgs)
	}
	var all strings.Builder
	for _, m := range msgs[1:] {
		checkPart(t, m.Text)
		all.WriteString(m.Text)
	}
	if noSpace(all.String()) != noSpace(long) {
		t.Error("the parts do not add up to the reply")
	}
	if !strings.Contains(logs.String(), "cannot do") {
		t.Errorf("the ignored Leave was not logged:\n%s", logs)
	}
}

func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// TestCarryOutPreview: an announcement's preview goes out as members will receive it
// (Render, in parts), then its caption; an edit's preview is ignored.
func TestCarryOutPreview(t *testing.T) {
	t.Parallel()
	srv, c, _ := newHoaClient(t, zalotest.Unthrottled())
	body := strings.Repeat("Kính mời *các đồng chí* dự [họp](https://tinhuy.example.vn/hop.html).\n\n", 40) // ~3,000 characters
	content := broadcast.Content{Kind: "announcement", Topic: "announcements", Summary: body}
	u := bot.Update{Chat: hoaChat}
	c.CarryOut(apitest.Context(t), u, bot.Response{
		Edit:    &bot.Reply{Text: "Đã xử lý.", Preview: &content},
		Replies: []bot.Reply{{Text: "👆 Bản xem trước thông báo số 1. Nhắn /xacnhan 1 để gửi ngay.", Preview: &content}},
	})
	want := append([]string{"Đã xử lý."}, c.Render(content)...)
	want = append(want, "👆 Bản xem trước thông báo số 1. Nhắn /xacnhan 1 để gửi ngay.")
	msgs := srv.Messages(hoaID)
	if len(want) < 4 || len(msgs) != len(want) {
		t.Fatalf("received %d messages, want %d (the edit, the preview in parts, the caption)", len(msgs), len(want))
	}
	for i, m := range msgs {
		if m.Text != want[i] {
			t.Errorf("message %d: %q, want %q", i+1, m.Text, want[i])
		}
	}
	if strings.Contains(msgs[1].Text, "*") || !strings.Contains(msgs[1].Text, "họp (https://tinhuy.example.vn/hop.html)") {
		t.Errorf("preview not rendered as members see it: %q", msgs[1].Text)
	}
}

// TestPollKeepsUpdatesTheInboxRefused: Zalo serves an update once; while the inbox
// refuses it, Poll holds it and tries again (with backoff) instead of polling on, so it
// is stored, not lost.
func TestPollKeepsUpdatesTheInboxRefused(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	p := newPoller(t, srv)
	in := inboxtest.NewStoring(3)
	adaptertest.PollInto(t, p.Poll, in, func() { p.Push("đăng ký") }, nil)
	got, calls := in.All()
	if len(got) != 1 || got[0].Chat != hoaID || calls != 4 {
		t.Fatalf("stored %+v after %d calls; want the update, on the fourth", got, calls)
	}
	if w := p.Sleeps.Waits(); !reflect.DeepEqual(w[:3], []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}) {
		t.Errorf("waits %v, want a backoff between attempts", w)
	}
	if !strings.Contains(p.Logs.String(), "store received updates") {
		t.Errorf("the refusals were not logged:\n%s", p.Logs)
	}
}

// TestUpdateWithoutMessageIDHasAStableID: an update without message_id is stored under
// a digest of its content, so a redelivery is still recognised.
func TestUpdateWithoutMessageIDHasAStableID(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t, zalotest.NewServer(t), nil)
	raw := []byte(`{"event_name":"message.text.received","message":{"from":{"id":"u1"},"chat":{"id":"u1","chat_type":"PRIVATE"},"text":"hi"}}`)
	a, ok, err := c.inbound(context.Background(), raw)
	b, _, _ := c.inbound(context.Background(), raw)
	other, _, _ := c.inbound(context.Background(), []byte(`{"event_name":"message.text.received","message":{"from":{"id":"u1"},"chat":{"id":"u1","chat_type":"PRIVATE"},"text":"ho"}}`))
	if !ok || err != nil || a.ID == "" || a.ID != b.ID || a.ID == other.ID {
		t.Fatalf("ids %q %q %q (%v, %v); want one stable id per content", a.ID, b.ID, other.ID, ok, err)
	}
	if u, err := c.Parse(raw); err != nil || u.ID != a.ID {
		t.Errorf("Parse gives id %q, %v; want %q", u.ID, err, a.ID)
	}
}

// TestUpdateWithoutChatTypeIgnoredAndAlerted: a text message whose chat has no
// chat_type is not stored (it would otherwise be handled as a private chat, and a
// group member could subscribe the group), and the admins are alerted once, however
// many such updates come.
func TestUpdateWithoutChatTypeIgnoredAndAlerted(t *testing.T) {
	t.Parallel()
	c, logs := newClient(t, zalotest.NewServer(t), nil)
	alerts := &alerttest.Recorder{}
	c.alert = alerts.Alert
	for _, raw := range []string{
		`{"event_name":"message.text.received","message":{"from":{"id":"u1"},"chat":{"id":"g1"},"text":"đăng ký","message_id":"m1"}}`,
		`{"event_name":"message.text.received","message":{"from":{"id":"u2"},"chat":{"id":"g1"},"text":"hủy","message_id":"m2"}}`,
	} {
		in, ok, err := c.inbound(context.Background(), []byte(raw))
		if ok || err != nil {
			t.Errorf("inbound(%s) = %+v, %v, %v; want ignored, not malformed", raw, in, ok, err)
		}
	}
	if a := alerts.All(); len(a) != 1 || a[0].Key != alertNoChatType {
		t.Errorf("alerts %q; want one %s", a, alertNoChatType)
	}
	if !strings.Contains(logs.String(), "without chat_type") {
		t.Errorf("no warning logged:\n%s", logs)
	}
	if u, err := c.Parse([]byte(`{"message":{"chat":{"id":"g1"},"text":"đăng ký","message_id":"m3"}}`)); err == nil {
		t.Errorf("Parse of a stored update without chat_type = %+v; want an error, not a private chat", u)
	}
}

// TestPollWarnsOfAWebhook: while polling, a webhook set by someone else (here Zalo
// answers no 409, it just serves nothing) is found by the periodic getWebhookInfo,
// logged, and alerted once per URL; polling goes on and the webhook is left alone.
func TestPollWarnsOfAWebhook(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t, zalotest.QuietWhileWebhook(), zalotest.WithMaxPollTimeout(50*time.Millisecond))
	c, logs := newClient(t, srv, nil)
	c.sleep = botapi.Sleep // idle polls pause for real, as in production
	c.webhookCheck = 20 * time.Millisecond
	alerts := &alerttest.Recorder{}
	c.alert = alerts.Alert
	got := alerts.Keys
	ctx := apitest.Context(t)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- c.Poll(pctx, inboxtest.NewDirect(c, inboxtest.NewRecorder(nil))) }()
	if err := srv.WaitFor(ctx, func() bool { return srv.Calls("getWebhookInfo") >= 2 }); err != nil {
		t.Fatal(err)
	}
	if a := got(); len(a) != 0 {
		t.Fatalf("alerts %q without a webhook", a)
	}
	// Someone else sets a webhook, then another.
	for _, url := range []string{"https://other.example.vn/zalo", "https://third.example.vn/zalo"} {
		if err := c.SetWebhook(ctx, url, ""); err != nil {
			t.Fatal(err)
		}
		checks := srv.Calls("getWebhookInfo")
		// Several checks while it stays set: one alert for it.
		if err := srv.WaitFor(ctx, func() bool { return srv.Calls("getWebhookInfo") >= checks+3 }); err != nil {
			t.Fatal(err)
		}
		if a := got(); len(a) == 0 || a[len(a)-1] != alertWebhookSet+url {
			t.Fatalf("alerts %q; want the last for %s", a, url)
		}
	}
	if a := got(); len(a) != 2 {
		t.Errorf("alerts %q; want one per webhook URL", a)
	}
	if url, _, _ := srv.Webhook(); url != "https://third.example.vn/zalo" {
		t.Errorf("webhook now %q; want it left as set", url)
	}
	if !strings.Contains(logs.String(), "a webhook is set while loa polls") {
		t.Errorf("not logged:\n%s", logs)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Poll = %v", err)
	}
}
