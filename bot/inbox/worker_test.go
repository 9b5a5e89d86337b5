package inbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/bot/inbox"
	"loa/chat"
	"loa/internal/await"
	"loa/internal/dbtest"
	"loa/internal/logtest"
	"loa/store"
)

// fakeAdapter stands in for a messenger adapter: a payload is {"chat":…,"text":…},
// and carrying out records the replies.
type fakeAdapter struct {
	mu      sync.Mutex
	replies []string // "chat:text"
	changed chan struct{}
	// carry, when set, runs before a reply is recorded (to block or panic).
	carry func(ctx context.Context, u bot.Update)
}

func newAdapter() *fakeAdapter { return &fakeAdapter{changed: make(chan struct{}, 1000)} }

func (a *fakeAdapter) Parse(payload []byte) (bot.Update, error) {
	var p struct{ Chat, Text string }
	if err := json.Unmarshal(payload, &p); err != nil {
		return bot.Update{}, err
	}
	return bot.Update{Chat: chat.Chat{Channel: chat.Telegram, Address: p.Chat, Kind: "private"}, Text: p.Text}, nil
}

func (a *fakeAdapter) CarryOut(ctx context.Context, u bot.Update, resp bot.Response) {
	if a.carry != nil {
		a.carry(ctx, u)
	}
	if ctx.Err() != nil {
		return
	}
	a.mu.Lock()
	for _, r := range resp.Replies {
		a.replies = append(a.replies, u.Chat.Address+":"+r.Text)
	}
	a.mu.Unlock()
	a.changed <- struct{}{}
}

func (a *fakeAdapter) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.replies)
}

// waitFor waits on the adapter's change notifications for cond.
func (a *fakeAdapter) waitFor(t *testing.T, what string, cond func([]string) bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !cond(a.all()) {
		select {
		case <-a.changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; replies %q", what, a.all())
		}
	}
}

// handler answers "echo <text>" and counts what it handled.
type handler struct {
	mu      sync.Mutex
	handled []string
	// before, when set, runs first (to block or panic).
	before func(ctx context.Context, u bot.Update)
}

func (h *handler) Handle(ctx context.Context, u bot.Update) bot.Response {
	if h.before != nil {
		h.before(ctx, u)
	}
	if ctx.Err() != nil {
		return bot.Response{Replies: []bot.Reply{{Text: "busy"}}} // nothing committed
	}
	h.mu.Lock()
	h.handled = append(h.handled, u.Chat.Address+":"+u.Text)
	h.mu.Unlock()
	return bot.Response{Replies: []bot.Reply{{Text: "echo " + u.Text}}}
}

func (h *handler) count(s string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, x := range h.handled {
		if x == s {
			n++
		}
	}
	return n
}

func in(id, chat, text string) botapi.Inbound {
	return botapi.Inbound{ID: id, Chat: chat, Payload: fmt.Appendf(nil, `{"chat":%q,"text":%q}`, chat, text)}
}

// run starts w until the test ends or the returned function is called, which waits
// for Run to return.
func run(t *testing.T, w *inbox.Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func worker(st *store.Store, a inbox.Adapter, h inbox.Handler, log *logtest.Buffer) *inbox.Worker {
	w := &inbox.Worker{Store: st, Channel: "telegram", Adapter: a, Handler: h, Lease: 2 * time.Second,
		Idle: 20 * time.Millisecond, PanicBackoff: 10 * time.Millisecond}
	if log != nil {
		w.Log = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return w
}

// waitStatus waits for the update to reach want (it is finished just after its answer
// is carried out) and returns its reason.
func waitStatus(t *testing.T, st *store.Store, id string, want store.InboxStatus) string {
	t.Helper()
	var reason string
	await.Until(t, fmt.Sprintf("update %s to be %s", id, want), func() bool {
		var s store.InboxStatus
		s, reason = status(t, st, id)
		return s == want
	})
	return reason
}

func status(t *testing.T, st *store.Store, id string) (store.InboxStatus, string) {
	t.Helper()
	s, reason, err := st.InboundStatus(context.Background(), "telegram", id)
	if err != nil {
		t.Fatal(err)
	}
	return s, reason
}

// One chat stuck in its handling (a slow answer, a paced flood) does not hold up
// another chat; each chat's updates are handled in order.
func TestChatsConcurrentEachInOrder(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	a := newAdapter()
	release := make(chan struct{})
	h := &handler{before: func(ctx context.Context, u bot.Update) {
		if u.Chat.Address == "slow" && u.Text == "1" {
			<-release
		}
	}}
	w := worker(st, a, h, nil)
	run(t, w)
	ctx := context.Background()
	if err := w.Add(ctx, []botapi.Inbound{in("1", "slow", "1"), in("2", "slow", "2"), in("3", "slow", "3"), in("4", "fast", "a"), in("5", "fast", "b")}); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, "the fast chat's answers while the slow chat is stuck", func(r []string) bool { return len(r) == 2 })
	if got := fmt.Sprint(a.all()); got != "[fast:echo a fast:echo b]" {
		t.Fatalf("replies %s, want the fast chat's, in order", got)
	}
	close(release)
	a.waitFor(t, "the slow chat's answers", func(r []string) bool { return len(r) == 5 })
	var slow []string
	for _, r := range a.all() {
		if strings.HasPrefix(r, "slow:") {
			slow = append(slow, r)
		}
	}
	if got := fmt.Sprint(slow); got != "[slow:echo 1 slow:echo 2 slow:echo 3]" {
		t.Fatalf("slow chat's replies %s, want them in order", got)
	}
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		waitStatus(t, st, id, store.InboxDone)
	}
}

