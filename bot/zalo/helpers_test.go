package zalo

import (
	"testing"

	"loa/bot/botapi"
	"loa/chat"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/logtest"
	"loa/internal/testclock"
	"loa/internal/zalotest"
)

// newClient returns a client of srv whose clock is clk (nil: a new one) and whose log
// goes to the returned buffer.
func newClient(t *testing.T, srv *zalotest.Server, clk *testclock.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	return newClientAt(t, srv.URL(), srv.Token(), clk)
}

func newClientAt(t *testing.T, base, token string, clk *testclock.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	c, clk, logs := adaptertest.NewClient(t, clk, func(o botapi.Options) (*Client, error) {
		return New(Options{Token: token, APIBase: base, Options: o})
	})
	c.pace = newPacer(clk.Now, nil)
	c.sleep, c.now = clk.Sleep, clk.Now
	return c, logs
}

// newHoaClient is a client of a server with opts to which Hoa wrote, so the bot can
// reach her chat.
func newHoaClient(t *testing.T, opts ...zalotest.Option) (*zalotest.Server, *Client, *logtest.Buffer) {
	t.Helper()
	srv := zalotest.NewServer(t, opts...)
	srv.AddChat(zalotest.Chat{ID: hoaID})
	c, logs := newClient(t, srv, nil)
	return srv, c, logs
}

// newPoller is a client of srv polling it, its waits recorded, its pushed texts from
// Hoa in her private chat.
func newPoller(t *testing.T, srv *zalotest.Server) adaptertest.Poller {
	t.Helper()
	c, logs := newClient(t, srv, nil)
	s := &testclock.Sleeps{}
	c.sleep = s.Sleep
	return adaptertest.Poller{Poll: c.Poll, Adapter: c, Sleeps: s, Logs: logs, Calls: srv.Calls, Token: srv.Token(),
		Push: func(text string) { srv.PushUpdate(srv.TextMessage(hoaID, hoaID, "Hoa", text)) }}
}

// closedPortBase is an API base where nothing listens.
func closedPortBase(t *testing.T) string { return "http://" + apitest.ClosedAddr(t) }

// Chats the tests talk in: in a private chat the chat id is the user's.
const (
	hoaID   = "e4ea2cd5189df1c3a88c"
	groupID = "7d1f0c9ab2e34c55a0b1"
)

// hoaChat is Hoa's private chat with the bot.
var hoaChat = chat.Chat{Channel: chat.Zalo, Address: hoaID, Kind: "private"}
