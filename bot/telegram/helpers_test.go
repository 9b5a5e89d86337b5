package telegram

import (
	"log/slog"
	"testing"

	"loa/bot/botapi"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/logtest"
	"loa/internal/telegramtest"
)

// newTestClock is a clock that only moves when a test (or the client's sleep) moves it.
func newTestClock() *apitest.Clock { return adaptertest.NewClock() }

// newClient returns a client of srv whose clock is clk (nil: a new one) and whose
// log goes to the returned buffer.
func newClient(t *testing.T, srv *telegramtest.Server, clk *apitest.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	return newClientAt(t, srv.Endpoint(), srv.Token(), clk)
}

func newClientAt(t *testing.T, endpoint, token string, clk *apitest.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	logs := &logtest.Buffer{}
	c, err := New(Options{
		Token:       token,
		APIEndpoint: endpoint,
		Options:     botapi.Options{Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if clk == nil {
		clk = newTestClock()
	}
	c.pace = newPacer(clk.Now)
	c.sleep = clk.Sleep
	c.now = clk.Now
	return c, logs
}

// closedPortEndpoint is an API endpoint where nothing listens.
func closedPortEndpoint(t *testing.T) string { return "http://" + apitest.ClosedAddr(t) + "/bot%s/%s" }
