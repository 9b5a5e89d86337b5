package adaptertest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/bot/inbox"
	"loa/internal/apitest"
	"loa/internal/inboxtest"
	"loa/internal/testclock"
)

// StartPoll runs poll (a client's Poll) in the background, storing into in, until
// stop is called or the test ends; stop ends it, waits for it to return and returns
// its error (nil when Poll ended because its context did, as it must).
func StartPoll(t *testing.T, poll func(context.Context, botapi.Inbox) error, in botapi.Inbox) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(apitest.Context(t))
	done := make(chan error, 1)
	go func() { done <- poll(ctx, in) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// PollInto runs poll (a client's Poll) into in until in has stored something after
// push queued it and confirmed (nil: nothing) has returned, then stops it, which must
// end Poll without an error.
func PollInto(t *testing.T, poll func(context.Context, botapi.Inbox) error, in *inboxtest.Storing, push func(),
	confirmed func(context.Context) error) {
	t.Helper()
	ctx := apitest.Context(t)
	stop := StartPoll(t, poll, in)
	push()
	select {
	case <-in.Added():
	case <-ctx.Done():
		t.Fatal("the update was never stored")
	}
	if confirmed != nil {
		if err := confirmed(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("Poll = %v, want nil after its context ended", err)
	}
}

// Next returns the next update the recorder handles, failing the test with what it
// was waiting for when none comes before ctx ends.
func Next(ctx context.Context, t *testing.T, h *inboxtest.Recorder, waitingFor string) bot.Update {
	t.Helper()
	select {
	case u := <-h.Got:
		return u
	case <-ctx.Done():
		t.Fatalf("no update %s", waitingFor)
		return bot.Update{}
	}
}

// Poller is an adapter's client polling its fake server, as the shared poll tests
// drive it.
type Poller struct {
	// Poll is the client's Poll; Adapter the client, which parses what Poll stores.
	Poll    func(context.Context, botapi.Inbox) error
	Adapter inbox.Adapter
	// Sleeps records the client's waits (it is the client's sleep); Logs is its log.
	Sleeps *testclock.Sleeps
	Logs   fmt.Stringer
	// Push queues on the server a text message from a user in a private chat.
	Push func(text string)
	// Calls is the server's count of calls of a method; Token is its token.
	Calls func(method string) int
	Token string
}

// PollPast runs p.Poll until it has handled a text message pushed now, past whatever
// getUpdates was scripted to answer first (waitingFor names it, for the failure),
// stops it, which must end Poll without an error, and returns every update handled.
func PollPast(t *testing.T, p Poller, text, waitingFor string) []bot.Update {
	t.Helper()
	h := inboxtest.NewRecorder(nil)
	stop := StartPoll(t, p.Poll, inboxtest.NewDirect(p.Adapter, h))
	p.Push(text)
	if u := Next(apitest.Context(t), t, h, waitingFor); u.Text != text {
		t.Errorf("handled %+v, want %q", u, text)
	}
	if err := stop(); err != nil {
		t.Errorf("Poll = %v, want nil after its context ended", err)
	}
	return h.Updates()
}

// PollBacksOff: past the failures scripted for getUpdates, one of them a webhook
// conflict, Poll handles the next update, having waited want between the failures
// (the backoff, a retry_after standing in for a shorter one), deleted the webhook
// again after the conflict (deleteWebhook called twice, counting the one at the
// start) and logged no token.
func PollBacksOff(t *testing.T, p Poller, want []time.Duration) {
	t.Helper()
	PollPast(t, p, "xin chào", "after the failures")
	if got := p.Sleeps.Waits(); len(got) < len(want) || !reflect.DeepEqual(got[:len(want)], want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if n := p.Calls("deleteWebhook"); n != 2 {
		t.Errorf("deleteWebhook called %d times, want 2 (start, after the conflict)", n)
	}
	apitest.NoToken(t, "log", p.Logs.String(), p.Token)
}
