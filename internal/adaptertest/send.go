package adaptertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"loa/bot"
	"loa/broadcast"
	"loa/internal/apitest"
	"loa/internal/testclock"
)

// HeldSend is a send to a chat whose next send the adapter's fake server holds at
// the gate given to newHeld (a scripted Hold).
type HeldSend struct {
	// Send sends a text to the held chat.
	Send func(ctx context.Context) error
	// Token is the server's token, which no error may show.
	Token string
}

// SendHeld: a send the server holds ends as a transient timeout, an error that is
// context.DeadlineExceeded, once the call's own deadline passes (the client's call
// timeout, which newHeld sets to callTimeout when it is not 0), not the caller's;
// and as transient canceled, an error that is context.Canceled, when the caller's
// context ends. Neither error shows the token.
func SendHeld(t *testing.T, newHeld func(t *testing.T, gate *apitest.Gate, callTimeout time.Duration) HeldSend) {
	t.Helper()
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		gate := apitest.NewGate()
		t.Cleanup(gate.Release)
		h := newHeld(t, gate, 50*time.Millisecond)
		err := h.Send(apitest.Context(t))
		checkHeld(t, err, "timeout", context.DeadlineExceeded, h.Token)
	})
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		gate := apitest.NewGate()
		t.Cleanup(gate.Release)
		h := newHeld(t, gate, 0)
		ctx, cancel := context.WithCancel(apitest.Context(t))
		go func() {
			<-gate.Arrived()
			cancel()
		}()
		err := h.Send(ctx)
		checkHeld(t, err, "canceled", context.Canceled, h.Token)
	})
}

func checkHeld(t *testing.T, err error, reason string, cause error, token string) {
	t.Helper()
	var se *broadcast.SendError
	if !errors.As(err, &se) || se.Kind != broadcast.Transient || se.Reason != reason {
		t.Fatalf("Send = %v, want transient %s", err, reason)
	}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, %v) = false", err, cause)
	}
	apitest.NoToken(t, "error", err.Error(), token)
}

// Received is a message a fake server accepted, as the shared tests read it.
type Received struct {
	Text string
	At   time.Time
}

// Replier is an adapter's client replying in a private chat of its fake server, both
// on Clock.
type Replier struct {
	// CarryOut is the client's; Update is one from the chat.
	CarryOut func(context.Context, bot.Update, bot.Response)
	Update   bot.Update
	Clock    *testclock.Clock
	// Received is what the chat received, in order; Count429 is the server's count.
	Received func() []Received
	Count429 func() int
	// Throttle scripts n 429s for the chat's next sends, each of which asks for (or,
	// without a hint, gets the adapter's default) RetryAfter.
	Throttle   func(n int)
	RetryAfter time.Duration
}

// RepliesPaced: replies to one chat are a second apart on the injected clock, which
// the fake's per-chat limit checks; a 429 is waited out and retried once, and a reply
// refused twice in a row is given up, not retried forever.
func RepliesPaced(t *testing.T, r Replier) {
	t.Helper()
	ctx := apitest.Context(t)
	r.CarryOut(ctx, r.Update, bot.Response{Replies: []bot.Reply{{Text: "một"}, {Text: "hai"}, {Text: "ba"}}})
	msgs := r.Received()
	if len(msgs) != 3 {
		t.Fatalf("received %d messages, want 3", len(msgs))
	}
	for i := 1; i < len(msgs); i++ {
		if d := msgs[i].At.Sub(msgs[i-1].At); d < time.Second {
			t.Errorf("messages %d and %d %v apart", i, i+1, d)
		}
	}
	if n := r.Count429(); n != 0 {
		t.Errorf("%d answers were 429", n)
	}

	r.Throttle(1)
	before := r.Clock.Now()
	r.CarryOut(ctx, r.Update, bot.Response{Replies: []bot.Reply{{Text: "bốn"}}})
	msgs = r.Received()
	if len(msgs) != 4 || msgs[3].Text != "bốn" {
		t.Fatalf("the reply after a 429 was not retried: %+v", msgs)
	}
	if d := msgs[3].At.Sub(before); d < r.RetryAfter {
		t.Errorf("retried %v after the 429, want the wait it asked for (%v)", d, r.RetryAfter)
	}

	r.Throttle(2)
	r.CarryOut(ctx, r.Update, bot.Response{Replies: []bot.Reply{{Text: "năm"}}})
	if n := len(r.Received()); n != 4 {
		t.Errorf("received %d messages, want the reply dropped after a second 429", n)
	}
}
