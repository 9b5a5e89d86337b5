package store_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

// TestPausedChatWaitsThenExpiresOrResumes: a paused chat is paused once (the second
// refusal reports nothing new, so the admins hear of it once), its deliveries stay
// pending and unclaimed, the max-age sweep fails only those old enough, and a resume
// lets the rest be claimed again.
func TestPausedChatWaitsThenExpiresOrResumes(t *testing.T) {
	s, url, ctx := parallelStoreURL(t)
	conn := dbtest.Conn(t, url)
	ch := subscribe(t, s, chat.Telegram, "-100777", chat.KindChannel)
	other := subscribe(t, s, chat.Telegram, "500", chat.KindPrivate)
	for i := range 2 {
		if _, _, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: fmt.Sprint("ann:", i), Kind: store.KindAnnouncement,
			Topic: store.TopicAnnouncements, Title: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	claimOf := func(sub int64) store.Delivery {
		t.Helper()
		ds, err := s.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "test")
		if err != nil {
			t.Fatal(err)
		}
		var mine *store.Delivery
		for _, d := range ds {
			if d.SubscriberID == sub {
				mine = &d
				continue
			}
			if err := s.RetryDelivery(ctx, d.ID, d.Claim, 0, "", false); err != nil {
				t.Fatal(err)
			}
		}
		if mine == nil {
			t.Fatalf("no delivery of subscriber %d claimed among %d", sub, len(ds))
		}
		return *mine
	}
	d := claimOf(ch.ID)
	paused, at, err := s.PauseSubscriber(ctx, d.ID, d.Claim, ch.ID, store.PauseNoRights, "no_rights (chat_paused): not enough rights")
	if err != nil || !paused || at.IsZero() {
		t.Fatalf("PauseSubscriber = %v, %v, %v; want paused now", paused, at, err)
	}
	// The same delivery's stale claim cannot pause again, nor change it.
	if _, _, err := s.PauseSubscriber(ctx, d.ID, d.Claim+1000, ch.ID, store.PauseNoRights, ""); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("pause under a lost claim: %v; want ErrClaimLost", err)
	}
	// Nothing of the paused chat is claimable; the other chat's deliveries are.
	for range 2 {
		ds, err := s.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ds {
			if x.SubscriberID == ch.ID {
				t.Fatalf("claimed delivery %d of the paused chat", x.ID)
			}
			if err := s.MarkSent(ctx, x.ID, x.Claim, 1, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	sub, err := s.SubscriberByChat(ctx, chat.Telegram, "-100777")
	if err != nil || sub.Status != store.StatusActive || sub.PausedAt == nil || sub.PauseReason != "no_rights" {
		t.Fatalf("paused subscriber = %+v, %v", sub, err)
	}
	// Younger than the max age: kept.
	if n, err := s.ExpirePausedDeliveries(ctx, chat.Telegram, time.Hour); err != nil || n != 0 {
		t.Fatalf("expire with 1h = %d, %v; want 0", n, err)
	}
	// A resume lets the first be claimed (the order holds), and a second refusal of a
	// chat paused again reports a new pause.
	admin := s.As(store.Actor{ID: "cli:admin", Via: store.ViaCLI})
	if _, was, err := admin.ResumeSubscriber(ctx, ch.ID); err != nil || !was {
		t.Fatalf("ResumeSubscriber = %v, %v", was, err)
	}
	if _, was, err := admin.ResumeSubscriber(ctx, ch.ID); err != nil || was {
		t.Fatalf("second ResumeSubscriber = %v, %v; want not paused", was, err)
	}
	// Both are audited, newest first, with what they found.
	es, err := s.AuditEntries(ctx, store.AuditFilter{Action: "subscriber.resume"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s %s %s: %s", e.Actor, e.Via, e.Target, e.Detail))
	}
	want := []string{
		fmt.Sprintf("cli:admin cli subscriber %d: was not paused", ch.ID),
		fmt.Sprintf("cli:admin cli subscriber %d: was paused (no_rights)", ch.ID),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit of the resumes = %q, want %q", got, want)
	}
	d2 := claimOf(ch.ID)
	if d2.ID != d.ID {
		t.Fatalf("after resume claimed %d, want the oldest, %d", d2.ID, d.ID)
	}
	if d2.Attempts != d.Attempts {
		t.Errorf("attempts %d after the pause; want %d (a pause is not a failed attempt)", d2.Attempts, d.Attempts)
	}
	if paused, _, err := s.PauseSubscriber(ctx, d2.ID, d2.Claim, ch.ID, store.PauseNoRights, "again"); err != nil || !paused {
		t.Fatalf("pause again = %v, %v", paused, err)
	}
	// Old enough (max age 0): both pending deliveries of the paused chat fail max_age;
	// the other chat's are untouched.
	if n, err := s.ExpirePausedDeliveries(ctx, chat.Telegram, 0); err != nil || n != 2 {
		t.Fatalf("expire with 0 = %d, %v; want 2", n, err)
	}
	var failed, sent int
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE subscriber_id = $1 AND status = 'failed' AND reason = 'max_age'),
		count(*) FILTER (WHERE subscriber_id = $2 AND status = 'sent') FROM deliveries`, ch.ID, other.ID).Scan(&failed, &sent); err != nil {
		t.Fatal(err)
	}
	if failed != 2 || sent != 2 {
		t.Fatalf("failed max_age %d, sent %d; want 2 and 2", failed, sent)
	}
	if _, _, err := admin.ResumeSubscriber(ctx, 999_999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("resume unknown: %v; want ErrNotFound", err)
	}
	// A chat added again by an admin (Subscribe) is not paused any more.
	subscribe(t, s, chat.Telegram, "-100777", chat.KindChannel)
	if sub, err := s.SubscriberByChat(ctx, chat.Telegram, "-100777"); err != nil || sub.PausedAt != nil {
		t.Fatalf("re-subscribed chat = %+v, %v; want not paused", sub, err)
	}
}
