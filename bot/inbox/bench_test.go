package inbox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/bot/inbox"
	"loa/internal/dbtest"
)

// countingAdapter carries nothing out; it counts the answers.
type countingAdapter struct {
	fakeAdapter
	n    atomic.Int64
	done chan struct{}
	want int64
}

func (a *countingAdapter) CarryOut(context.Context, bot.Update, bot.Response) {
	if a.n.Add(1) == a.want {
		close(a.done)
	}
}

// BenchmarkInboxThroughput stores 2,000 updates from 200 chats (10 each, in order) and
// handles them through the real database with one worker: store, claim, record the
// answer, mark done. The bot and the messenger cost nothing here, so the figure is the
// inbox's own ceiling per replica and channel.
func BenchmarkInboxThroughput(b *testing.B) {
	const chats, perChat = 200, 10
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := dbtest.Store(b)
		a := &countingAdapter{done: make(chan struct{}), want: chats * perChat}
		w := &inbox.Worker{Store: st, Channel: "telegram", Adapter: a, Handler: &handler{}, Idle: 50 * time.Millisecond}
		var us []botapi.Inbound
		for m := range perChat {
			for c := range chats {
				us = append(us, in(fmt.Sprintf("%d-%d", c, m), fmt.Sprint(c), fmt.Sprint(m)))
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		b.StartTimer()
		began := time.Now()
		for j := 0; j < len(us); j += 100 { // as long polling stores them: 100 a batch
			if err := w.Add(ctx, us[j:min(j+100, len(us))]); err != nil {
				b.Fatal(err)
			}
		}
		stored := time.Since(began)
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		<-a.done
		elapsed := time.Since(began)
		b.StopTimer()
		cancel()
		<-done
		b.ReportMetric(float64(len(us))/elapsed.Seconds(), "updates/s")
		b.ReportMetric(float64(len(us))/stored.Seconds(), "stored/s")
	}
}
