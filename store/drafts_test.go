package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loa/store"
)

// confirmDraft confirms draft id as admin, through the bot, to go out at at.
func confirmDraft(t *testing.T, s *store.Store, id int64, at time.Time, admin string) {
	t.Helper()
	if _, err := s.As(store.Actor{ID: admin, Via: store.ViaBot}).ConfirmDraft(context.Background(), id, at); err != nil {
		t.Fatalf("%s confirming draft %d: %v", admin, id, err)
	}
}

// wantHandled checks that admin can neither confirm nor discard draft id, confirmed
// already: both are refused with ErrNotDraft.
func wantHandled(t *testing.T, s *store.Store, id int64, at time.Time, admin string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.As(store.Actor{ID: admin, Via: store.ViaBot}).ConfirmDraft(ctx, id, at); !errors.Is(err, store.ErrNotDraft) {
		t.Errorf("%s confirming a confirmed draft: %v, want ErrNotDraft", admin, err)
	}
	if err := s.DiscardDraft(ctx, id, admin); !errors.Is(err, store.ErrNotDraft) {
		t.Errorf("%s discarding a confirmed draft: %v, want ErrNotDraft", admin, err)
	}
}

// TestDraftBelongsToItsAuthor: only the admin who wrote a draft may confirm, time or
// discard it; another admin gets a NotAuthorError naming the author, and the draft is
// left as it was.
func TestDraftBelongsToItsAuthor(t *testing.T) {
	s, ctx := parallelStore(t)
	d, err := s.CreateDraft(ctx, "Họp chi bộ", "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	wantNotAuthor := func(what string, err error) {
		t.Helper()
		var na *store.NotAuthorError
		if !errors.Is(err, store.ErrNotAuthor) || !errors.As(err, &na) || na.Author != "telegram:1" || na.ID != d.ID {
			t.Errorf("%s by another admin: %v, want a NotAuthorError naming telegram:1", what, err)
		}
	}
	_, err = s.As(store.Actor{ID: "telegram:2", Via: store.ViaBot}).ConfirmDraft(ctx, d.ID, at)
	wantNotAuthor("confirm", err)
	wantNotAuthor("discard", s.DiscardDraft(ctx, d.ID, "zalo:1"))
	_, err = s.SetDraftTime(ctx, d.ID, at, "telegram:2")
	wantNotAuthor("set time", err)
	if a, err := s.Announcement(ctx, d.ID); err != nil || a.Status != store.AnnouncementDraft || a.NextRunAt != nil {
		t.Fatalf("after others' attempts: %+v, %v; want the draft untouched", a, err)
	}
	if log, err := s.AuditLog(ctx, 10); err != nil || len(log) != 0 {
		t.Errorf("audit %+v, %v: refusals change nothing", log, err)
	}
	// A draft no longer open is "handled", whoever asks.
	confirmDraft(t, s, d.ID, at, "telegram:1")
	wantHandled(t, s, d.ID, at, "telegram:2")
	// The author may discard their own.
	d2, err := s.CreateDraft(ctx, "Họp chi bộ lần 2", "telegram:2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDraft(ctx, d2.ID, "telegram:2"); err != nil {
		t.Errorf("the author's discard: %v", err)
	}
	if err := s.DiscardDraft(ctx, 999, "telegram:2"); !errors.Is(err, store.ErrNotDraft) {
		t.Errorf("discarding no announcement: %v, want ErrNotDraft", err)
	}
}
