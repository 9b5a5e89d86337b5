package broadcast_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"loa/broadcast"
	"loa/chat"
	"loa/internal/await"
	"loa/internal/telegramtest"
)

// TestSlowAnswerIsSentOnce: a send the API accepts at once but answers only after
// longer than the recording timeout is recorded as sent, not sent again when its lease
// ends (issue 9: one answer after 11–12 s gave two copies).
func TestSlowAnswerIsSentOnce(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25, telegramtest.WithAnswerDelay(func(int64, int) time.Duration {
		return 1500 * time.Millisecond
	}))
	announce(t, e.store, "ann:slow")
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.SendTimeout, d.RecordTimeout, d.Lease = 2*time.Second, time.Second, 4*time.Second
	d.Idle = 100 * time.Millisecond
	runFor(t, d)
	await.Until(t, "the send recorded, or sent twice", func() bool {
		return stats(t, e.store).Sent == 1 || e.fake.Accepted() > 1
	})
	if n := e.fake.Accepted(); n != 1 {
		t.Fatalf("the chat got %d copies, want 1", n)
	}
}

// partsSender renders every broadcast as fixed parts, for multi-part messages.
type partsSender struct {
	broadcast.Sender
	parts []string
}

func (p partsSender) Render(broadcast.Content) []string { return p.parts }

// TestLongGroupMessageNotRepeated: a 5-part message to a group, each part answered a
// little late, reaches the group once, part by part, although the whole takes longer
// than the recording timeout and the lease (issue 9: the group got p1 p2 p3 p4 p5 p5).
func TestLongGroupMessageNotRepeated(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 0, 25, telegramtest.WithAnswerDelay(func(int64, int) time.Duration {
		return 400 * time.Millisecond
	}))
	const group = -1001
	e.fake.AddChat(telegramtest.Chat{ID: group, Type: telegramtest.Group, Title: "Chi bộ"})
	if _, _, err := e.store.Subscribe(context.Background(), chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(group), Kind: chat.KindGroup}); err != nil {
		t.Fatal(err)
	}
	announce(t, e.store, "ann:long")
	d := e.dispatcher(t, e.fake.Token(), nil)
	d.Sender = partsSender{Sender: d.Sender, parts: []string{"p1", "p2", "p3", "p4", "p5"}}
	d.GroupSpacing, d.SendTimeout, d.RecordTimeout, d.Lease = time.Second, time.Second, time.Second, 2*time.Second
	d.Idle = 100 * time.Millisecond
	runFor(t, d)
	await.Until(t, "the message recorded as sent", func() bool { return stats(t, e.store).Sent == 1 })
	var got []string
	for _, m := range e.fake.Messages(group) {
		got = append(got, m.Text)
	}
	if strings.Join(got, " ") != "p1 p2 p3 p4 p5" {
		t.Fatalf("the group got %v, want each part once, in order", got)
	}
}
