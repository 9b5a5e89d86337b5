package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"loa/chat"
	"loa/store"
)

func addInbound(t *testing.T, s *store.Store, channel chat.Channel, us ...store.NewInbound) int {
	t.Helper()
	n, err := s.AddInbound(context.Background(), channel, us)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func upd(id, chatID string) store.NewInbound {
	return store.NewInbound{UpdateID: id, Chat: chatID, Payload: []byte(`{"update_id":` + id + `}`)}
}

func claimIDs(t *testing.T, s *store.Store, channel chat.Channel, limit int, lease time.Duration) ([]string, []store.Inbound) {
	t.Helper()
	us, err := s.ClaimInbound(context.Background(), channel, limit, lease)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range us {
		ids = append(ids, u.UpdateID)
	}
	slices.Sort(ids)
	return ids, us
}

// An update is stored once per (channel, update id), whatever state the first copy is
// in: a redelivery is never handled twice.
func TestAddInboundIsIdempotent(t *testing.T) {
	s, ctx := parallelStore(t)
	if n := addInbound(t, s, chat.Telegram, upd("1", "a"), upd("2", "a")); n != 2 {
		t.Fatalf("added %d, want 2", n)
	}
	if n := addInbound(t, s, chat.Telegram, upd("1", "a"), upd("3", "b")); n != 1 {
		t.Fatalf("redelivery added %d, want only the new one", n)
	}
	if n := addInbound(t, s, chat.Zalo, upd("1", "a")); n != 1 {
		t.Fatal("the same id on another channel is another update")
	}
	// Claimed, then done: still recognised.
	_, us := claimIDs(t, s, chat.Telegram, 10, time.Minute)
	if n := addInbound(t, s, chat.Telegram, upd("1", "a")); n != 0 {
		t.Fatal("a claimed update was stored again")
	}
	for _, u := range us {
		if ok, err := s.FinishInbound(ctx, u.ID, u.Claim, store.InboxDone, ""); err != nil || !ok {
			t.Fatalf("finish: %v, %v", ok, err)
		}
	}
	if n := addInbound(t, s, chat.Telegram, upd("1", "a"), upd("3", "b")); n != 0 {
		t.Fatal("a done update was stored again")
	}
}

// Chats are claimed together; within a chat, the next update waits while an older one
// is claimed, backing off, or pending.
func TestClaimInboundKeepsEachChatInOrder(t *testing.T) {
	s, ctx := parallelStore(t)
	addInbound(t, s, chat.Telegram, upd("1", "a"), upd("2", "a"), upd("3", "b"), upd("4", "a"), upd("5", "c"))
	addInbound(t, s, chat.Zalo, upd("6", "a"))
	ids, first := claimIDs(t, s, chat.Telegram, 10, time.Minute)
	if fmt.Sprint(ids) != "[1 3 5]" {
		t.Fatalf("claimed %v, want each chat's oldest: [1 3 5]", ids)
	}
	if ids, _ := claimIDs(t, s, chat.Telegram, 10, time.Minute); len(ids) != 0 {
		t.Fatalf("claimed %v while every chat's head is claimed", ids)
	}
	byID := map[string]store.Inbound{}
	for _, u := range first {
		byID[u.UpdateID] = u
	}
	// Update 1 is released with a backoff (a panic): chat a stays held up.
	if err := s.ReleaseInbound(ctx, byID["1"].ID, byID["1"].Claim, time.Hour, true); err != nil {
		t.Fatal(err)
	}
	if ids, _ := claimIDs(t, s, chat.Telegram, 10, time.Minute); len(ids) != 0 {
		t.Fatalf("claimed %v while chat a's head backs off", ids)
	}
	// Update 3 done: chat b has nothing more; update 1 failed: chat a moves on to 2.
	if ok, _ := s.FinishInbound(ctx, byID["3"].ID, byID["3"].Claim, store.InboxDone, ""); !ok {
		t.Fatal("finish 3 refused")
	}
	if ok, _ := s.FinishInbound(ctx, byID["1"].ID, byID["1"].Claim, store.InboxFailed, "panic: boom"); !ok {
		t.Fatal("fail 1 refused")
	}
	if ids, _ := claimIDs(t, s, chat.Telegram, 10, time.Minute); fmt.Sprint(ids) != "[2]" {
		t.Fatalf("claimed %v, want [2]", ids)
	}
	if st, reason, err := s.InboundStatus(ctx, chat.Telegram, "1"); err != nil || st != store.InboxFailed || reason != "panic: boom" {
		t.Fatalf("update 1: %q %q %v", st, reason, err)
	}
	if _, _, err := s.InboundStatus(ctx, chat.Telegram, "99"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown update: %v", err)
	}
}

// A claim that lapses (its replica died) is taken again, by the database's clock, and
// the old claim's writes are refused; a handled row comes back with its answer.
func TestInboundClaimLapsesAndIsFenced(t *testing.T) {
	s, ctx := parallelStore(t)
	addInbound(t, s, chat.Telegram, upd("1", "a"))
	_, us := claimIDs(t, s, chat.Telegram, 1, 200*time.Millisecond)
	old := us[0]
	if ok, err := s.InboundHandled(ctx, old.ID, old.Claim, []byte(`{"Replies":[{"Text":"hi"}]}`)); err != nil || !ok {
		t.Fatalf("handled: %v, %v", ok, err)
	}
	var again []store.Inbound
	deadline := time.Now().Add(5 * time.Second)
	for len(again) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the lapsed claim was never taken again")
		}
		_, again = claimIDs(t, s, chat.Telegram, 1, time.Minute)
	}
	u := again[0]
	if u.Claim == old.Claim || u.Claims != 2 || string(u.Response) != `{"Replies": [{"Text": "hi"}]}` {
		t.Fatalf("second claim = %+v (response %s)", u, u.Response)
	}
	if ok, _ := s.RenewInbound(ctx, old.ID, old.Claim, time.Minute); ok {
		t.Fatal("the old claim renewed")
	}
	if ok, _ := s.FinishInbound(ctx, old.ID, old.Claim, store.InboxDone, ""); ok {
		t.Fatal("the old claim finished the update")
	}
	if ok, _ := s.RenewInbound(ctx, u.ID, u.Claim, time.Minute); !ok {
		t.Fatal("the new claim cannot renew")
	}
	if ok, _ := s.FinishInbound(ctx, u.ID, u.Claim, store.InboxDone, ""); !ok {
		t.Fatal("the new claim cannot finish")
	}
}

// Finished updates are forgotten after the retention; pending ones never are.
func TestForgetInbound(t *testing.T) {
	s, ctx := parallelStore(t)
	addInbound(t, s, chat.Telegram, upd("1", "a"), upd("2", "b"))
	_, us := claimIDs(t, s, chat.Telegram, 1, time.Minute)
	if ok, _ := s.FinishInbound(ctx, us[0].ID, us[0].Claim, store.InboxDone, ""); !ok {
		t.Fatal("finish refused")
	}
	if n, err := s.ForgetInbound(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("forgot %d recent updates, %v", n, err)
	}
	if n, err := s.ForgetInbound(ctx, -time.Hour); err != nil || n != 1 {
		t.Fatalf("forgot %d, %v; want the finished one only", n, err)
	}
	if n := addInbound(t, s, chat.Telegram, upd("1", "a")); n != 1 {
		t.Fatal("a forgotten update is not new again")
	}
}
