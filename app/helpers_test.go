package app_test

import (
	"context"
	"fmt"
	"testing"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/internal/telegramtest"
	"loa/internal/zalotest"
	"loa/store"
)

// telegramRig returns a fake Telegram Bot API and a migrated test database, the
// ground most end-to-end tests stand on.
func telegramRig(t *testing.T) (*telegramtest.Server, string, *store.Store) {
	t.Helper()
	fake := telegramtest.NewServer(t)
	st, dbURL := dbtest.StoreURL(t)
	return fake, dbURL, st
}

// subscribedRig is telegramRig with n private chats subscribed, their ids counting up
// from first: the ground of the tests that broadcast to many.
func subscribedRig(t *testing.T, first int64, n int) (*telegramtest.Server, string, *store.Store) {
	t.Helper()
	fake, dbURL, st := telegramRig(t)
	subscribeTelegram(t, fake, st, chatIDs(first, n)...)
	return fake, dbURL, st
}

// chatIDs returns n chat ids counting up from first.
func chatIDs(first int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids
}

// subscribe subscribes c directly in the store: the inbound side is tested elsewhere.
func subscribe(t *testing.T, st *store.Store, c chat.Chat) {
	t.Helper()
	if _, _, err := st.Subscribe(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// subscribeTelegram adds a private chat for each id to the fake and subscribes it.
func subscribeTelegram(t *testing.T, fake *telegramtest.Server, st *store.Store, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		fake.AddChat(telegramtest.Chat{ID: id, Type: "private", FirstName: "x"})
		subscribe(t, st, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(id), Kind: chat.KindPrivate})
	}
}

// subscribeZalo adds a private chat for each id to the fake and subscribes it.
func subscribeZalo(t *testing.T, fake *zalotest.Server, st *store.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		fake.AddChat(zalotest.Chat{ID: id, Type: "PRIVATE"})
		subscribe(t, st, chat.Chat{Channel: chat.Zalo, Address: id, Kind: chat.KindPrivate})
	}
}

// createBroadcast creates b, as the poller or the scheduler would.
func createBroadcast(t *testing.T, st *store.Store, b store.NewBroadcast) {
	t.Helper()
	if _, _, err := st.CreateBroadcast(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// announce creates an announcement broadcast with the given source key and title.
func announce(t *testing.T, st *store.Store, key, title string) {
	t.Helper()
	createBroadcast(t, st, store.NewBroadcast{SourceKey: key, Kind: store.KindAnnouncement, Topic: store.TopicAnnouncements, Title: title})
}

// announceNumbered creates announcements 1 to n, in order; key and title are formats
// that take the number.
func announceNumbered(t *testing.T, st *store.Store, n int, key, title string) {
	t.Helper()
	for i := 1; i <= n; i++ {
		announce(t, st, fmt.Sprintf(key, i), fmt.Sprintf(title, i))
	}
}

// broadcastStats returns the progress of the latest broadcasts, newest first.
func broadcastStats(t *testing.T, st *store.Store, limit int) []store.BroadcastStat {
	t.Helper()
	bs, err := st.BroadcastStats(context.Background(), limit)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// recorded reports whether every delivery of the latest broadcasts has an outcome.
func recorded(st *store.Store, limit int) func() bool {
	return func() bool {
		bs, err := st.BroadcastStats(context.Background(), limit)
		if err != nil || len(bs) == 0 {
			return false
		}
		for _, b := range bs {
			if b.Pending > 0 {
				return false
			}
		}
		return true
	}
}
