package telegramtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/internal/apitest"
)

// poll runs GetUpdates in the background.
func poll(bot *tgbotapi.BotAPI, cfg tgbotapi.UpdateConfig) <-chan pollResult {
	ch := make(chan pollResult, 1)
	go func() {
		ups, err := bot.GetUpdates(cfg)
		ch <- pollResult{ups, err}
	}()
	return ch
}

type pollResult struct {
	updates []tgbotapi.Update
	err     error
}

func waitPoll(t *testing.T, ch <-chan pollResult) pollResult {
	t.Helper()
	return apitest.Receive(t, ch, "getUpdates's answer")
}

// polling is a server and a bot whose first long poll (50 s) is waiting.
func polling(t *testing.T) (*Server, *tgbotapi.BotAPI, <-chan pollResult) {
	t.Helper()
	s := NewServer(t)
	bot := newBot(t, s)
	ch := poll(bot, tgbotapi.UpdateConfig{Timeout: 50})
	waitPolling(t, s, 1)
	return s, bot, ch
}

// waitPolling waits until a getUpdates is waiting for updates, the n-th call.
func waitPolling(t *testing.T, s *Server, n int) {
	t.Helper()
	if err := s.WaitFor(apitest.Context(t), func() bool { return s.Calls("getUpdates") >= n && s.LongPolls() == 1 }); err != nil {
		t.Fatal(err)
	}
}

func TestLongPoll(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	bot := newBot(t, s)

	// The poll is held until an update arrives.
	res := poll(bot, tgbotapi.UpdateConfig{Timeout: 50})
	waitPolling(t, s, 1)
	id := s.PushUpdate(s.Command(hoa.ID, hoa, "start ref_42"))
	r := waitPoll(t, res)
	if r.err != nil || len(r.updates) != 1 {
		t.Fatalf("getUpdates = %+v, %v", r.updates, r.err)
	}
	u := r.updates[0]
	if u.UpdateID != id || u.Message == nil || !u.Message.IsCommand() || u.Message.Command() != "start" ||
		u.Message.CommandArguments() != "ref_42" || u.Message.Chat.ID != hoa.ID || u.Message.Chat.Type != "private" ||
		u.Message.From.ID != hoa.ID || !u.Message.Time().Equal(clock.Now()) {
		t.Errorf("update = %+v, message %+v", u, u.Message)
	}

	// Not confirmed: served again. Confirmed: gone for good.
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{}))
	if len(r.updates) != 1 || r.updates[0].UpdateID != id {
		t.Errorf("unconfirmed update not served again: %+v", r.updates)
	}
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Offset: id + 1}))
	if r.err != nil || len(r.updates) != 0 || s.PendingUpdates() != 0 {
		t.Errorf("after confirming: %+v, %v, pending %d", r.updates, r.err, s.PendingUpdates())
	}
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Offset: id}))
	if len(r.updates) != 0 {
		t.Errorf("a confirmed update came back: %+v", r.updates)
	}

	// Timeouts: ExpirePolls ends a waiting poll with no updates.
	res = poll(bot, tgbotapi.UpdateConfig{Offset: id + 1, Timeout: 50})
	waitPolling(t, s, 5)
	s.ExpirePolls()
	if r = waitPoll(t, res); r.err != nil || len(r.updates) != 0 {
		t.Errorf("expired poll = %+v, %v", r.updates, r.err)
	}
}

func TestGetUpdatesOffsetLimitAndFilter(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	bot := newBot(t, s)
	var ids []int
	for i := range 5 {
		ids = append(ids, s.PushUpdate(s.TextMessage(hoa.ID, hoa, strings.Repeat("x", i+1))))
	}
	r := waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Limit: 2}))
	if len(r.updates) != 2 || r.updates[0].UpdateID != ids[0] || r.updates[1].UpdateID != ids[1] {
		t.Errorf("limit 2 = %+v", r.updates)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Fatalf("update ids not consecutive: %v", ids)
		}
	}
	// A negative offset keeps the last updates only.
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Offset: -2}))
	if len(r.updates) != 2 || r.updates[0].UpdateID != ids[3] || s.PendingUpdates() != 2 {
		t.Errorf("offset -2 = %+v", r.updates)
	}
	// allowed_updates: excluded kinds are never delivered.
	s.PushUpdate(s.CallbackQuery(hoa.ID, hoa, 1, "topics"))
	msg := s.PushUpdate(s.TextMessage(hoa.ID, hoa, "sau"))
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Offset: ids[4] + 1, AllowedUpdates: []string{"message"}}))
	if len(r.updates) != 1 || r.updates[0].UpdateID != msg {
		t.Errorf("allowed message only = %+v", r.updates)
	}
	// The setting persists; an empty list restores the default.
	s.PushUpdate(s.CallbackQuery(hoa.ID, hoa, 1, "x"))
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Offset: msg + 1}))
	if len(r.updates) != 0 {
		t.Errorf("callback delivered despite allowed_updates: %+v", r.updates)
	}
	cb := s.PushUpdate(s.CallbackQuery(hoa.ID, hoa, 1, "y"))
	r = waitPoll(t, poll(bot, tgbotapi.UpdateConfig{Offset: msg + 1, AllowedUpdates: []string{}}))
	if len(r.updates) != 1 || r.updates[0].UpdateID != cb {
		t.Errorf("default allowed = %+v", r.updates)
	}
}

