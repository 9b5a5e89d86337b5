package zalo

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"loa/bot/botapi"
	"loa/broadcast"
	"loa/chat"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/testclock"
	"loa/internal/zalotest"
)

// TestSendErrors runs every failure through the fake and checks what the engine is
// told, in both wire forms: errors with HTTP 200 and ok:false (as the live platform
// answers, the fake's default) and with the code as HTTP status. Both must classify
// the same.
func TestSendErrors(t *testing.T) {
	t.Parallel()
	scripted := func(r zalotest.Reply) func(*zalotest.Server) {
		return func(s *zalotest.Server) { s.Script(hoaID, r) }
	}
	tests := []struct {
		name       string
		opts       []zalotest.Option
		setup      func(*zalotest.Server)
		kind       broadcast.ErrorKind
		reason     string
		retryAfter time.Duration
	}{
		{name: "429 quota exceeded", setup: scripted(zalotest.QuotaExceeded()),
			kind: broadcast.RateLimited, reason: "too_many_requests", retryAfter: 0},
		{name: "429 with retry_after", setup: scripted(zalotest.Reply{Code: 429, Description: "Too Many Requests", RetryAfter: 12}),
			kind: broadcast.RateLimited, reason: "too_many_requests", retryAfter: 12 * time.Second},
		{name: "429 retry after in the text", setup: scripted(zalotest.Fail(429, "Too Many Requests: retry after 7")),
			kind: broadcast.RateLimited, reason: "too_many_requests", retryAfter: 7 * time.Second},
		{name: "429 errorCode spelling", opts: []zalotest.Option{zalotest.CamelErrorCode()}, setup: scripted(zalotest.QuotaExceeded()),
			kind: broadcast.RateLimited, reason: "too_many_requests", retryAfter: 0},
		{name: "429 with HTTP 200", setup: scripted(zalotest.QuotaExceeded().WithStatus200()),
			kind: broadcast.RateLimited, reason: "too_many_requests", retryAfter: 0},
		{name: "429 code as a string", setup: scripted(zalotest.Reply{Code: 429, ContentType: "application/json",
			Body: `{"ok":false,"error_code":"429","description":"quota exceeded"}`}),
			kind: broadcast.RateLimited, reason: "too_many_requests", retryAfter: 0},
		{name: "401 scripted", setup: scripted(zalotest.TokenInvalid()), kind: broadcast.Unauthorized, reason: "unauthorized"},
		{name: "401 token revoked", setup: func(s *zalotest.Server) { s.RevokeToken() }, kind: broadcast.Unauthorized, reason: "unauthorized"},
		{name: "401 errorCode with HTTP 200", opts: []zalotest.Option{zalotest.CamelErrorCode(), zalotest.ErrorStatus200()},
			setup: func(s *zalotest.Server) { s.RevokeToken() }, kind: broadcast.Unauthorized, reason: "unauthorized"},
		{name: "404 chat unknown", setup: func(s *zalotest.Server) { s.ForgetChat(hoaID) }, kind: broadcast.ChatGone, reason: "chat_not_found"},
		{name: "404 chat unknown, errorCode with HTTP 200", opts: []zalotest.Option{zalotest.CamelErrorCode(), zalotest.ErrorStatus200()},
			setup: func(s *zalotest.Server) { s.ForgetChat(hoaID) }, kind: broadcast.ChatGone, reason: "chat_not_found"},
		{name: "400 chat not found", setup: scripted(zalotest.BadRequest("chat not found")), kind: broadcast.ChatGone, reason: "chat_not_found"},
		{name: "400 user not following", setup: scripted(zalotest.BadRequest("user has not followed the bot")),
			kind: broadcast.ChatGone, reason: "not_following"},
		{name: "blocked, lasting", setup: func(s *zalotest.Server) {
			r := zalotest.Fail(http.StatusBadRequest, "Bad Request: the user blocked the bot")
			s.SetChatFailure(hoaID, &r)
		}, kind: broadcast.ChatGone, reason: "blocked"},
		{name: "400 other", setup: scripted(zalotest.BadRequest("text is too long")), kind: broadcast.Rejected, reason: "bad_request"},
		{name: "400 with HTTP 200", setup: scripted(zalotest.BadRequest("text is empty").WithStatus200()), kind: broadcast.Rejected, reason: "bad_request"},
		{name: "404 other", setup: scripted(zalotest.Fail(404, "Not Found")), kind: broadcast.Rejected, reason: "not_found"},
		{name: "403 internal error", setup: scripted(zalotest.InternalError()), kind: broadcast.Transient, reason: "internal_error"},
		{name: "403 errorCode spelling", opts: []zalotest.Option{zalotest.CamelErrorCode()}, setup: scripted(zalotest.InternalError()),
			kind: broadcast.Transient, reason: "internal_error"},
		{name: "408", setup: scripted(zalotest.RequestTimeout()), kind: broadcast.Transient, reason: "http_408"},
		{name: "500", setup: scripted(zalotest.ServerError(500)), kind: broadcast.Transient, reason: "http_500"},
		{name: "503 with HTTP 200", setup: scripted(zalotest.ServerError(503).WithStatus200()), kind: broadcast.Transient, reason: "http_503"},
		{name: "502 nginx page", setup: scripted(zalotest.BadGateway()), kind: broadcast.Transient, reason: "http_502"},
		{name: "404 HTML page", setup: scripted(zalotest.Reply{Code: 404, ContentType: "text/html", Body: "<html>404 Not Found</html>"}),
			kind: broadcast.Transient, reason: "http_404"},
		{name: "200 not JSON", setup: scripted(zalotest.Reply{ContentType: "text/html", Body: "<html>maintenance</html>"}),
			kind: broadcast.Transient, reason: "bad_response"},
		{name: "200 JSON but no envelope", setup: scripted(zalotest.Reply{ContentType: "application/json", Body: `{"status":"down"}`}),
			kind: broadcast.Transient, reason: "bad_response"},
		{name: "ok false without a code", setup: scripted(zalotest.Reply{ContentType: "application/json", Body: `{"ok":false,"description":"oops"}`}),
			kind: broadcast.Transient, reason: "api_error"},
		{name: "hangup", setup: scripted(zalotest.Hangup()), kind: broadcast.Transient, reason: "network"},
	}
	forms := []struct {
		name string
		opts []zalotest.Option
	}{
		{"status 200", nil},
		{"status equals code", []zalotest.Option{zalotest.StatusEqualsCode()}},
	}
	for _, tc := range tests {
		for _, form := range forms {
			t.Run(tc.name+"/"+form.name, func(t *testing.T) {
				t.Parallel()
				srv := zalotest.NewServer(t, append(append([]zalotest.Option(nil), form.opts...), tc.opts...)...)
				srv.AddChat(zalotest.Chat{ID: hoaID})
				tc.setup(srv)
				c, logs := newClient(t, srv, nil)
				err := c.Send(apitest.Context(t), hoaChat, "Tin mới")
				var se *broadcast.SendError
				if !errors.As(err, &se) {
					t.Fatalf("Send = %v, want a *broadcast.SendError", err)
				}
				if se.Kind != tc.kind || se.Reason != tc.reason {
					t.Errorf("Send = %s/%s (%v), want %s/%s", se.Kind, se.Reason, err, tc.kind, tc.reason)
				}
				// Only a plain 404 is one that, repeated, may mean the chat is gone.
				if want := tc.reason == "not_found"; se.GoneIfRepeated != want {
					t.Errorf("GoneIfRepeated %v, want %v", se.GoneIfRepeated, want)
				}
				if se.RetryAfter != tc.retryAfter {
					t.Errorf("RetryAfter %v, want %v", se.RetryAfter, tc.retryAfter)
				}
				apitest.NoToken(t, "error", err.Error(), srv.Token())
				apitest.NoToken(t, "log", logs.String(), srv.Token())
				if n := len(srv.Messages(hoaID)); n != 0 {
					t.Errorf("the fake recorded %d messages", n)
				}
			})
		}
	}
}

