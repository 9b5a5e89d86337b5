package broadcast_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/broadcast"
	"loa/chat"
	"loa/internal/alerttest"
	"loa/internal/await"
	"loa/internal/logtest"
)

// quotaSender answers the sends its plan marks true with a rate limit that names no
// wait (a quota ran out, as Zalo's 429), and passes the others on.
type quotaSender struct {
	broadcast.Sender
	mu      sync.Mutex
	plan    []bool
	refused []time.Time // when each refusal was answered
}

func (q *quotaSender) Send(ctx context.Context, chat chat.Chat, text string) error {
	q.mu.Lock()
	refuse := len(q.plan) > 0 && q.plan[0]
	if len(q.plan) > 0 {
		q.plan = q.plan[1:]
	}
	if refuse {
		q.refused = append(q.refused, time.Now())
	}
	q.mu.Unlock()
	if refuse {
		return &broadcast.SendError{Kind: broadcast.RateLimited, Reason: "too_many_requests"}
	}
	return q.Sender.Send(ctx, chat, text)
}

// TestQuotaBacksOffDoubling: a rate limit without a named wait pauses the channel for
// QuotaBackoff, doubling with each one in a row up to MaxQuotaBackoff; a send that gets
// through starts it afresh; once the refusals have held sending back for
// QuotaAlertAfter, the admins are alerted once; and nothing is lost.
func TestQuotaBacksOffDoubling(t *testing.T) {
	t.Parallel()
	e := newEngine(t, 1, 25)
	announce(t, e.store, "quota:1")
	announce(t, e.store, "quota:2")
	var log logtest.Buffer
	d := e.dispatcher(t, e.fake.Token(), nil)
	// Five refusals, a send, one refusal, a send: the two deliveries to the one chat.
	qs := &quotaSender{Sender: d.Sender, plan: []bool{true, true, true, true, true, false, true, false}}
	alerts := &alerttest.Recorder{}
	d.Sender, d.Log, d.ChatSpacing, d.Idle = qs, logger(&log), 10*time.Millisecond, 20*time.Millisecond
	d.QuotaBackoff, d.MaxQuotaBackoff, d.QuotaAlertAfter = 20*time.Millisecond, 80*time.Millisecond, 100*time.Millisecond
	d.Alert = alerts.Alert
	runFor(t, d)
	await.Until(t, "both deliveries sent", func() bool {
		bs, err := e.store.BroadcastStats(context.Background(), 2)
		return err == nil && len(bs) == 2 && bs[0].Sent == 1 && bs[1].Sent == 1
	})
	if n := e.fake.Accepted(); n != 2 {
		t.Errorf("accepted %d, want 2", n)
	}
	var pauses []string
	for _, m := range regexp.MustCompile(`rate limited: pausing the channel" .*retry_after=(\S+) quota=true`).FindAllStringSubmatch(log.String(), -1) {
		pauses = append(pauses, m[1])
	}
	want := []string{"20ms", "40ms", "80ms", "80ms", "80ms", "20ms"}
	if strings.Join(pauses, " ") != strings.Join(want, " ") {
		t.Errorf("pauses %v, want %v\n%s", pauses, want, log.String())
	}
	qs.mu.Lock()
	refused := qs.refused
	qs.mu.Unlock()
	if len(refused) != 6 {
		t.Fatalf("%d refusals, want 6", len(refused))
	}
	for i, p := range []time.Duration{20, 40, 80, 80} {
		if gap := refused[i+1].Sub(refused[i]); gap < p*time.Millisecond {
			t.Errorf("send %d came %v after refusal %d, inside its %v pause", i+2, gap, i+1, p*time.Millisecond)
		}
	}
	// The first run held sending back for at least 220 ms (> 100 ms): one alert; the
	// second run was a single refusal.
	if a := alerts.All(); len(a) != 1 || !strings.HasPrefix(a[0].Key, "quota:telegram:") {
		t.Errorf("alerts %q; want one quota:telegram alert", a)
	}
}