func TestGetUpdatesConflictAndCancel(t *testing.T) {
	t.Parallel()
	s, bot, first := polling(t)
	second := poll(bot, tgbotapi.UpdateConfig{Timeout: 50})
	r := waitPoll(t, first)
	wantAPIError(t, r.err, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	s.PushUpdate(s.TextMessage(hoa.ID, hoa, "x"))
	if r = waitPoll(t, second); r.err != nil || len(r.updates) != 1 {
		t.Errorf("second poll = %+v, %v", r.updates, r.err)
	}

	// A poll whose client goes away ends without taking anything.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/bot"+s.Token()+"/getUpdates?timeout=50&offset=999999999", nil)
	done := s.DoAsync(req)
	waitPolling(t, s, 3)
	cancel()
	if err := <-done; err == nil {
		t.Error("cancelled poll returned a response")
	}
}

func TestUpdateBuilders(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: group, Type: Group, Title: "Chi bộ 1"})
	s.AddChat(Chat{ID: supergroup, Type: Supergroup, Title: "Đảng bộ", IsForum: true})
	s.AddChat(Chat{ID: channel, Type: Channel, Title: "Tin tức", Username: "tintuc"})
	thread := s.AddTopic(supergroup, "Thông báo")
	bot := newBot(t, s)

	s.PushUpdate(s.BotAdded(group, hoa, Member))
	s.PushUpdate(s.BotAdded(channel, hoa, Administrator))
	s.PushUpdate(s.BotRemoved(supergroup, minh, Kicked))
	s.PushUpdate(s.ChannelPost(channel, "Bài mới"))
	s.PushUpdate(s.TopicMessage(supergroup, thread, hoa, "/here"))
	for _, u := range s.MigrationUpdates(group, -1005555555555, hoa) {
		s.PushUpdate(u)
	}
	r := waitPoll(t, poll(bot, tgbotapi.UpdateConfig{}))
	if r.err != nil || len(r.updates) != 7 {
		t.Fatalf("getUpdates = %d updates, %v", len(r.updates), r.err)
	}
	u := r.updates
	if m := u[0].MyChatMember; m == nil || m.Chat.ID != group || m.From.ID != hoa.ID || m.OldChatMember.Status != "left" ||
		m.NewChatMember.Status != "member" || m.NewChatMember.User.ID != s.Bot().ID {
		t.Errorf("bot added = %+v", u[0].MyChatMember)
	}
	if m := u[1].MyChatMember; m == nil || m.Chat.Type != "channel" || m.NewChatMember.Status != "administrator" {
		t.Errorf("bot added to channel = %+v", u[1].MyChatMember)
	}
	if m := u[2].MyChatMember; m == nil || m.OldChatMember.Status != "member" || m.NewChatMember.Status != "kicked" {
		t.Errorf("bot removed = %+v", u[2].MyChatMember)
	}
	if p := u[3].ChannelPost; p == nil || p.Text != "Bài mới" || p.Chat.UserName != "tintuc" || p.SenderChat == nil {
		t.Errorf("channel post = %+v", u[3].ChannelPost)
	}
	if m := u[4].Message; m == nil || m.Command() != "here" || m.Chat.ID != supergroup {
		t.Errorf("topic message = %+v", u[4].Message)
	}
	if m := u[5].Message; m == nil || m.MigrateToChatID != -1005555555555 || m.Chat.ID != group {
		t.Errorf("migrate to = %+v", u[5].Message)
	}
	if m := u[6].Message; m == nil || m.MigrateFromChatID != group || m.Chat.Type != "supergroup" {
		t.Errorf("migrate from = %+v", u[6].Message)
	}
	// The thread id is on the wire even though this library version drops it.
	var raw []map[string]json.RawMessage
	resp, _ := bot.MakeRequest("getUpdates", nil)
	json.Unmarshal(resp.Result, &raw)
	var m Message
	json.Unmarshal(raw[4]["message"], &m)
	if m.MessageThreadID != thread || !m.IsTopicMessage {
		t.Errorf("topic message on the wire = %+v", m)
	}
}

