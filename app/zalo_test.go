package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/await"
	"loa/internal/dbtest"
	"loa/internal/telegramtest"
	"loa/internal/zalotest"
	"loa/store"
)

func zaloEnv(fake *zalotest.Server) []string {
	return []string{"LOA_ZALO_TOKEN", fake.Token(), "LOA_ZALO_API_BASE", fake.URL()}
}

func zaloTexts(fake *zalotest.Server, chat string) []string {
	var out []string
	for _, m := range fake.Messages(chat) {
		out = append(out, m.Text)
	}
	return out
}

// zaloIDs returns n Zalo chat ids: z-0, z-1, …
func zaloIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("z-%d", i)
	}
	return ids
}

func countContaining(texts []string, sub string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// A Zalo member writes "đăng ký" and then receives the next article and the next
// anniversary notice, each exactly once.
func TestZaloMemberSubscribesAndReceivesEachBroadcastOnce(t *testing.T) {
	t.Parallel()
	fake := zalotest.NewServer(t)
	st, dbURL := dbtest.StoreURL(t)
	p := newPortal(t, 1)
	f := addFeed(t, st, p.srv.URL+"/rss")
	start(t, dbURL, zaloEnv(fake)...)

	fake.PushUpdate(fake.TextMessage("u-lan", "u-lan", "Nguyễn Thị Lan", "Đăng ký"))
	await.On(t, fake, "the welcome", 15*time.Second, func() bool { return len(fake.Messages("u-lan")) > 0 })
	sub, err := st.SubscriberByChat(context.Background(), chat.Zalo, "u-lan")
	if err != nil || sub.Status != store.StatusActive {
		t.Fatalf("subscriber = %+v, %v", sub, err)
	}
	await.Until(t, "the feed to be primed", primed(t, st, f.ID))

	p.publish(2)
	createBroadcast(t, st, store.NewBroadcast{
		SourceKey: "anniv:1:2024-06-05", Kind: store.KindAnniversary, Topic: store.TopicAnniversaries,
		Title: "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)",
	})
	await.On(t, fake, "the article and the notice", 30*time.Second, func() bool {
		texts := zaloTexts(fake, "u-lan")
		return countContaining(texts, "Bài viết số 2") > 0 && countContaining(texts, "Kỷ niệm 113 năm") > 0
	})
	await.Until(t, "every delivery recorded", recorded(st, 10))
	texts := zaloTexts(fake, "u-lan")
	if n := countContaining(texts, "Bài viết số 2"); n != 1 {
		t.Errorf("the article arrived %d times: %q", n, texts)
	}
	if n := countContaining(texts, "Kỷ niệm 113 năm"); n != 1 {
		t.Errorf("the notice arrived %d times: %q", n, texts)
	}
	if n := countContaining(texts, "Bài viết số 1"); n != 0 {
		t.Errorf("an article from before the subscription arrived: %q", texts)
	}
}

// A Telegram 429 storm pauses Telegram only: Zalo members keep receiving at once.
func TestTelegramRateLimitStormDoesNotDelayZalo(t *testing.T) {
	t.Parallel()
	const n = 5
	tg, dbURL, st := subscribedRig(t, 700, n)
	zf := zalotest.NewServer(t)
	ctx := context.Background()
	subscribeZalo(t, zf, st, zaloIDs(n)...)
	for _, id := range chatIDs(700, n) {
		// Every Telegram send is refused with "retry after 30" for a while.
		tg.Script(id, telegramtest.TooManyRequests(30), telegramtest.TooManyRequests(30))
	}
	start(t, dbURL, append(tgEnv(tg), zaloEnv(zf)...)...)
	announceNumbered(t, st, 3, "ann:%d", "Thông báo %d")
	// Telegram is paused for 30 s from its first 429; Zalo finishes well within that.
	await.On(t, zf, "every Zalo delivery", 25*time.Second, func() bool { return zf.Accepted() >= 3*n })
	if tg.Count429() == 0 {
		t.Fatal("the storm never happened")
	}
	until, _, err := st.ChannelPause(ctx, chat.Telegram)
	if err != nil || !until.After(time.Now()) {
		t.Fatalf("telegram is not paused: %v, %v", until, err)
	}
	if zu, _, _ := st.ChannelPause(ctx, chat.Zalo); zu.After(time.Now()) {
		t.Fatal("zalo was paused by Telegram's 429")
	}
}

// The Zalo token is revoked mid-broadcast and restored: sending pauses, nothing fails,
// and every member receives the broadcast once the token works again.
func TestZaloTokenRevokedThenRestoredLosesNothing(t *testing.T) {
	t.Parallel()
	zf := zalotest.NewServer(t)
	st, dbURL := dbtest.StoreURL(t)
	ctx := context.Background()
	const n = 30
	subscribeZalo(t, zf, st, zaloIDs(n)...)
	start(t, dbURL, append(zaloEnv(zf), "LOA_ZALO_RATE", "10")...)
	announce(t, st, "ann:1", "Thông báo khẩn")
	await.On(t, zf, "a few deliveries", 15*time.Second, func() bool { return zf.Accepted() >= 5 })
	zf.RevokeToken()
	await.Until(t, "the channel to pause on the refused token", func() bool {
		until, reason, err := st.ChannelPause(ctx, chat.Zalo)
		return err == nil && until.After(time.Now()) && strings.Contains(reason, "unauthorized")
	})
	sentBefore := zf.Accepted()
	zf.RestoreToken()
	await.On(t, zf, "every member once the token works again", 60*time.Second, func() bool { return zf.Accepted() >= n })
	await.Until(t, "every outcome recorded", func() bool {
		bs, err := st.BroadcastStats(ctx, 1)
		return err == nil && bs[0].Sent == n
	})
	if bs := broadcastStats(t, st, 1); bs[0].Failed != 0 || bs[0].Pending != 0 {
		t.Fatalf("after the token came back: %+v", bs[0])
	}
	for i := range n {
		if got := len(zf.Messages(fmt.Sprintf("z-%d", i))); got != 1 {
			t.Fatalf("chat z-%d received %d messages", i, got)
		}
	}
	t.Logf("%d sent before the revocation, %d after", sentBefore, n-sentBefore)
}

// toReplica sends the fake's webhook requests for https://loa.test/… to the replica's
// HTTP address (known once it has started), as a TLS proxy in front of it would.
type toReplica struct{ addr atomic.Value }

func (r *toReplica) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host = "http", r.addr.Load().(string)
	return http.DefaultTransport.RoundTrip(out)
}

