package telegram

import (
	"testing"

	"loa/bot/botapi"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/logtest"
	"loa/internal/telegramtest"
	"loa/internal/testclock"
)

// newClient returns a client of srv whose clock is clk (nil: a new one) and whose
// log goes to the returned buffer.
func newClient(t *testing.T, srv *telegramtest.Server, clk *testclock.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	return newClientAt(t, srv.Endpoint(), srv.Token(), clk)
}

func newClientAt(t *testing.T, endpoint, token string, clk *testclock.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	c, clk, logs := adaptertest.NewClient(t, clk, func(o botapi.Options) (*Client, error) {
		return New(Options{Token: token, APIEndpoint: endpoint, Options: o})
	})
	c.pace = newPacer(clk.Now)
	c.sleep, c.now = clk.Sleep, clk.Now
	return c, logs
}

// closedPortEndpoint is an API endpoint where nothing listens.
func closedPortEndpoint(t *testing.T) string { return "http://" + apitest.ClosedAddr(t) + "/bot%s/%s" }
