package telegram

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/broadcast"
	"loa/chat"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/telegramtest"
	"loa/internal/testclock"
)

const (
	privateID    = 1001
	groupID      = -2002
	supergroupID = -1003003003003
	channelID    = -1004004004004
)

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(srv *telegramtest.Server) chat.Chat
		kind   broadcast.ErrorKind
		reason string
		check  func(t *testing.T, se *broadcast.SendError)
	}{
		{name: "429", kind: broadcast.RateLimited, reason: "too_many_requests",
			setup: scripted(privateID, telegramtest.TooManyRequests(41)),
			check: func(t *testing.T, se *broadcast.SendError) {
				if se.RetryAfter != 41*time.Second {
					t.Errorf("RetryAfter %v, want 41s", se.RetryAfter)
				}
			}},
		{name: "429 without parameters", kind: broadcast.RateLimited, reason: "too_many_requests",
			setup: scripted(privateID, telegramtest.Fail(429, "Too Many Requests: retry after 12")),
			check: func(t *testing.T, se *broadcast.SendError) {
				if se.RetryAfter != 12*time.Second {
					t.Errorf("RetryAfter %v, want 12s from the description", se.RetryAfter)
				}
			}},
		{name: "blocked", kind: broadcast.ChatGone, reason: "blocked", setup: scripted(privateID, telegramtest.Blocked())},
		{name: "blocked state", kind: broadcast.ChatGone, reason: "blocked", setup: state(privateID, telegramtest.ChatBlocked)},
		{name: "deactivated", kind: broadcast.ChatGone, reason: "deactivated", setup: scripted(privateID, telegramtest.Deactivated())},
		{name: "kicked from group", kind: broadcast.ChatGone, reason: "kicked", setup: state(groupID, telegramtest.ChatKicked)},
		{name: "kicked from supergroup", kind: broadcast.ChatGone, reason: "kicked", setup: scripted(supergroupID, telegramtest.KickedReply())},
		{name: "other 403", kind: broadcast.ChatGone, reason: "forbidden", setup: state(privateID, telegramtest.ChatNotStarted)},
		{name: "left", kind: broadcast.ChatGone, reason: "not_member", setup: state(groupID, telegramtest.ChatLeft)},
		{name: "no rights in a group", kind: broadcast.ChatPaused, reason: "no_rights", setup: state(groupID, telegramtest.ChatNoRights)},
		{name: "no rights in a channel", kind: broadcast.ChatPaused, reason: "no_rights", setup: state(channelID, telegramtest.ChatNoRights)},
		{name: "no rights 400", kind: broadcast.ChatPaused, reason: "no_rights", setup: scripted(supergroupID, telegramtest.NoRights())},
		{name: "no rights 403", kind: broadcast.ChatPaused, reason: "no_rights",
			setup: scripted(supergroupID, telegramtest.Fail(403, "Forbidden: not enough rights to send text messages to the chat"))},
		{name: "chat not found", kind: broadcast.ChatGone, reason: "chat_not_found", setup: state(privateID, telegramtest.ChatGone)},
		{name: "unknown chat", kind: broadcast.ChatGone, reason: "chat_not_found", setup: func(*telegramtest.Server) chat.Chat {
			return chat.Chat{Address: "4242", Kind: "private"}
		}},
		{name: "migrated", kind: broadcast.Migrated, reason: "migrated",
			setup: func(srv *telegramtest.Server) chat.Chat {
				srv.MigrateChat(groupID, supergroupID)
				return chatOfID(groupID, 0)
			},
			check: func(t *testing.T, se *broadcast.SendError) {
				if se.MigrateTo != "-1003003003003" {
					t.Errorf("MigrateTo %q, want -1003003003003", se.MigrateTo)
				}
			}},
		{name: "thread not found", kind: broadcast.ThreadGone, reason: "thread_not_found",
			setup: func(srv *telegramtest.Server) chat.Chat {
				srv.AddTopic(supergroupID, "Tin tức")
				return chatOfID(supergroupID, 999)
			}},
		{name: "other 400", kind: broadcast.Rejected, reason: "bad_request",
			setup: scripted(privateID, telegramtest.Fail(400, "Bad Request: message is too long"))},
		{name: "group chat deactivated", kind: broadcast.ChatGone, reason: "chat_deactivated",
			setup: scripted(groupID, telegramtest.Fail(400, "Bad Request: group chat was deactivated"))},
		{name: "401", kind: broadcast.Unauthorized, reason: "unauthorized",
			setup: scripted(privateID, telegramtest.Fail(401, "Unauthorized"))},
		{name: "404", kind: broadcast.Unauthorized, reason: "unauthorized",
			setup: scripted(privateID, telegramtest.Fail(404, "Not Found"))},
		{name: "500", kind: broadcast.Transient, reason: "http_500", setup: scripted(privateID, telegramtest.ServerError(500))},
		{name: "502 nginx page", kind: broadcast.Transient, reason: "http_502", setup: scripted(privateID, telegramtest.BadGateway())},
		{name: "hangup", kind: broadcast.Transient, reason: "network", setup: scripted(privateID, telegramtest.Hangup())},
		{name: "answer lost", kind: broadcast.Transient, reason: "network",
			setup: scripted(privateID, telegramtest.Reply{Hangup: true, Deliver: true})},
		{name: "200 not json", kind: broadcast.Transient, reason: "bad_response",
			setup: scripted(privateID, telegramtest.Reply{Code: 200, Body: "<html>captive portal</html>", ContentType: "text/html"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := telegramtest.NewServer(t)
			srv.AddChat(telegramtest.Chat{ID: privateID, Type: telegramtest.Private, FirstName: "Hoa"})
			srv.AddChat(telegramtest.Chat{ID: groupID, Type: telegramtest.Group, Title: "Chi bộ 1"})
			srv.AddChat(telegramtest.Chat{ID: supergroupID, Type: telegramtest.Supergroup, Title: "Đảng bộ"})
			srv.AddChat(telegramtest.Chat{ID: channelID, Type: telegramtest.Channel, Title: "Kênh tin"})
			chat := tc.setup(srv)
			c, _ := newClient(t, srv, nil)
			err := c.Send(apitest.Context(t), chat, "<b>Tin mới</b>")
			se := checkSendError(t, err, tc.kind, tc.reason, srv.Token())
			if se != nil && tc.check != nil {
				tc.check(t, se)
			}
		})
	}
}

