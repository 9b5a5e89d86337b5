package telegram

import (
	"cmp"
	"testing"

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
	opts, logs := adaptertest.Options()
	c, err := New(Options{Token: token, APIEndpoint: endpoint, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	clk = cmp.Or(clk, newTestClock())
	c.pace = newPacer(clk.Now)
	c.sleep, c.now = clk.Sleep, clk.Now
	return c, logs
}

// closedPortEndpoint is an API endpoint where nothing listens.
func closedPortEndpoint(t *testing.T) string { return "http://" + apitest.ClosedAddr(t) + "/bot%s/%s" }
