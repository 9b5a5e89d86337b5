package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"loa/broadcast"
	"loa/chat"
	"loa/internal/await"
	"loa/store"
)

// notFoundSender answers "not found" (Rejected, GoneIfRepeated, as Zalo's 404) for the
// chats refuse says, and passes the others on.
type notFoundSender struct {
	broadcast.Sender
	refuse func(address string) bool
}

func (n notFoundSender) Send(ctx context.Context, chat chat.Chat, text string) error {
	if n.refuse(chat.Address) {
		return &broadcast.SendError{Kind: broadcast.Rejected, Reason: "not_found", GoneIfRepeated: true}
	}
	return n.Sender.Send(ctx, chat, text)
}

// notFoundRounds sends one broadcast per round to the engine's chats, the clock
// advanced by each round's offset, and returns the subscribers' statuses after each.
func notFoundRounds(t *testing.T, e *engine, refuse func(round int, address string) bool, offsets ...time.Duration) [][]store.Subscriber {
	t.Helper()
	var offset atomic.Int64
	var round atomic.Int32
	d := e.dispatcher(t, e.fake.Token(), func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	d.Sender = notFoundSender{Sender: d.Sender, refuse: func(a string) bool { return refuse(int(round.Load()), a) }}
	d.ChatSpacing, d.Idle = time.Millisecond, 20*time.Millisecond
	// The rounds the tests that expect a verdict use are at most 13 h 1 min apart: a send
	// that got through in the round before is the evidence that the channel works,
	// whatever the order of sends in a round. (At 13 h, a round sending the refused chat
	// before the reached one found its evidence 13 h 1 min old and did not count the
	// answer: CI failed TestChatNotFoundOverADayIsGone that way.)
	d.GoneEvidence = 14 * time.Hour
	runFor(t, d)
	var out [][]store.Subscriber
	for i, off := range offsets {
		offset.Store(int64(off))
		round.Store(int32(i))
		announce(t, e.store, "round:"+time.Duration(off).String())
		await.Until(t, "the round's deliveries finished", func() bool {
			bs, err := e.store.BroadcastStats(context.Background(), 1)
			return err == nil && len(bs) == 1 && bs[0].Pending == 0
		})
		subs, err := e.store.Subscribers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, subs)
	}
	return out
}

// TestChatNotFoundOverADayIsGone: a chat that answers "not found" on three sends in a
// row spread over a day, while the other chat is reached, is marked gone with the
// reason kept; before the day is over it stays.
func TestChatNotFoundOverADayIsGone(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 2, 25)
	// Round 0 reaches both (the channel works); from round 1 chat 10001 answers 404.
	rounds := notFoundRounds(t, e, func(round int, a string) bool { return round > 0 && a == "10001" },
		0, 12*time.Hour, 23*time.Hour, 36*time.Hour+time.Minute)
	status := func(r, i int) string { return string(rounds[r][i].Status) + "/" + rounds[r][i].StatusReason }
	for r := range 3 {
		// None, one, then two 404s (at 12 h and 23 h): not three, nor a day.
		if status(r, 1) != "active/" {
			t.Errorf("round %d: chat 10001 %s, want still active", r, status(r, 1))
		}
	}
	if got := status(3, 1); got != "gone/not_found_repeatedly" {
		t.Errorf("after three 404s over 24 h 1 min: chat 10001 %s, want gone/not_found_repeatedly", got)
	}
	if got := status(3, 0); got != "active/" {
		t.Errorf("chat 10000 %s, want active", got)
	}
	if n := e.fake.Accepted(); n != 4+1 {
		t.Errorf("accepted %d, want 5 (chat 10000 every round, 10001 in the first)", n)
	}
}

// TestNotFoundEverywhereMarksNoOneGone: when every chat answers "not found" (an outage,
// a wrong API base) for two days, no send gets through, no answer counts, and every
// subscriber stays.
func TestNotFoundEverywhereMarksNoOneGone(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 3, 25)
	rounds := notFoundRounds(t, e, func(int, string) bool { return true },
		0, 12*time.Hour, 24*time.Hour, 36*time.Hour, 48*time.Hour+time.Minute)
	for i, s := range rounds[len(rounds)-1] {
		if s.Status != store.StatusActive {
			t.Errorf("subscriber %d (%s) %s/%s after an outage; want active", i, s.Address, s.Status, s.StatusReason)
		}
	}
	if st := stats(t, e.store); st.Failed != 3 {
		t.Errorf("newest broadcast %+v; want its 3 deliveries failed (rejected), not lost", st)
	}
}

// TestChatReachedAgainStartsAfresh: a send that gets through ends a chat's run of
// "not found" answers, so 404s before and after it never add up.
func TestChatReachedAgainStartsAfresh(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 2, 25)
	// Chat 10001: 404, 404, reached, 404, 404 — never three in a row.
	refused := map[int]bool{1: true, 2: true, 4: true, 5: true}
	rounds := notFoundRounds(t, e, func(round int, a string) bool { return a == "10001" && refused[round] },
		0, 12*time.Hour, 24*time.Hour, 36*time.Hour, 48*time.Hour, 72*time.Hour)
	if s := rounds[len(rounds)-1][1]; s.Status != store.StatusActive {
		t.Errorf("chat 10001 %s/%s; want active: its run was broken by a send that got through", s.Status, s.StatusReason)
	}
}

// TestNotFoundWithinADayIsNotGone: many "not found" answers within a few hours, the
// other chat reached meanwhile, do not make a chat gone: a messenger's bad hours are
// not a verdict.
func TestNotFoundWithinADayIsNotGone(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 2, 25)
	rounds := notFoundRounds(t, e, func(round int, a string) bool { return round > 0 && a == "10001" },
		0, time.Hour, 2*time.Hour, 3*time.Hour, 4*time.Hour, 23*time.Hour)
	if s := rounds[len(rounds)-1][1]; s.Status != store.StatusActive {
		t.Errorf("chat 10001 %s/%s after five 404s within 22 h; want active", s.Status, s.StatusReason)
	}
}