func checkSendError(t *testing.T, err error, kind broadcast.ErrorKind, reason, token string) *broadcast.SendError {
	t.Helper()
	var se *broadcast.SendError
	if !errors.As(err, &se) {
		t.Fatalf("Send = %v, want a *broadcast.SendError", err)
	}
	if se.Kind != kind || se.Reason != reason {
		t.Errorf("Send = %v: kind %s reason %q, want %s %q", err, se.Kind, se.Reason, kind, reason)
	}
	apitest.NoToken(t, "error", err.Error(), token)
	return se
}

func scripted(chatID int64, r telegramtest.Reply) func(*telegramtest.Server) chat.Chat {
	return func(srv *telegramtest.Server) chat.Chat {
		srv.Script(chatID, r)
		return chatOfID(chatID, 0)
	}
}

func state(chatID int64, st telegramtest.ChatState) func(*telegramtest.Server) chat.Chat {
	return func(srv *telegramtest.Server) chat.Chat {
		srv.SetState(chatID, st)
		return chatOfID(chatID, 0)
	}
}

func chatOfID(id int64, thread int64) chat.Chat {
	kind := "private"
	switch {
	case id <= -1000000000000:
		kind = "supergroup"
	case id < 0:
		kind = "group"
	}
	return chat.Chat{Channel: chat.Telegram, Address: strconv.FormatInt(id, 10), Kind: chat.Kind(kind), ThreadID: thread}
}