func TestSendOK(t *testing.T) {
	t.Parallel()
	srv, c, _ := newHoaClient(t)
	text := "Hà Nam & Ninh Bình <2025>\n\nhttps://tinhuy.example.vn/a?b=1&c=2"
	// ThreadID means nothing on Zalo and is ignored.
	if err := c.Send(apitest.Context(t), chat.Chat{Channel: chat.Zalo, Address: hoaID, Kind: "private", ThreadID: 7}, text); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(hoaID); len(m) != 1 || m[0].Text != text || m[0].Kind != zalotest.KindText {
		t.Errorf("received %+v", m)
	}
	if c.Channel() != "zalo" {
		t.Errorf("Channel() = %q", c.Channel())
	}
}

// TestSendHeld: a held send ends as a transient timeout at the call's own deadline
// and as transient canceled when its caller gives up (see adaptertest.SendHeld).
func TestSendHeld(t *testing.T) {
	t.Parallel()
	adaptertest.SendHeld(t, func(t *testing.T, gate *apitest.Gate, callTimeout time.Duration) adaptertest.HeldSend {
		srv := zalotest.NewServer(t)
		srv.AddChat(zalotest.Chat{ID: hoaID})
		srv.Script(hoaID, zalotest.Hold(gate))
		c, _ := newClient(t, srv, nil)
		if callTimeout != 0 {
			c.callTimeout = callTimeout
		}
		send := func(ctx context.Context) error { return c.Send(ctx, hoaChat, "x") }
		return adaptertest.HeldSend{Send: send, Token: srv.Token()}
	})
}

