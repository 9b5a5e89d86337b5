package zalo

import (
	"context"
	"loa/internal/apitest"
	"loa/internal/logtest"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/bot"
	"loa/internal/zalotest"
)

// newTestClock is a clock that only moves when a test (or the client's sleep) moves it.
func newTestClock() *apitest.Clock {
	return apitest.NewClock(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
}

// sleeps records the waits a client asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient returns a client of srv whose clock is clk (nil: a new one) and whose log
// goes to the returned buffer.
func newClient(t *testing.T, srv *zalotest.Server, clk *apitest.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	return newClientAt(t, srv.URL(), srv.Token(), clk)
}

func newClientAt(t *testing.T, base, token string, clk *apitest.Clock) (*Client, *logtest.Buffer) {
	t.Helper()
	logs := &logtest.Buffer{}
	c, err := New(Options{
		Token:   token,
		APIBase: base,
		Log:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if clk == nil {
		clk = newTestClock()
	}
	c.pace = newPacer(clk.Now, nil)
	c.sleep = clk.Sleep
	c.now = clk.Now
	return c, logs
}

// closedPortBase is an API base where nothing listens.
func closedPortBase(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertNoToken fails when s shows the token or its secret part.
func assertNoToken(t *testing.T, what, s, token string) {
	t.Helper()
	_, secret, _ := strings.Cut(token, ":")
	if strings.Contains(s, token) || strings.Contains(s, secret) {
		t.Errorf("%s shows the token: %s", what, s)
	}
}

// recorder is a Handler that records the updates it gets and answers with answer.
type recorder struct {
	answer  func(bot.Update) bot.Response
	mu      sync.Mutex
	updates []bot.Update
	got     chan bot.Update
}

func newRecorder(answer func(bot.Update) bot.Response) *recorder {
	return &recorder{answer: answer, got: make(chan bot.Update, 100)}
}

func (r *recorder) Handle(_ context.Context, u bot.Update) bot.Response {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	r.mu.Unlock()
	r.got <- u
	if r.answer == nil {
		return bot.Response{}
	}
	return r.answer(u)
}

func (r *recorder) all() []bot.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Update(nil), r.updates...)
}

// Chats the tests talk in: in a private chat the chat id is the user's.
const (
	hoaID   = "e4ea2cd5189df1c3a88c"
	groupID = "7d1f0c9ab2e34c55a0b1"
)

// Handler answers one update; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, u bot.Update) bot.Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, u bot.Update) bot.Response

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, u bot.Update) bot.Response { return f(ctx, u) }
