package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/bot"
	"loa/broadcast"
	"loa/chat"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/telegramtest"
	"loa/internal/testclock"
)

var hoa = telegramtest.User{ID: 501, FirstName: "Hoa", LastName: "Nguyễn", Username: "hoa_ng"}

func TestParseUpdate(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa", LastName: "Nguyễn"})
	srv.AddChat(telegramtest.Chat{ID: groupID, Type: telegramtest.Group, Title: "Chi bộ 1"})
	srv.AddChat(telegramtest.Chat{ID: supergroupID, Type: telegramtest.Supergroup, Title: "Đảng bộ tỉnh"})
	const channelID = -1004004004004
	srv.AddChat(telegramtest.Chat{ID: channelID, Type: telegramtest.Channel, Title: "Kênh tin"})
	topic := srv.AddTopic(supergroupID, "Tin tức")
	from := bot.User{ID: "501", Name: "Hoa Nguyễn"}
	migrations := srv.MigrationUpdates(groupID, -1005005005005, hoa)
	private := chat.Chat{Channel: chat.Telegram, Address: "1001", Kind: "private", Title: "Hoa Nguyễn"}
	group := chat.Chat{Channel: chat.Telegram, Address: "-2002", Kind: "group", Title: "Chi bộ 1"}
	forum := chat.Chat{Channel: chat.Telegram, Address: "-1003003003003", Kind: "supergroup", Title: "Đảng bộ tỉnh", IsForum: true}
	inTopic := forum
	inTopic.ThreadID = int64(topic)
	channel := chat.Chat{Channel: chat.Telegram, Address: "-1004004004004", Kind: "channel", Title: "Kênh tin"}
	// The bot stays a member; it may post or not.
	rightsChanged := func(canPost bool) *bot.Membership {
		return &bot.Membership{Added: true, RightsChanged: true, CanPost: canPost}
	}

	tests := []struct {
		name string
		raw  []byte
		want bot.Update
		skip bool
	}{
		{name: "private text", raw: adaptertest.JSON(t, srv.TextMessage(privateID, hoa, "xin chào")),
			want: bot.Update{Chat: private, From: from, Text: "xin chào"}},
		{name: "group command", raw: adaptertest.JSON(t, srv.Command(groupID, hoa, "start@loa_test_bot")),
			want: bot.Update{Chat: group, From: from, Text: "/start@loa_test_bot"}},
		{name: "forum topic", raw: adaptertest.JSON(t, srv.TopicMessage(supergroupID, topic, hoa, "/here")),
			want: bot.Update{Chat: inTopic, From: from, Text: "/here"}},
		{name: "channel post", raw: adaptertest.JSON(t, srv.ChannelPost(channelID, "/start")),
			want: bot.Update{Chat: channel, From: bot.User{ID: "-1004004004004", Name: "Kênh tin"}, Text: "/start"}},
		{name: "callback", raw: adaptertest.JSON(t, srv.CallbackQuery(privateID, hoa, 7, "topic:articles")),
			want: bot.Update{Chat: private, From: from,
				Callback: &bot.Callback{ID: "1234567891000001", Data: "topic:articles", MessageID: "7"}}},
		{name: "bot added as member", raw: adaptertest.JSON(t, srv.BotAdded(groupID, hoa, telegramtest.Member)),
			want: bot.Update{Chat: group, From: from, Membership: &bot.Membership{Added: true}}},
		{name: "bot added as administrator", raw: adaptertest.JSON(t, srv.BotAdded(channelID, hoa, telegramtest.Administrator)),
			want: bot.Update{Chat: channel, From: from, Membership: &bot.Membership{Added: true}}},
		{name: "bot left", raw: adaptertest.JSON(t, srv.BotRemoved(groupID, hoa, telegramtest.Left)),
			want: bot.Update{Chat: group, From: from, Membership: &bot.Membership{Added: false}}},
		{name: "bot kicked", raw: adaptertest.JSON(t, srv.BotRemoved(supergroupID, hoa, telegramtest.Kicked)),
			want: bot.Update{Chat: forum, From: from, Membership: &bot.Membership{Added: false}}},
		{name: "blocked in private", raw: adaptertest.JSON(t, srv.BotRemoved(privateID, hoa, telegramtest.Kicked)),
			want: bot.Update{Chat: private, From: from, Membership: &bot.Membership{Added: false}}},
		{name: "channel took the right to post", raw: adaptertest.JSON(t, srv.BotRightsChanged(channelID, hoa, false)),
			want: bot.Update{Chat: channel, From: from, Membership: rightsChanged(false)}},
		{name: "channel gave the right back", raw: adaptertest.JSON(t, srv.BotRightsChanged(channelID, hoa, true)),
			want: bot.Update{Chat: channel, From: from, Membership: rightsChanged(true)}},
		{name: "group restricted the bot", raw: adaptertest.JSON(t, srv.BotRightsChanged(groupID, hoa, false)),
			want: bot.Update{Chat: group, From: from, Membership: rightsChanged(false)}},
		{name: "group lifted the restriction", raw: adaptertest.JSON(t, srv.BotRightsChanged(groupID, hoa, true)),
			want: bot.Update{Chat: group, From: from, Membership: rightsChanged(true)}},
		{name: "migrate_to_chat_id", raw: adaptertest.JSON(t, migrations[0]),
			want: bot.Update{Chat: group, From: from, MigratedTo: "-1005005005005"}},
		{name: "migrate_from_chat_id", raw: adaptertest.JSON(t, migrations[1]), skip: true},
		{name: "promoted", skip: true, raw: []byte(`{"update_id":1,"my_chat_member":{"chat":{"id":-2002,"type":"group"},"from":{"id":501,"first_name":"Hoa"},"date":1,
			"old_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"b"}},"new_chat_member":{"status":"administrator","user":{"id":1,"is_bot":true,"first_name":"b"}}}}`)},
		{name: "edited message", skip: true, raw: adaptertest.JSON(t, telegramtest.Update{EditedMessage: srv.TextMessage(privateID, hoa, "/start").Message})},
		{name: "chat_member", skip: true, raw: []byte(`{"update_id":2,"chat_member":{}}`)},
		{name: "reply in a non-forum supergroup", raw: []byte(`{"update_id":3,"message":{"message_id":9,"message_thread_id":5,
			"from":{"id":501,"first_name":"Hoa"},"chat":{"id":-1003,"type":"supergroup","title":"Nhóm"},"date":1,"text":"/latest"}}`),
			want: bot.Update{Chat: chat.Chat{Channel: chat.Telegram, Address: "-1003", Kind: "supergroup", Title: "Nhóm"}, From: bot.User{ID: "501", Name: "Hoa"}, Text: "/latest"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, got, err := parseUpdate(tc.raw)
			if tc.skip {
				if !errors.Is(err, errSkip) {
					t.Errorf("parseUpdate = %+v, %v; want it skipped", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseUpdate: %v\n%s", err, tc.raw)
			}
			// The update's id, for de-duplication, is its update_id.
			var head struct {
				UpdateID int64 `json:"update_id"`
			}
			if err := json.Unmarshal(tc.raw, &head); err != nil {
				t.Fatal(err)
			}
			tc.want.ID = strconv.FormatInt(head.UpdateID, 10)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseUpdate:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseUpdateMalformed(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		`not json`,
		`{"update_id":1,"message":"text"}`,
		`{"update_id":"one","message":{}}`,
		`{"update_id":1,"message":{"text":"/start"}}`,
		`{"update_id":1,"callback_query":{"data":"x"}}`,
		`{"update_id":1,"my_chat_member":{"new_chat_member":{"status":"member"}}}`,
	} {
		if _, u, err := parseUpdate([]byte(raw)); err == nil || errors.Is(err, errSkip) {
			t.Errorf("parseUpdate(%s) = %+v, %v; want an error", raw, u, err)
		}
	}
}

// editRecorder stands in front of the fake, which has no editMessageText: it records
// those calls and passes everything else on.
type editRecorder struct {
	srv   *telegramtest.Server
	mu    sync.Mutex
	edits []url.Values
}

func (e *editRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/editMessageText") {
		e.srv.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.edits = append(e.edits, v)
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true,"result":true}`)
}

func (e *editRecorder) all() []url.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]url.Values(nil), e.edits...)
}

func TestPoll(t *testing.T) {
	t.Parallel()
	clk := adaptertest.NewClock()
	srv := telegramtest.NewServer(t, telegramtest.WithClock(clk.Now))
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	srv.AddChat(telegramtest.Chat{ID: groupID, Type: telegramtest.Group, Title: "Chi bộ 1"})
	topic := srv.AddTopic(supergroupID, "Tin tức")
	edits := &editRecorder{srv: srv}
	front := httptest.NewServer(edits)
	t.Cleanup(front.Close)
	c, _ := newClientAt(t, front.URL+"/bot%s/%s", srv.Token(), clk)
	ctx := apitest.Context(t)

	// A webhook left over from webhook mode: Poll must delete it first.
	if err := c.SetWebhook(ctx, "https://loa.example.vn/telegram", ""); err != nil {
		t.Fatal(err)
	}
	keyboard := [][]bot.Button{{{Text: "✅ Bài viết", Data: "topic:articles"}, {Text: "Kỷ niệm", Data: "topic:anniv"}}}
	h := inboxtest.NewRecorder(func(u bot.Update) bot.Response {
		switch {
		case u.Callback != nil:
			return bot.Response{CallbackText: "Đã lưu", Edit: &bot.Reply{Text: "Chủ đề đã chọn:", Buttons: keyboard}}
		case u.Text == "/start":
			return bot.Response{Replies: []bot.Reply{{Text: "Chào <Hoa> & mọi người!", Buttons: keyboard}}}
		case u.Text == "/here":
			return bot.Response{Replies: []bot.Reply{{Text: "Tin sẽ về chủ đề này."}}}
		case u.Membership != nil && u.Membership.Added:
			return bot.Response{Replies: []bot.Reply{{Text: "Bạn không phải quản trị viên loa."}}, Leave: true}
		}
		return bot.Response{}
	})
	stop := adaptertest.StartPoll(t, c.Poll, inboxtest.NewDirect(c, h))

	ids := []int{
		srv.PushUpdate(srv.Command(privateID, hoa, "start")),
		srv.PushUpdate(srv.CallbackQuery(privateID, hoa, 1, "topic:articles")),
		srv.PushUpdate(srv.TopicMessage(supergroupID, topic, hoa, "/here")),
		srv.PushUpdate(srv.BotAdded(groupID, hoa, telegramtest.Member)),
	}
	if err := srv.WaitFor(ctx, func() bool { return len(srv.LeftChats()) == 1 }); err != nil {
		t.Fatalf("waiting for the bot to leave the group: %v", err)
	}
	// Handled updates are confirmed by the next getUpdates.
	if err := srv.WaitUpdatesDrained(ctx); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Errorf("Poll = %v, want nil after its context ended", err)
	}

	if srv.Calls("deleteWebhook") == 0 || srv.Webhook().URL != "" {
		t.Errorf("Poll did not delete the webhook: %+v", srv.Webhook())
	}
	got := h.Updates()
	if len(got) != len(ids) {
		t.Fatalf("handler got %d updates, want %d: %+v", len(got), len(ids), got)
	}
	if got[0].Text != "/start" || got[1].Callback == nil || got[2].Chat.ThreadID != int64(topic) || got[3].Membership == nil {
		t.Errorf("updates out of order or misread: %+v", got)
	}

	// The reply to /start, with its keyboard.
	msgs := srv.Messages(privateID)
	if len(msgs) != 1 || msgs[0].Text != "Chào <Hoa> & mọi người!" || msgs[0].ParseMode != "" {
		t.Fatalf("private chat received %+v", msgs)
	}
	var markup struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal(msgs[0].ReplyMarkup, &markup); err != nil || len(markup.InlineKeyboard) != 1 ||
		markup.InlineKeyboard[0][1].CallbackData != "topic:anniv" || markup.InlineKeyboard[0][0].Text != "✅ Bài viết" {
		t.Errorf("keyboard %s (%v)", msgs[0].ReplyMarkup, err)
	}
	// The callback: answered, and its message edited.
	answers := srv.CallbackAnswers()
	if len(answers) != 1 || answers[0].Text != "Đã lưu" || answers[0].CallbackQueryID != got[1].Callback.ID {
		t.Errorf("callback answers %+v", answers)
	}
	ed := edits.all()
	if len(ed) != 1 || ed[0].Get("chat_id") != "1001" || ed[0].Get("message_id") != "1" || ed[0].Get("text") != "Chủ đề đã chọn:" ||
		!strings.Contains(ed[0].Get("reply_markup"), `"callback_data":"topic:articles"`) {
		t.Errorf("edits %v", ed)
	}
	// The reply in the forum topic went to the topic.
	if m := srv.Messages(supergroupID); len(m) != 1 || m[0].ThreadID != topic {
		t.Errorf("forum received %+v", m)
	}
	// The group: told, then left.
	if m := srv.Messages(groupID); len(m) != 1 || m[0].Text != "Bạn không phải quản trị viên loa." {
		t.Errorf("group received %+v", m)
	}
	if left := srv.LeftChats(); len(left) != 1 || left[0] != groupID {
		t.Errorf("left %v", left)
	}
	if n := srv.Count429(); n != 0 {
		t.Errorf("%d answers were 429", n)
	}
}

// TestPollBacksOff: failed getUpdates calls are retried after growing waits, a 429
// after its retry_after, a webhook conflict after deleting the webhook again.
func TestPollBacksOff(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	srv.ScriptMethod("getUpdates",
		telegramtest.ServerError(500),
		telegramtest.BadGateway(),
		telegramtest.Hangup(),
		telegramtest.TooManyRequests(7),
		telegramtest.Fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"),
		telegramtest.ServerError(500),
	)
	c, logs := newClient(t, srv, nil)
	s := &testclock.Sleeps{}
	c.sleep = s.Sleep
	p := adaptertest.Poller{Poll: c.Poll, Adapter: c, Sleeps: s, Logs: logs, Calls: srv.Calls, Token: srv.Token(),
		Push: func(text string) { srv.PushUpdate(srv.TextMessage(privateID, hoa, text)) }}
	// 1, 2, 4 s; the 429's own 7 s (the backoff still grows, to 8 s); 16 s; capped at 30 s.
	adaptertest.PollBacksOff(t, p, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 7 * time.Second, 16 * time.Second, 30 * time.Second})
}

func TestPollTokenRejected(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	c, _ := newClientAt(t, srv.Endpoint(), "42:not-the-right-token", nil)
	err := c.Poll(apitest.Context(t), inboxtest.NewDirect(c, inboxtest.NewRecorder(nil)))
	if !tokenRejected(err) {
		t.Errorf("Poll with a revoked token = %v, want the 401", err)
	}
}

// TestPollSkipsMalformed: a malformed update in a batch is logged and skipped, the
// others are handled and all of them confirmed.
func TestPollSkipsMalformed(t *testing.T) {
	t.Parallel()
	offsets := make(chan string, 10)
	var calls sync.Mutex
	first := true
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/deleteWebhook"):
			io.WriteString(w, `{"ok":true,"result":true}`)
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			r.ParseForm()
			calls.Lock()
			f := first
			first = false
			calls.Unlock()
			if f {
				io.WriteString(w, `{"ok":true,"result":[
					{"update_id":5,"message":"not a message"},
					{"update_id":6,"message":{"message_id":1,"from":{"id":501,"first_name":"Hoa"},"chat":{"id":1001,"type":"private"},"date":1,"text":"/help"}},
					{"update_id":7,"poll":{"id":"x"}}]}`)
				return
			}
			offsets <- r.Form.Get("offset")
			if r.Form.Get("timeout") == "0" { // Poll confirming on its way out
				io.WriteString(w, `{"ok":true,"result":[]}`)
				return
			}
			<-r.Context().Done()
		default:
			io.WriteString(w, `{"ok":true,"result":{"message_id":2,"date":1,"chat":{"id":1001,"type":"private"}}}`)
		}
	}))
	t.Cleanup(api.Close)
	c, logs := newClientAt(t, api.URL+"/bot%s/%s", "1:token-for-malformed", nil)
	ctx := apitest.Context(t)
	pctx, stop := context.WithCancel(ctx)
	h := inboxtest.NewRecorder(nil)
	done := make(chan error, 1)
	go func() { done <- c.Poll(pctx, inboxtest.NewDirect(c, h)) }()
	select {
	case off := <-offsets:
		if off != "8" {
			t.Errorf("next offset %q, want 8", off)
		}
	case <-ctx.Done():
		t.Fatal("no second getUpdates")
	}
	stop()
	<-done
	if off := <-offsets; off != "8" {
		t.Errorf("Poll confirmed offset %q on its way out, want 8", off)
	}
	if got := h.Updates(); len(got) != 1 || got[0].Text != "/help" {
		t.Errorf("handled %+v, want only /help", got)
	}
	if !strings.Contains(logs.String(), "malformed update skipped") || !strings.Contains(logs.String(), "update_id=5") {
		t.Errorf("the malformed update was not logged:\n%s", logs)
	}
}

// TestRepliesPaced: replies to one chat are paced, a 429 waited out once (see
// adaptertest.RepliesPaced).
func TestRepliesPaced(t *testing.T) {
	t.Parallel()
	clk := adaptertest.NewClock()
	srv := telegramtest.NewServer(t, telegramtest.WithClock(clk.Now))
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	c, _ := newClient(t, srv, clk)
	adaptertest.RepliesPaced(t, adaptertest.Replier{
		CarryOut: c.CarryOut, Update: bot.Update{Chat: chatOfID(privateID, 0)}, Clock: clk,
		Received: func() []adaptertest.Received {
			return adaptertest.Map(srv.Messages(privateID), func(m telegramtest.SentMessage) adaptertest.Received {
				return adaptertest.Received{Text: m.Text, At: m.At}
			})
		},
		Count429: srv.Count429,
		Throttle: func(n int) {
			for range n {
				srv.Script(privateID, telegramtest.TooManyRequests(3))
			}
		},
		RetryAfter: 3 * time.Second,
	})
}

func TestReplySplitsLongText(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t, telegramtest.Unthrottled())
	thread := srv.AddTopic(supergroupID, "Tin")
	c, _ := newClient(t, srv, nil)
	long := strings.Repeat("Tin mới <b>không</b> phải HTML & vẫn hiện đúng.\n", 200)
	u := bot.Update{Chat: chat.Chat{Channel: chat.Telegram, Address: "-1003003003003", Kind: "supergroup", ThreadID: int64(thread), IsForum: true}}
	c.CarryOut(apitest.Context(t), u, bot.Response{Replies: []bot.Reply{{Text: long, Buttons: [][]bot.Button{{{Text: "Xem", Data: "x"}}}}}})
	msgs := srv.Messages(supergroupID)
	if len(msgs) < 3 {
		t.Fatalf("got %d messages, want the reply split", len(msgs))
	}
	var all strings.Builder
	for i, m := range msgs {
		all.WriteString(m.Text)
		if m.ThreadID != thread {
			t.Errorf("part %d went to thread %d", i+1, m.ThreadID)
		}
		if hasKB := len(m.ReplyMarkup) > 0; hasKB != (i == len(msgs)-1) {
			t.Errorf("part %d: keyboard %s; want it under the last part only", i+1, m.ReplyMarkup)
		}
	}
	if noSpace(all.String()) != noSpace(long) {
		t.Error("the parts do not add up to the reply")
	}
}

// TestCallbackAlwaysAnswered: a handler that answers nothing still gets the button
// answered (a panicking one is bot/inbox's: it is retried, then failed).
func TestCallbackAlwaysAnswered(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	c, _ := newClient(t, srv, nil)
	ctx := apitest.Context(t)
	h := inboxtest.HandlerFunc(func(context.Context, bot.Update) bot.Response { return bot.Response{} })
	stop := adaptertest.StartPoll(t, c.Poll, inboxtest.NewDirect(c, h))
	srv.PushUpdate(srv.CallbackQuery(privateID, hoa, 1, "a"))
	srv.PushUpdate(srv.CallbackQuery(privateID, hoa, 1, "b"))
	if err := srv.WaitFor(ctx, func() bool { return len(srv.CallbackAnswers()) == 2 }); err != nil {
		t.Fatalf("callbacks answered: %+v (%v)", srv.CallbackAnswers(), err)
	}
	_ = stop()
}

// TestReplyWithPreview: an announcement's preview goes out exactly as Send sends the
// broadcast (HTML, in parts), then the caption as a plain reply with the keyboard under
// it, all in the update's topic; an edit's preview is ignored.
func TestReplyWithPreview(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t, telegramtest.Unthrottled())
	thread := srv.AddTopic(supergroupID, "Điều hành")
	c, _ := newClient(t, srv, nil)
	forum := chat.Chat{Channel: chat.Telegram, Address: "-1003003003003", Kind: "supergroup", ThreadID: int64(thread), IsForum: true}
	keyboard := [][]bot.Button{{{Text: "Gửi ngay", Data: "a:send:1"}, {Text: "Huỷ", Data: "a:drop:1"}}}
	for _, tt := range []struct {
		name  string
		body  string
		parts int
	}{
		{"short", "Kính mời *các đồng chí* dự họp lúc _8 giờ_. Xem [giấy mời](https://tinhuy.example.vn/moi.html) & <chuẩn bị>.", 1},
		{"long", strings.Repeat("Nội dung *thông báo* dài, gồm nhiều đoạn văn.\n\n", 150), 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Messages(supergroupID))
			content := broadcast.Content{Kind: "announcement", Topic: "announcements", Summary: tt.body}
			resp := bot.Response{Replies: []bot.Reply{{Text: "👆 Bản xem trước thông báo số 1.", Buttons: keyboard, Preview: &content}}}
			c.CarryOut(apitest.Context(t), bot.Update{Chat: forum}, resp)
			msgs := srv.Messages(supergroupID)[before:]
			want := c.Render(content)
			if len(want) != tt.parts || len(msgs) != tt.parts+1 {
				t.Fatalf("got %d messages for %d rendered parts; want %d parts and the caption", len(msgs), len(want), tt.parts)
			}
			for i, part := range want {
				m := msgs[i]
				if m.RawText != part || m.ParseMode != "HTML" || len(m.ReplyMarkup) != 0 || len(m.LinkPreviewOptions) != 0 || m.ThreadID != thread {
					t.Errorf("preview part %d: %+v, want %q as HTML, without keyboard", i+1, m, part)
				}
			}
			if strings.Contains(msgs[0].Text, "*") || !strings.Contains(msgs[0].RawText, "<b>") {
				t.Errorf("preview not formatted: %q", msgs[0].RawText)
			}
			caption := msgs[len(msgs)-1]
			if caption.Text != "👆 Bản xem trước thông báo số 1." || caption.ParseMode != "" || caption.ThreadID != thread ||
				!strings.Contains(string(caption.ReplyMarkup), `"callback_data":"a:send:1"`) {
				t.Errorf("caption %+v", caption)
			}
		})
	}
}

// TestPollConfirmsOnlyStoredUpdates: a batch the inbox refuses is not confirmed: the
// next getUpdates asks again from the same offset, and the batch is stored then.
func TestPollConfirmsOnlyStoredUpdates(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
	c, logs := newClient(t, srv, nil)
	s := &testclock.Sleeps{}
	c.sleep = s.Sleep
	in := inboxtest.NewStoring(2)
	var id int
	push := func() { id = srv.PushUpdate(srv.Command(privateID, hoa, "help")) }
	adaptertest.PollInto(t, c.Poll, in, push, srv.WaitUpdatesDrained) // confirmed once stored
	got, calls := in.All()
	if len(got) != 1 || got[0].ID != strconv.Itoa(id) || calls != 3 {
		t.Fatalf("stored %+v after %d calls; want the update once, on the third", got, calls)
	}
	if !strings.Contains(logs.String(), "not confirmed") {
		t.Errorf("the refusal was not logged:\n%s", logs)
	}
}