// TestTokenRedacted: transport errors carry the request URL, and so the token; none
// of it reaches an error's text or the log.
func TestTokenRedacted(t *testing.T) {
	t.Parallel()
	const token = "1459232241454765289:secret-access-token-XYZ_0123456789"
	c, logs := newClientAt(t, closedPortBase(t), token, nil)
	ctx := apitest.Context(t)
	err := c.Send(ctx, hoaChat, "x")
	var se *broadcast.SendError
	if !errors.As(err, &se) || se.Kind != broadcast.Transient || se.Reason != "network" {
		t.Fatalf("Send to a closed port = %v, want transient network", err)
	}
	apitest.NoToken(t, "Send error", err.Error(), token)
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		apitest.NoToken(t, "wrapped error", e.Error(), token)
	}
	if !strings.Contains(err.Error(), "<token>") {
		t.Errorf("error %q: want the URL kept with the token replaced", err)
	}
	_, err = c.GetMe(ctx)
	if err == nil {
		t.Fatal("GetMe on a closed port succeeded")
	}
	apitest.NoToken(t, "GetMe error", err.Error(), token)
	pctx, stop := context.WithCancel(ctx)
	s := &testclock.Sleeps{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		if len(s.Waits()) >= 2 {
			stop()
		}
		return s.Sleep(ctx, d)
	}
	if err := c.Poll(pctx, inboxtest.NewDirect(c, inboxtest.NewRecorder(nil))); err != nil {
		t.Errorf("Poll = %v, want nil when stopped", err)
	}
	if !strings.Contains(logs.String(), "delete webhook before polling") {
		t.Errorf("Poll's failures were not logged:\n%s", logs)
	}
	apitest.NoToken(t, "log", logs.String(), token)
}

func TestRedact(t *testing.T) {
	t.Parallel()
	const token = "123:abcdefghijkl"
	err := botapi.Redact(context.DeadlineExceeded, token)
	if err != context.DeadlineExceeded {
		t.Errorf("an error without the token changed: %v", err)
	}
	wrapped := botapi.Redact(errors.Join(errors.New("GET /bot"+token+"/x"), context.DeadlineExceeded), token)
	if strings.Contains(wrapped.Error(), "abcdefghijkl") || !errors.Is(wrapped, context.DeadlineExceeded) {
		t.Errorf("redact = %v", wrapped)
	}
	if got := botapi.Scrub("a abcdefghijkl b", token); got != "a <token> b" {
		t.Errorf("scrub = %q", got)
	}
}

func TestGetMe(t *testing.T) {
	t.Parallel()
	srv := zalotest.NewServer(t)
	c, _ := newClient(t, srv, nil)
	name, err := c.GetMe(apitest.Context(t))
	if err != nil || name != srv.Bot().AccountName {
		t.Errorf("GetMe = %q, %v; want %q", name, err, srv.Bot().AccountName)
	}
	srv.RevokeToken()
	if _, err := c.GetMe(apitest.Context(t)); !tokenRejected(err) {
		t.Errorf("GetMe with a revoked token = %v, want the 401", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{},
		{Token: "1:a/b"},
		{Token: "1:a b"},
		{Token: "1:abc", APIBase: "ftp://example.vn"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		} else if o.Token != "" {
			apitest.NoToken(t, "New error", err.Error(), o.Token)
		}
	}
	c, err := New(Options{Token: "1:abcdefgh", APIBase: "https://bot-api.example.vn/"})
	if err != nil || c.base != "https://bot-api.example.vn" {
		t.Errorf("New = %+v, %v", c, err)
	}
	c, err = New(Options{Token: "1:abcdefgh"})
	if err != nil || c.base != DefaultAPIBase {
		t.Errorf("New without a base = %+v, %v", c, err)
	}
}
