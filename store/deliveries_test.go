package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

func subscribe(t *testing.T, s *store.Store, channel chat.Channel, address string, kind chat.Kind) store.Subscriber {
	t.Helper()
	sub, _, err := s.Subscribe(context.Background(), chat.Chat{Channel: channel, Address: address, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// subscribePrivate subscribes a private chat at each address.
func subscribePrivate(t *testing.T, s *store.Store, channel chat.Channel, addresses ...string) {
	t.Helper()
	for _, a := range addresses {
		subscribe(t, s, channel, a, chat.KindPrivate)
	}
}

func broadcast(t *testing.T, s *store.Store, key, topic string, channel chat.Channel) int64 {
	t.Helper()
	id, created, err := s.CreateBroadcast(context.Background(), store.NewBroadcast{
		SourceKey: key, Kind: store.KindAnnouncement, Topic: topic, Title: key, Channel: channel,
	})
	if err != nil || !created {
		t.Fatalf("create broadcast %s: created %v, %v", key, created, err)
	}
	return id
}

func claim(t *testing.T, s *store.Store, channel chat.Channel, limit int) []store.Delivery {
	t.Helper()
	ds, err := s.ClaimDeliveries(context.Background(), channel, time.Minute, limit, "test")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func addresses(ds []store.Delivery) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Address+":"+d.Title)
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

func TestFanOutMatchesTopicChannelAndStatus(t *testing.T) {
	s, ctx := parallelStore(t)
	subscribePrivate(t, s, chat.Telegram, "1", "2")
	subscribePrivate(t, s, chat.Zalo, "z3")
	subscribe(t, s, chat.Telegram, "4", chat.KindGroup)
	if _, err := s.SetTopicMuted(ctx, chat.Telegram, "2", "news", true); err != nil { // 2 mutes news
		t.Fatal(err)
	}
	if err := s.SetSubscriberStatus(ctx, chat.Telegram, "4", store.StatusStopped, "test"); err != nil {
		t.Fatal(err)
	}

	broadcast(t, s, "a", "news", "")
	broadcast(t, s, "b", "announcements", chat.Zalo)
	if _, created, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "a", Kind: store.KindArticle, Topic: "news", Title: "again"}); err != nil || created {
		t.Fatalf("same source key again: created %v, %v", created, err)
	}
	if got, want := addresses(claim(t, s, chat.Telegram, 100)), "[1:a]"; got != want {
		t.Fatalf("telegram deliveries = %s, want %s (2 muted news, 4 stopped)", got, want)
	}
	if got, want := addresses(claim(t, s, chat.Zalo, 100)), "[z3:a]"; got != want {
		t.Fatalf("zalo deliveries = %s, want %s (b waits behind a)", got, want)
	}
}

func TestClaimKeepsEachChatInOrderAndPaced(t *testing.T) {
	s, url, ctx := parallelStoreURL(t)
	subscribePrivate(t, s, chat.Telegram, "1", "2")
	for _, k := range []string{"first", "second", "third"} {
		broadcast(t, s, k, "news", "")
	}
	got := claim(t, s, chat.Telegram, 100)
	if addresses(got) != "[1:first 2:first]" {
		t.Fatalf("first claim = %s; each chat gets only its oldest pending broadcast", addresses(got))
	}
	if more := claim(t, s, chat.Telegram, 100); len(more) != 0 {
		t.Fatalf("claimed %s while the first ones are leased", addresses(more))
	}
	// Chat 1's first is sent; its next is held back by the chat's spacing.
	if err := s.MarkSent(ctx, got[0].ID, got[0].Claim, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	if more := claim(t, s, chat.Telegram, 100); len(more) != 0 {
		t.Fatalf("claimed %s before the chat's spacing passed", addresses(more))
	}
	elapse(t, url, time.Second)
	second := claim(t, s, chat.Telegram, 100)
	if addresses(second) != "[1:second]" {
		t.Fatalf("after the spacing: %s, want [1:second]", addresses(second))
	}
	if err := s.MarkSent(ctx, second[0].ID, second[0].Claim, 1, 0); err != nil {
		t.Fatal(err)
	}
	// Chat 2's first failed transiently: its second waits behind the retry.
	if err := s.RetryDelivery(ctx, got[1].ID, got[1].Claim, time.Hour, "HTTP 502", true); err != nil {
		t.Fatal(err)
	}
	third := claim(t, s, chat.Telegram, 100)
	if addresses(third) != "[1:third]" {
		t.Fatalf("claimed %s; want chat 1's third only, chat 2's second waiting behind its retry", addresses(third))
	}
	if err := s.MarkSent(ctx, third[0].ID, third[0].Claim, 1, 0); err != nil {
		t.Fatal(err)
	}
	elapse(t, url, time.Hour)
	retried := claim(t, s, chat.Telegram, 100)
	if addresses(retried) != "[2:first]" || retried[0].Attempts != 2 {
		t.Fatalf("after the backoff: %s, want chat 2's first on its second attempt", addresses(retried))
	}
}

// elapse moves the deliveries' schedule d into the past, as if the database's clock
// had moved d ahead: due times, chats' pacing and the channels' slots and pauses.
func elapse(t *testing.T, url string, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`UPDATE deliveries SET due_at = due_at - $1::interval WHERE status = 'pending'`,
		`UPDATE subscribers SET next_send_at = next_send_at - $1::interval WHERE next_send_at > 'epoch'`,
		`UPDATE channel_state SET next_slot_at = next_slot_at - $1::interval, paused_until = paused_until - $1::interval`,
	} {
		if _, err := conn.Exec(ctx, q, d); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConcurrentClaimsNeverOverlap(t *testing.T) {
	t.Parallel()
	s := dbtest.Store(t)
	for i := range 200 {
		subscribe(t, s, chat.Telegram, fmt.Sprint(i), chat.KindPrivate)
	}
	broadcast(t, s, "x", "news", "")
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				ds, err := s.ClaimDeliveries(context.Background(), chat.Telegram, time.Minute, 7, "r")
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Fatalf("claimed %d distinct deliveries, want 200", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
}

func TestReserveSlotsAndPause(t *testing.T) {
	s, ctx := parallelStore(t)
	now := time.Date(2024, 6, 5, 7, 0, 0, 0, time.UTC)
	spacing := 40 * time.Millisecond
	// Slots are judged by the database's clock; what comes back is a wait from now.
	began := time.Now()
	first, err := s.ReserveSlots(ctx, chat.Telegram, 25, spacing)
	if err != nil || first != 0 {
		t.Fatalf("first reservation waits %v, %v; want none", first, err)
	}
	second, err := s.ReserveSlots(ctx, chat.Telegram, 10, spacing)
	// The database's clock moved on between the two by no more than this test's did.
	between := time.Since(began)
	if err != nil || second < time.Second-between || second > time.Second {
		t.Fatalf("second reservation waits %v, %v (%v after the first); want a second, after the first's 25 slots, less the time between",
			second, err, between)
	}
	if z, err := s.ReserveSlots(ctx, chat.Zalo, 1, spacing); err != nil || z != 0 {
		t.Fatalf("zalo's slots are its own: %v, %v", z, err)
	}

	if err := s.PauseChannel(ctx, chat.Telegram, now.Add(41*time.Second), "429"); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseChannel(ctx, chat.Telegram, now.Add(5*time.Second), "shorter"); err != nil {
		t.Fatal(err)
	}
	until, reason, err := s.ChannelPause(ctx, chat.Telegram)
	if err != nil || !until.Equal(now.Add(41*time.Second)) || reason != "429" {
		t.Fatalf("pause = %v %q %v; a shorter pause must not cut a longer one", until, reason, err)
	}
	if until, _, _ := s.ChannelPause(ctx, chat.Zalo); until.After(now) {
		t.Fatal("a Telegram pause paused Zalo")
	}
}

func TestSubscriberGoneCancelsTheRest(t *testing.T) {
	s, ctx := parallelStore(t)
	sub := subscribe(t, s, chat.Telegram, "1", chat.KindPrivate)
	broadcast(t, s, "a", "news", "")
	broadcast(t, s, "b", "news", "")
	ds := claim(t, s, chat.Telegram, 10)
	if err := s.SubscriberGone(ctx, ds[0].ID, ds[0].Claim, sub.ID, store.ReasonBlocked, "blocked (chat_gone)"); err != nil {
		t.Fatal(err)
	}
	got, err := s.SubscriberByChat(ctx, chat.Telegram, "1")
	if err != nil || got.Status != store.StatusGone || got.StatusReason != "blocked" {
		t.Fatalf("subscriber = %+v, %v", got, err)
	}
	if more := claim(t, s, chat.Telegram, 10); len(more) != 0 {
		t.Fatalf("a gone subscriber still has deliveries: %s", addresses(more))
	}
	bs, err := s.BroadcastStats(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Pending != 0 || b.Total != 1 {
			t.Fatalf("broadcast %s: %+v", b.SourceKey, b)
		}
	}
}

func TestMigrateChat(t *testing.T) {
	t.Parallel()
	t.Run("re-keys the group", func(t *testing.T) {
		t.Parallel()
		s := dbtest.Store(t)
		old := subscribe(t, s, chat.Telegram, "-100", chat.KindGroup)
		broadcast(t, s, "a", "news", "")
		got, err := s.MigrateChat(context.Background(), chat.Telegram, "-100", "-1001")
		if err != nil || got.ID != old.ID || got.Address != "-1001" || got.Kind != chat.KindSupergroup {
			t.Fatalf("migrated = %+v, %v", got, err)
		}
		if ds := claim(t, s, chat.Telegram, 10); addresses(ds) != "[-1001:a]" {
			t.Fatalf("deliveries = %s", addresses(ds))
		}
	})
	t.Run("merges into an existing supergroup", func(t *testing.T) {
		s, ctx := parallelStore(t)
		subscribe(t, s, chat.Telegram, "-100", chat.KindGroup)
		broadcast(t, s, "a", "news", "")
		subscribe(t, s, chat.Telegram, "-1001", chat.KindSupergroup)
		broadcast(t, s, "b", "news", "")
		if _, err := s.MigrateChat(ctx, chat.Telegram, "-100", "-1001"); err != nil {
			t.Fatal(err)
		}
		old, err := s.SubscriberByChat(ctx, chat.Telegram, "-100")
		if err != nil || old.Status != store.StatusGone {
			t.Fatalf("old group = %+v, %v", old, err)
		}
		first := claim(t, s, chat.Telegram, 10)
		if addresses(first) != "[-1001:a]" {
			t.Fatalf("first claim = %s, want the moved delivery of a", addresses(first))
		}
		if err := s.MarkSent(ctx, first[0].ID, first[0].Claim, 1, 0); err != nil {
			t.Fatal(err)
		}
		if next := claim(t, s, chat.Telegram, 10); addresses(next) != "[-1001:b]" {
			t.Fatalf("then %s, want b", addresses(next))
		}
	})
}

func TestDraftsNeedConfirmation(t *testing.T) {
	s, ctx := parallelStore(t)
	d, err := s.CreateDraft(ctx, "Họp *chi bộ*", "telegram:1", nil)
	if err != nil || d.Status != store.AnnouncementDraft || d.NextRunAt != nil {
		t.Fatalf("draft = %+v, %v", d, err)
	}
	if due, _ := s.DueAnnouncements(ctx, time.Now().Add(time.Hour)); len(due) != 0 {
		t.Fatalf("a draft is due: %+v", due)
	}
	if latest, err := s.LatestDraft(ctx, "telegram:1"); err != nil || latest.ID != d.ID {
		t.Fatalf("latest draft = %+v, %v", latest, err)
	}
	if _, err := s.LatestDraft(ctx, "telegram:2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another admin's latest draft: %v", err)
	}
	at := time.Now().Add(time.Minute).Truncate(time.Second)
	if _, err := s.SetDraftTime(ctx, d.ID, at, "telegram:1"); err != nil {
		t.Fatal(err)
	}
	confirmDraft(t, s, d.ID, at, "telegram:1")
	wantHandled(t, s, d.ID, at, "telegram:1")
	due, err := s.DueAnnouncements(ctx, at)
	if err != nil || len(due) != 1 || due[0].Status != store.AnnouncementScheduled {
		t.Fatalf("due after confirmation = %+v, %v", due, err)
	}
}

func TestTopicAllReachesEveryActiveSubscriber(t *testing.T) {
	s, ctx := parallelStore(t)
	subscribePrivate(t, s, chat.Telegram, "1")
	subscribePrivate(t, s, chat.Zalo, "z2")
	subscribePrivate(t, s, chat.Telegram, "3")
	if _, err := s.SetTopicMuted(ctx, chat.Telegram, "1", store.TopicAnnouncements, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubscriberStatus(ctx, chat.Telegram, "3", store.StatusStopped, "test"); err != nil {
		t.Fatal(err)
	}
	broadcast(t, s, "urgent", store.TopicAll, "")
	got := addresses(claim(t, s, chat.Telegram, 10)) + addresses(claim(t, s, chat.Zalo, 10))
	if got != "[1:urgent][z2:urgent]" {
		t.Fatalf("deliveries = %s; want the muting and the Zalo subscriber, not the stopped one", got)
	}
}

// TestReplyTakesTheChatsPacing: a reply to a member books the chat's pacing that
// broadcasts keep, so the next broadcast does not follow it within the spacing (the
// fake Telegram answered 429 when a welcome and an article met within a second), and
// a reply after a broadcast waits out the spacing MarkSent left.
func TestReplyTakesTheChatsPacing(t *testing.T) {
	s, url, ctx := parallelStoreURL(t)
	subscribe(t, s, chat.Telegram, "1", chat.KindPrivate)
	if wait, err := s.ReserveChat(ctx, chat.Telegram, "1", time.Minute); err != nil || wait != 0 {
		t.Fatalf("first reply: wait %s, %v; want at once", wait, err)
	}
	broadcast(t, s, "article", "news", "")
	if got := claim(t, s, chat.Telegram, 10); len(got) != 0 {
		t.Fatalf("claimed %s within the reply's spacing", addresses(got))
	}
	if wait, err := s.ReserveChat(ctx, chat.Telegram, "1", time.Minute); err != nil || wait < 58*time.Second || wait > time.Minute {
		t.Fatalf("second reply: wait %s, %v; want about a minute", wait, err)
	}
	elapse(t, url, 2*time.Minute)
	got := claim(t, s, chat.Telegram, 10)
	if addresses(got) != "[1:article]" {
		t.Fatalf("after the replies' spacing: %s", addresses(got))
	}
	if err := s.MarkSent(ctx, got[0].ID, got[0].Claim, 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if wait, err := s.ReserveChat(ctx, chat.Telegram, "1", time.Second); err != nil || wait < 58*time.Second {
		t.Fatalf("reply after a broadcast: wait %s, %v; want the broadcast's spacing", wait, err)
	}
	if wait, err := s.ReserveChat(ctx, chat.Telegram, "unknown", time.Minute); err != nil || wait != 0 {
		t.Fatalf("a chat that is no subscriber: wait %s, %v", wait, err)
	}

	// A reply accepted late (a slow call) restarts the chat's spacing from then.
	elapse(t, url, 10*time.Minute)
	broadcast(t, s, "next", "news", "")
	if err := s.ChatSent(ctx, chat.Telegram, "1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, s, chat.Telegram, 10); len(got) != 0 {
		t.Fatalf("claimed %s within the spacing after a reply was accepted", addresses(got))
	}
	elapse(t, url, time.Minute)
	if got := claim(t, s, chat.Telegram, 10); addresses(got) != "[1:next]" {
		t.Fatalf("after it: %s", addresses(got))
	}
}
