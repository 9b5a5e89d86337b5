package zalo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"loa/bot"
	"loa/broadcast"
	"loa/chat"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/dbtest"
	"loa/internal/inboxtest"
	"loa/internal/zalotest"
	"loa/store"
)

// TestMemberThroughZalo: a Zalo user writes "đăng ký" through the fake; the real bot
// on a real store subscribes them and replies; "chủ đề", "tắt 1" and "bật 1" list and
// toggle a topic; every answer arrives in the fake; then a broadcast rendered and sent
// by the adapter reaches them.
func TestMemberThroughZalo(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ctx := apitest.Context(t)
	if _, err := st.AddFeed(ctx, store.NewFeed{URL: "https://tinhuy.example.vn/rss/news.rss", Topic: "news", Interval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	topics, err := st.Topics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clk := adaptertest.NewClock()
	srv := zalotest.NewServer(t, zalotest.WithClock(clk.Now))
	c, logs := newClient(t, srv, clk)
	b := &bot.Bot{Store: st, Capabilities: c.Capabilities()}

	pctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- c.Poll(pctx, inboxtest.NewDirect(c, b)) }()

	// say sends what the member typed and returns the bot's answer.
	n := 0
	say := func(text string) string {
		t.Helper()
		srv.PushUpdate(srv.TextMessage(hoaID, hoaID, "Nguyễn Thị Hoa", text))
		n++
		msgs, err := srv.WaitMessages(ctx, hoaID, n)
		if err != nil {
			t.Fatalf("no answer to %q: %v", text, err)
		}
		if len(msgs) != n {
			t.Fatalf("%q answered with %d messages", text, len(msgs)-n+1)
		}
		return msgs[n-1].Text
	}

	if got := say("đăng ký"); !strings.HasPrefix(got, "Cảm ơn bạn đã đăng ký nhận tin!") || !strings.Contains(got, "• chủ đề") {
		t.Errorf("“đăng ký” answered %q", got)
	}
	sub, err := st.SubscriberByChat(ctx, "zalo", hoaID)
	if err != nil || sub.Status != store.StatusActive || sub.Kind != "private" || sub.Title != "Nguyễn Thị Hoa" {
		t.Fatalf("after “đăng ký”: %+v, %v", sub, err)
	}
	if got := say("Chủ đề"); !strings.Contains(got, "1. ✅ "+bot.TopicName(topics[0])) {
		t.Errorf("“Chủ đề” answered %q", got)
	}
	if got := say("tắt 1"); !strings.Contains(got, "1. ⬜ "+bot.TopicName(topics[0])) {
		t.Errorf("“tắt 1” answered %q", got)
	}
	if sub, _ := st.SubscriberByChat(ctx, "zalo", hoaID); !slices.Equal(sub.MutedTopics, []string{topics[0]}) {
		t.Errorf("after “tắt 1”: muted %v", sub.MutedTopics)
	}
	if got := say("bat 1"); !strings.Contains(got, "1. ✅ "+bot.TopicName(topics[0])) {
		t.Errorf("“bat 1” answered %q", got)
	}
	if sub, _ := st.SubscriberByChat(ctx, "zalo", hoaID); len(sub.MutedTopics) != 0 {
		t.Errorf("after “bat 1”: muted %v", sub.MutedTopics)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Poll = %v", err)
	}

	// The subscriber's address is what Send takes.
	clk.Sleep(ctx, time.Second)
	for _, p := range c.Render(broadcast.Content{Kind: "article", Title: "Hà Nam & Ninh Bình <2025>", Link: "https://tinhuy.example.vn/a"}) {
		if err := c.Send(ctx, chat.Chat{Channel: sub.Channel, Address: sub.Address, Kind: sub.Kind}, p); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.Messages(hoaID)
	if last := msgs[len(msgs)-1].Text; last != "Hà Nam & Ninh Bình <2025>\n\nhttps://tinhuy.example.vn/a" {
		t.Errorf("the broadcast arrived as %q", last)
	}
	if n := srv.Count429(); n != 0 {
		t.Errorf("%d answers were 429", n)
	}
	apitest.NoToken(t, "log", logs.String(), srv.Token())
}