// An update delivered again (a webhook retried, a poll taken over before the offset
// was confirmed) is handled once, whether the first copy is done or still pending.
func TestRedeliveredUpdateHandledOnce(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	a := newAdapter()
	h := &handler{}
	logs := &logtest.Buffer{}
	w := worker(st, a, h, logs)
	ctx := context.Background()
	other := worker(st, a, h, logs) // another replica on the same database
	if err := w.Add(ctx, []botapi.Inbound{in("7", "c", "/start")}); err != nil {
		t.Fatal(err)
	}
	if err := other.Add(ctx, []botapi.Inbound{in("7", "c", "/start")}); err != nil { // still pending
		t.Fatal(err)
	}
	run(t, w)
	run(t, other)
	a.waitFor(t, "the answer", func(r []string) bool { return len(r) == 1 })
	waitStatus(t, st, "7", store.InboxDone)
	if err := other.Add(ctx, []botapi.Inbound{in("7", "c", "/start"), in("8", "c", "/help")}); err != nil { // done
		t.Fatal(err)
	}
	a.waitFor(t, "the next update's answer", func(r []string) bool { return len(r) == 2 })
	if n := h.count("c:/start"); n != 1 {
		t.Fatalf("handled %d times, want once", n)
	}
	if !strings.Contains(logs.String(), "delivered again") {
		t.Errorf("the redelivery was not logged:\n%s", logs)
	}
}

// The process stops while an update is being handled, before its change committed: the
// next worker handles it again. Stopped after the change committed but while the answer
// was going out: the next worker answers again, without handling it again.
func TestInterruptedUpdateHandledAgain(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ctx := context.Background()
	a := newAdapter()
	entered := make(chan string, 2)
	h := &handler{before: func(ctx context.Context, u bot.Update) {
		if u.Text == "stuck" {
			entered <- u.Text
			<-ctx.Done() // the change never commits
		}
	}}
	first := worker(st, a, h, nil)
	stop := run(t, first)
	if err := first.Add(ctx, []botapi.Inbound{in("1", "c", "stuck")}); err != nil {
		t.Fatal(err)
	}
	<-entered
	stop()
	if s, _ := status(t, st, "1"); s != store.InboxPending {
		t.Fatalf("interrupted update is %s, want pending", s)
	}
	h.before = nil
	stopNext := run(t, worker(st, a, h, nil))
	a.waitFor(t, "the answer from the next worker", func(r []string) bool { return len(r) == 1 })
	if n := h.count("c:stuck"); n != 1 {
		t.Fatalf("handled to completion %d times, want 1", n)
	}
	waitStatus(t, st, "1", store.InboxDone)
	stopNext()

	// Handled, then stopped while answering.
	a2 := newAdapter()
	a2.carry = func(ctx context.Context, u bot.Update) {
		entered <- u.Text
		<-ctx.Done()
	}
	h2 := &handler{}
	second := worker(st, a2, h2, nil)
	stop = run(t, second)
	if err := second.Add(ctx, []botapi.Inbound{in("2", "d", "answer")}); err != nil {
		t.Fatal(err)
	}
	<-entered
	stop()
	a2.carry = nil
	run(t, worker(st, a2, h2, nil))
	a2.waitFor(t, "the answer carried out again", func(r []string) bool { return len(r) == 1 })
	if n := h2.count("d:answer"); n != 1 {
		t.Fatalf("handled %d times, want once: its change had committed (replies %q, handled %q)", n, a2.all(), h2.handled)
	}
	waitStatus(t, st, "2", store.InboxDone)
}