// In webhook mode (recommended for Zalo in production), each request is stored and
// answered at once, and the update is handled after the answer by the inbox: the
// member is subscribed and welcomed, and a redelivered update is handled once.
func TestZaloWebhookStoresThenHandles(t *testing.T) {
	t.Parallel()
	proxy := &toReplica{}
	fake := zalotest.NewServer(t, zalotest.BareWebhook(), zalotest.WithWebhookClient(&http.Client{Transport: proxy, Timeout: 10 * time.Second}))
	st, dbURL := dbtest.StoreURL(t)
	in := start(t, dbURL, append(zaloEnv(fake), "LOA_ZALO_WEBHOOK_URL", "https://loa.test/zalo/webhook")...)
	proxy.addr.Store(in.addr)
	await.On(t, fake, "the webhook to be registered", 10*time.Second, func() bool { url, _, _ := fake.Webhook(); return url != "" })

	msg := fake.TextMessage("u-hoa", "u-hoa", "Trần Hoa", "đăng ký")
	fake.PushUpdate(msg)
	fake.PushUpdate(msg) // delivered again, as after a slow answer
	await.On(t, fake, "both deliveries answered", 15*time.Second, func() bool { return fake.WebhookDeliveries() == 2 })
	await.Until(t, "the member to be subscribed", func() bool {
		s, err := st.SubscriberByChat(context.Background(), chat.Zalo, "u-hoa")
		return err == nil && s.Status == store.StatusActive
	})
	await.On(t, fake, "the welcome", 10*time.Second, func() bool { return len(fake.Messages("u-hoa")) > 0 })
	if _, _, lastErr := fake.Webhook(); lastErr != "" {
		t.Errorf("the fake saw a webhook error: %s", lastErr)
	}
	// A second welcome would come a second after the first (the chat's pacing): wait for
	// the update to be done rather than for time to pass.
	await.Until(t, "the update to be done", func() bool {
		s, _, err := st.InboundStatus(context.Background(), chat.Zalo, msg.Message.MessageID)
		return err == nil && s == store.InboxDone
	})
	if n := len(fake.Messages("u-hoa")); n != 1 {
		t.Fatalf("the member got %d welcomes, want 1", n)
	}
}
