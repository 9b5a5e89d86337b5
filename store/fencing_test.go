package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

// TestStaleReplicaCannotOverwriteNewerClaim: replica A claims a delivery, stalls past
// its lease, replica B claims it again; every write A makes afterwards is refused with
// ErrClaimLost and changes nothing, and B's claim goes on.
func TestStaleReplicaCannotOverwriteNewerClaim(t *testing.T) {
	s, url, ctx := parallelStoreURL(t)
	sub := subscribe(t, s, chat.Telegram, "1", chat.KindPrivate)
	broadcast(t, s, "a", "news", "")
	a, err := s.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "replica-a")
	if err != nil || len(a) != 1 {
		t.Fatalf("A's claim: %v, %v", a, err)
	}
	// A's lease runs out; B claims the delivery.
	elapse(t, url, 2*time.Minute)
	b, err := s.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "replica-b")
	if err != nil || len(b) != 1 || b[0].Claim == a[0].Claim {
		t.Fatalf("B's claim after A's lease: %+v, %v", b, err)
	}
	// A wakes up and records whatever it saw.
	stale := a[0]
	for what, err := range map[string]error{
		"retry":           s.RetryDelivery(ctx, stale.ID, stale.Claim, 0, "stale replica's outcome", true),
		"renew":           s.RenewLease(ctx, stale.ID, stale.Claim, time.Minute),
		"part sent":       s.MarkPartSent(ctx, stale.ID, stale.Claim, 1, time.Minute),
		"fail":            s.FailDelivery(ctx, stale.ID, stale.Claim, store.ReasonRejected, "stale"),
		"subscriber gone": s.SubscriberGone(ctx, stale.ID, stale.Claim, sub.ID, store.ReasonBlocked, "stale"),
		"sent":            s.MarkSent(ctx, stale.ID, stale.Claim, 1, time.Second),
	} {
		if !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("A's %s under a lost claim: %v, want ErrClaimLost", what, err)
		}
	}
	if again, err := s.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "replica-c"); err != nil || len(again) != 0 {
		t.Fatalf("a stale replica's write released B's claim: claimed again %+v, %v", again, err)
	}
	if got, err := s.SubscriberByChat(ctx, chat.Telegram, "1"); err != nil || got.Status != store.StatusActive {
		t.Fatalf("a stale replica's write marked the subscriber gone: %+v, %v", got, err)
	}
	// B's outcome is recorded, once.
	if err := s.MarkSent(ctx, b[0].ID, b[0].Claim, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, b[0].ID, b[0].Claim, 1, time.Second); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("recording a finished delivery again: %v, want ErrClaimLost", err)
	}
	if st := deliveryState(t, url, b[0].ID); st != "sent//" {
		t.Fatalf("delivery = %s, want sent with B's outcome", st)
	}
}

// TestEndingWritesSetReasons: every write that ends a delivery sets a reason code with
// the status, and keeps the detail apart.
func TestEndingWritesSetReasons(t *testing.T) {
	s, url, ctx := parallelStoreURL(t)
	gone := subscribe(t, s, chat.Telegram, "1", chat.KindPrivate)
	subscribePrivate(t, s, chat.Telegram, "2", "3")
	first := broadcast(t, s, "first", "news", "")
	second := broadcast(t, s, "second", "news", "")
	ds := claim(t, s, chat.Telegram, 10)
	byAddr := map[string]store.Delivery{}
	for _, d := range ds {
		byAddr[d.Address] = d
	}
	if err := s.SubscriberGone(ctx, byAddr["1"].ID, byAddr["1"].Claim, gone.ID, store.ReasonBlocked, "blocked (chat_gone): 403"); err != nil {
		t.Fatal(err)
	}
	if err := s.FailDelivery(ctx, byAddr["2"].ID, byAddr["2"].Claim, store.ReasonTooLong, "bad_request: message is too long"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubscriberStatus(ctx, chat.Telegram, "3", store.StatusStopped, "stopped by member"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.As(store.Actor{ID: "admin", Via: store.ViaBot}).CancelBroadcast(ctx, second); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"first/1":  "failed/blocked/blocked (chat_gone): 403",
		"first/2":  "failed/too_long/bad_request: message is too long",
		"first/3":  "cancelled/subscriber_gone/subscriber stopped",
		"second/1": "cancelled/subscriber_gone/subscriber gone: blocked",
		"second/2": "cancelled/broadcast_cancelled/broadcast cancelled",
		"second/3": "cancelled/subscriber_gone/subscriber stopped",
	}
	got := reasons(t, url, first, second)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %s, want %s", k, got[k], w)
		}
	}
}

// deliveryState reads a delivery as status/reason/last_error.
func deliveryState(t *testing.T, url string, id int64) string {
	t.Helper()
	ctx := context.Background()
	conn := dbtest.Conn(t, url)
	var st string
	if err := conn.QueryRow(ctx, `SELECT status || '/' || reason || '/' || last_error FROM deliveries WHERE id = $1`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// reasons reads the deliveries of the broadcasts as title/address →
// status/reason/last_error.
func reasons(t *testing.T, url string, broadcasts ...int64) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn := dbtest.Conn(t, url)
	rows, err := conn.Query(ctx, `SELECT b.title || '/' || s.address, d.status || '/' || d.reason || '/' || d.last_error
		FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.broadcast_id = ANY ($1)`, broadcasts)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSendInFlightAtCancelIsRecordedSent: a message already on its way when its
// broadcast is cancelled reached the chat, so its claim may still record it as sent
// (what Telegram accepted is what the store says was sent); a part of a longer message
// is not (no further part goes out), and a newer claim still fences a stale one.
func TestSendInFlightAtCancelIsRecordedSent(t *testing.T) {
	s, ctx := parallelStore(t)
	subscribePrivate(t, s, chat.Telegram, "1", "2")
	b := broadcast(t, s, "cancelled", "news", "")
	ds := claim(t, s, chat.Telegram, 10)
	if len(ds) != 2 {
		t.Fatalf("claimed %d", len(ds))
	}
	if n, err := s.As(store.Actor{ID: "admin", Via: store.ViaBot}).CancelBroadcast(ctx, b); err != nil || n != 2 {
		t.Fatalf("cancel stopped %d, %v", n, err)
	}
	if err := s.MarkPartSent(ctx, ds[1].ID, ds[1].Claim, 1, time.Minute); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("a part after the cancel: %v, want ErrClaimLost", err)
	}
	if err := s.MarkSent(ctx, ds[0].ID, ds[0].Claim+1, 1, 0); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("another claim's outcome: %v, want ErrClaimLost", err)
	}
	if err := s.MarkSent(ctx, ds[0].ID, ds[0].Claim, 1, 0); err != nil {
		t.Fatalf("the send in flight: %v", err)
	}
	bs, _, err := s.BroadcastDetail(ctx, b)
	if err != nil || bs.Sent != 1 || bs.Cancelled != 1 || bs.Pending != 0 {
		t.Fatalf("after cancel: %+v, %v; want 1 sent (in flight), 1 cancelled", bs, err)
	}
}