func TestAnswerCallbackQuery(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: hoa.ID})
	bot := newBot(t, s)
	markup := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Bài viết ✓", "topic:articles")))
	m := tgbotapi.NewMessage(hoa.ID, "Chọn chủ đề")
	m.ReplyMarkup = markup
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	up := s.CallbackQuery(hoa.ID, hoa, sent.MessageID, "topic:articles")
	const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"
	_, err = bot.Request(tgbotapi.NewCallback(up.CallbackQuery.ID, "x"))
	wantAPIError(t, err, 400, tooOld) // not delivered yet

	s.PushUpdate(up)
	r := waitPoll(t, poll(bot, tgbotapi.UpdateConfig{}))
	if len(r.updates) != 1 {
		t.Fatalf("updates = %+v", r.updates)
	}
	cq := r.updates[0].CallbackQuery
	if cq == nil || cq.Data != "topic:articles" || cq.From.ID != hoa.ID || cq.Message == nil ||
		cq.Message.MessageID != sent.MessageID || cq.Message.Text != "Chọn chủ đề" || cq.Message.ReplyMarkup == nil {
		t.Fatalf("callback query = %+v", cq)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "Đã bật")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, "again"))
	wantAPIError(t, err, 400, tooOld)
	_, err = bot.Request(tgbotapi.NewCallback("made-up", ""))
	wantAPIError(t, err, 400, tooOld)
	if a := s.CallbackAnswers(); len(a) != 1 || a[0].CallbackQueryID != cq.ID || a[0].Text != "Đã bật" {
		t.Errorf("answers = %+v", a)
	}
}

// hook is a webhook receiver.
type hook struct {
	mu       sync.Mutex
	got      []Update
	secrets  []string
	failures int // answer 500 to this many requests first
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures > 0 {
		h.failures--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var u Update
	if err := json.Unmarshal(body, &u); err != nil || r.Header.Get("Content-Type") != "application/json" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.got = append(h.got, u)
	h.secrets = append(h.secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
}

func (h *hook) updates() ([]Update, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Update(nil), h.got...), append([]string(nil), h.secrets...)
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	bot := newBot(t, s)
	h := &hook{failures: 1}
	receiver := httptest.NewServer(h)
	t.Cleanup(receiver.Close)

	for _, tc := range []struct{ secret, desc string }{
		{"has space", "Bad Request: secret token contains unallowed characters"},
		{"123:ABC", "Bad Request: secret token contains unallowed characters"},
		{strings.Repeat("a", 257), "Bad Request: secret token is too long"},
	} {
		_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": receiver.URL, "secret_token": tc.secret})
		wantAPIError(t, err, 400, tc.desc)
	}
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "ftp://example.com"})
	wantAPIError(t, err, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")

	s.PushUpdate(s.TextMessage(hoa.ID, hoa, "trước")) // queued before the webhook
	resp, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": receiver.URL + "/tg", "secret_token": "s3cr-et_"})
	if err != nil || resp.Description != "Webhook was set" {
		t.Fatalf("setWebhook = %+v, %v", resp, err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantAPIError(t, err, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")

	s.PushUpdate(s.TextMessage(hoa.ID, hoa, "sau"))
	if err := s.WaitUpdatesDrained(apitest.Context(t)); err != nil {
		t.Fatal(err)
	}
	got, secrets := h.updates()
	if len(got) != 2 || got[0].Message.Text != "trước" || got[1].Message.Text != "sau" || secrets[0] != "s3cr-et_" {
		t.Errorf("webhook got %+v with secrets %v", got, secrets)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != receiver.URL+"/tg" || info.PendingUpdateCount != 0 ||
		info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate == 0 {
		t.Errorf("webhook info = %+v, %v", info, err)
	}

	// A callback delivered by webhook can be answered.
	cb := s.CallbackQuery(hoa.ID, hoa, 1, "x")
	s.PushUpdate(cb)
	if err := s.WaitUpdatesDrained(apitest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(cb.CallbackQuery.ID, "")); err != nil {
		t.Errorf("answer after webhook delivery: %v", err)
	}

	resp, err = bot.Request(tgbotapi.DeleteWebhookConfig{})
	if err != nil || resp.Description != "Webhook was deleted" {
		t.Fatalf("deleteWebhook = %+v, %v", resp, err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Errorf("getUpdates after deleteWebhook: %v", err)
	}
	if info := s.Webhook(); info.URL != "" {
		t.Errorf("webhook still set: %+v", info)
	}
	// drop_pending_updates forgets the queue.
	s.PushUpdate(s.TextMessage(hoa.ID, hoa, "bỏ"))
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	if s.PendingUpdates() != 0 {
		t.Errorf("pending after drop = %d", s.PendingUpdates())
	}
}

func TestWebhookSetWhilePolling(t *testing.T) {
	t.Parallel()
	s, bot, res := polling(t)
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://loa.example/tg"}); err != nil {
		t.Fatal(err)
	}
	r := waitPoll(t, res)
	wantAPIError(t, r.err, 409, "Conflict: terminated by setWebhook request")
	if got := s.Webhook(); got.URL != "https://loa.example/tg" || got.MaxConnections != 40 {
		t.Errorf("webhook = %+v", got)
	}
}