// A replica dies holding a claim: when the lease lapses (by the database's clock)
// another worker takes the update.
func TestLapsedClaimTakenOver(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ctx := context.Background()
	a := newAdapter()
	h := &handler{}
	w := worker(st, a, h, nil)
	if err := w.Add(ctx, []botapi.Inbound{in("1", "c", "hi")}); err != nil {
		t.Fatal(err)
	}
	// The dead replica's claim, never renewed nor finished.
	if us, err := st.ClaimInbound(ctx, "telegram", 1, 300*time.Millisecond); err != nil || len(us) != 1 {
		t.Fatalf("claim: %v, %v", us, err)
	}
	run(t, w)
	a.waitFor(t, "the update taken over", func(r []string) bool { return len(r) == 1 })
}

// A handler that panics is recovered and logged with its stack; the update is tried
// again after a backoff and fails, with the panic as its reason, after MaxPanics; the
// chat's next update is then handled, and the worker lives on.
func TestPanickingUpdateFailsAfterRetries(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ctx := context.Background()
	a := newAdapter()
	var panics atomic.Int32
	h := &handler{before: func(_ context.Context, u bot.Update) {
		if u.Text == "boom" {
			panics.Add(1)
			panic("nil map write")
		}
	}}
	logs := &logtest.Buffer{}
	w := worker(st, a, h, logs)
	run(t, w)
	if err := w.Add(ctx, []botapi.Inbound{in("1", "c", "boom"), in("2", "c", "after")}); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, "the next update, after the failing one", func(r []string) bool { return len(r) == 1 })
	if n := panics.Load(); n != inbox.DefaultMaxPanics {
		t.Errorf("handled %d times, want %d", n, inbox.DefaultMaxPanics)
	}
	if reason := waitStatus(t, st, "1", store.InboxFailed); reason != "panic: nil map write" {
		t.Errorf("update failed with %q, want the panic", reason)
	}
	if got := a.all(); len(got) != 1 || got[0] != "c:echo after" {
		t.Errorf("replies %q", got)
	}
	if l := logs.String(); !strings.Contains(l, "update handler panicked") || !strings.Contains(l, "worker.go") {
		t.Errorf("the panic was not logged with its stack:\n%s", l)
	}
}

// heartbeats returns a channel that w's heartbeats arrive on; beats beyond its buffer,
// while the test is not reading, are dropped rather than stall the worker.
func heartbeats(w *inbox.Worker) <-chan struct{} {
	beats := make(chan struct{}, 100)
	w.Heartbeat = func() {
		select {
		case beats <- struct{}{}:
		default:
		}
	}
	return beats
}

// awaitBeats waits for n heartbeats, failing with failure if they take over 10 s.
func awaitBeats(t *testing.T, beats <-chan struct{}, n int, failure string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for range n {
		select {
		case <-beats:
		case <-timeout:
			t.Fatal(failure)
		}
	}
}

// Heartbeat is called while the worker waits for work.
func TestHeartbeatWhileIdle(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	w := worker(st, newAdapter(), &handler{}, nil)
	beats := heartbeats(w)
	run(t, w)
	awaitBeats(t, beats, 3, "no heartbeat while idle")
}

// With the database gone, the worker keeps beating, backs off its claims and logs the
// failures once, not at every turn of its loop.
func TestDatabaseOutageBacksOffAndKeepsBeating(t *testing.T) {
	t.Parallel()
	st := dbtest.StoreAt(t, dbtest.URL(t))
	st.Close() // every call now fails
	logs := &logtest.Buffer{}
	w := worker(st, newAdapter(), &handler{}, logs)
	beats := heartbeats(w)
	run(t, w)
	// About 1.2 s of 20 ms waits: claims at 0 and 1 s only, not 60 of them.
	awaitBeats(t, beats, 60, "no heartbeat during the outage")
	if n := strings.Count(logs.String(), "claim inbound updates"); n != 1 {
		t.Errorf("logged %d claim failures, want 1:\n%s", n, logs)
	}
}