func TestSendOK(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	thread := srv.AddTopic(supergroupID, "Thông báo")
	c, _ := newClient(t, srv, nil)
	if c.Channel() != "telegram" {
		t.Errorf("Channel() = %q", c.Channel())
	}
	if err := c.Send(apitest.Context(t), chatOfID(supergroupID, int64(thread)), "<b>Hà Nam &amp; Ninh Bình &lt;2025&gt;</b>"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(supergroupID)
	if len(msgs) != 1 || msgs[0].ThreadID != thread || msgs[0].Text != "Hà Nam & Ninh Bình <2025>" || msgs[0].ParseMode != "HTML" {
		t.Errorf("the topic received %+v", msgs)
	}
}

// TestSendHeld: a held send ends as a transient timeout at the call's own deadline
// and as transient canceled when its caller gives up (see adaptertest.SendHeld).
func TestSendHeld(t *testing.T) {
	t.Parallel()
	adaptertest.SendHeld(t, func(t *testing.T, gate *apitest.Gate, callTimeout time.Duration) adaptertest.HeldSend {
		srv := telegramtest.NewServer(t)
		srv.Script(privateID, telegramtest.Hold(gate))
		c, _ := newClient(t, srv, nil)
		if callTimeout != 0 {
			c.callTimeout = callTimeout
		}
		send := func(ctx context.Context) error { return c.Send(ctx, chatOfID(privateID, 0), "xin chào") }
		return adaptertest.HeldSend{Send: send, Token: srv.Token()}
	})
}

// TestTokenRedacted forces transport errors, whose library text is the request URL,
// and checks that neither errors nor log lines show the token.
func TestTokenRedacted(t *testing.T) {
	t.Parallel()
	const token = "987654321:AAH-very_secret-token-value_123456"
	endpoint := closedPortEndpoint(t)
	c, logs := newClientAt(t, endpoint, token, nil)
	ctx := apitest.Context(t)

	err := c.Send(ctx, chatOfID(privateID, 0), "xin chào")
	checkSendError(t, err, broadcast.Transient, "network", token)
	if !strings.Contains(err.Error(), "<token>") {
		t.Errorf("error %q: want the URL with <token> in place of the token", err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		t.Errorf("the *url.Error (with the token in its URL) is still reachable: %v", ue.URL)
	}

	for name, call := range map[string]func() error{
		"GetMe":      func() error { _, err := c.GetMe(ctx); return err },
		"SetWebhook": func() error { return c.SetWebhook(ctx, "https://loa.example.vn/hook", "") },
		"SetCommands": func() error {
			return c.SetCommands(ctx, nil)
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error from a closed port", name)
		} else {
			apitest.NoToken(t, name+" error", err.Error(), token)
		}
	}

	// Poll logs its failures: stop it at its first backoff.
	pctx, cancel := context.WithCancel(ctx)
	s := &testclock.Sleeps{After: func(int) { cancel() }}
	c.sleep = s.Sleep
	if err := c.Poll(pctx, inboxtest.NewDirect(c, inboxtest.HandlerFunc(nil))); err != nil {
		t.Errorf("Poll = %v, want nil when its context ends", err)
	}
	if !strings.Contains(logs.String(), "delete webhook") {
		t.Errorf("Poll logged no failure:\n%s", logs)
	}
	apitest.NoToken(t, "log", logs.String(), token)

	// Timeouts carry the URL too.
	srv := telegramtest.NewServer(t, telegramtest.WithToken(token))
	gate := telegramtest.NewGate()
	t.Cleanup(gate.Release)
	srv.ScriptMethod("getMe", telegramtest.Hold(gate))
	c2, _ := newClient(t, srv, nil)
	c2.callTimeout = 20 * time.Millisecond
	_, err = c2.GetMe(ctx)
	if err == nil {
		t.Fatal("GetMe: no error after its deadline")
	}
	apitest.NoToken(t, "timeout error", err.Error(), token)
	if se := sendError(err); se.Reason != "timeout" {
		t.Errorf("a held call gave %q, want timeout", se.Reason)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	const token = "123:ABCDEFGHIJ_secret"
	err := botapi.Redact(&url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + token + "/getMe", Err: context.DeadlineExceeded}, token)
	if strings.Contains(err.Error(), "ABCDEFGHIJ") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("redact = %v (is deadline: %v)", err, errors.Is(err, context.DeadlineExceeded))
	}
	if plain := errors.New("no secret here"); botapi.Redact(plain, token) != plain {
		t.Error("an error without the token should pass through")
	}
}

func TestGetMeAndCommands(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	c, _ := newClient(t, srv, nil)
	ctx := apitest.Context(t)
	name, err := c.GetMe(ctx)
	if err != nil || name != "loa_test_bot" {
		t.Fatalf("GetMe = %q, %v", name, err)
	}
	cmds := []bot.Command{
		{Name: "/start", Description: "Đăng ký nhận tin"},
		{Name: "topics", Description: "Chọn chủ đề & lịch <kỷ niệm>"},
	}
	if err := c.SetCommands(ctx, cmds); err != nil {
		t.Fatal(err)
	}
	got := srv.Commands()
	if len(got) != 2 || got[0].Command != "start" || got[1].Description != "Chọn chủ đề & lịch <kỷ niệm>" {
		t.Errorf("commands set: %+v", got)
	}
	// Wrong token: an error, classified as unauthorized.
	bad, _ := newClientAt(t, srv.Endpoint(), "1:wrong-token-value", nil)
	_, err = bad.GetMe(ctx)
	if se := sendError(err); se.Kind != broadcast.Unauthorized {
		t.Errorf("GetMe with a wrong token: %v (%s)", err, se.Kind)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{}); err == nil {
		t.Error("New without a token: no error")
	}
	if _, err := New(Options{Token: "1:x", APIEndpoint: "http://x/%s"}); err == nil {
		t.Error("New with one placeholder in the endpoint: no error")
	}
	c, err := New(Options{Token: "1:x"})
	if err != nil || c.endpoint != DefaultAPIEndpoint || c.hc == nil || c.hc.Timeout == 0 {
		t.Errorf("New defaults: %+v, %v", c, err)
	}
}
