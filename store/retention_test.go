package store_test

import (
	"fmt"
	"testing"
	"time"

	"loa/chat"
	"loa/store"
)

// TestPrune: only what the retention allows goes — finished rows of old counted
// broadcasts (their counts stay), old item bodies (the items stay), drafts never
// confirmed after a day, old audit entries — and a dry run counts exactly that.
func TestPrune(t *testing.T) {
	s, ctx := parallelStore(t)
	now := time.Now()
	for i := range 7 {
		subscribe(t, s, chat.Telegram, fmt.Sprint(i), chat.KindPrivate)
	}
	old := broadcast(t, s, "old", "news", "")
	oldUncounted := broadcast(t, s, "old-uncounted", "news", "")
	oldPending := broadcast(t, s, "old-pending", "news", "")
	recent := broadcast(t, s, "recent", "news", "")
	exec := func(q string, args ...any) {
		t.Helper()
		if err := s.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`UPDATE deliveries SET status = CASE WHEN subscriber_id % 3 = 0 THEN 'failed' ELSE 'sent' END,
		reason = CASE WHEN subscriber_id % 3 = 0 THEN 'blocked' ELSE '' END, finished_at = now()
		WHERE broadcast_id <> $1`, oldPending)
	exec(`UPDATE broadcasts SET created_at = now() - interval '100 days' WHERE id <> $1`, recent)
	if _, err := s.ReportFinished(ctx, func(store.BroadcastReport) (store.NewAlert, bool) { return store.NewAlert{}, false }); err != nil {
		t.Fatal(err)
	}
	// Made before the counters and not counted yet: its rows are its only count.
	exec(`UPDATE broadcasts SET counted = false WHERE id = $1`, oldUncounted)
	before, _, err := s.BroadcastDetail(ctx, old)
	if err != nil {
		t.Fatal(err)
	}

	exec(`INSERT INTO feeds (url, topic, poll_interval) VALUES ('https://example.org/rss', 'news', '5 minutes')`)
	exec(`INSERT INTO items (feed_id, item_key, title, summary, published_at, first_seen_at)
		SELECT 1, 'k' || g, 'Tin ' || g, 'Nội dung ' || g, now() - make_interval(days => g * 20), now() - make_interval(days => g * 20)
		FROM generate_series(0, 9) g`) // 5 of 10 older than 90 days
	fresh, err := s.CreateDraft(ctx, "Bản nháp mới", "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := s.CreateDraft(ctx, "Bản nháp cũ", "telegram:2", nil)
	if err != nil {
		t.Fatal(err)
	}
	dropped, err := s.CreateDraft(ctx, "Bản nháp bỏ", "telegram:3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDraft(ctx, dropped.ID, "telegram:3"); err != nil {
		t.Fatal(err)
	}
	cancelled, err := s.As(store.Actor{ID: "cli:admin", Via: store.ViaCLI}).CreateAnnouncement(ctx, store.NewAnnouncement{Body: "Họp", Topic: "announcements",
		Schedule: store.ScheduleOnce, NextRunAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.As(store.Actor{ID: "cli:admin", Via: store.ViaCLI}).CancelAnnouncement(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE announcements SET created_at = now() - interval '2 days' WHERE id <> $1`, fresh.ID)
	exec(`INSERT INTO audit_log (at, actor, action) SELECT now() - make_interval(days => g * 100), 'loa', 'test'
		FROM generate_series(1, 10) g`) // 100 to 1,000 days old: 3 older than 730 days

	r := store.Retention{Deliveries: 90 * 24 * time.Hour, Audit: 730 * 24 * time.Hour, Batch: 2}
	want := store.Pruned{Deliveries: 7, ItemBodies: 5, Drafts: 2, AuditEntries: 3}
	if got, err := s.Prune(ctx, now, r, true); err != nil || got != want {
		t.Fatalf("dry run = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.Prune(ctx, now, r, false); err != nil || got != want {
		t.Fatalf("prune = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.Prune(ctx, now, r, false); err != nil || got != (store.Pruned{}) {
		t.Fatalf("second prune = %+v, %v; want nothing", got, err)
	}

	after, fails, err := s.BroadcastDetail(ctx, old)
	if err != nil || after.Total != before.Total || after.Sent != before.Sent || after.Failed != before.Failed ||
		fmt.Sprint(fails) != "[{failed blocked 2}]" {
		t.Fatalf("old broadcast after prune: %+v %v, %v; want %+v", after, fails, err, before)
	}
	var rows, items, bodies, anns int
	if err := s.QueryRow(ctx, `SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM items),
		(SELECT count(*) FROM items WHERE summary <> ''), (SELECT count(*) FROM announcements)`,
		&rows, &items, &bodies, &anns); err != nil {
		t.Fatal(err)
	}
	// Kept: the uncounted, the pending and the recent broadcasts' rows; every item; the
	// fresh draft and the cancelled announcement.
	if rows != 21 || items != 10 || bodies != 5 || anns != 2 {
		t.Fatalf("kept %d deliveries, %d items (%d with bodies), %d announcements; want 21, 10 (5), 2", rows, items, bodies, anns)
	}
	if _, err := s.Announcement(ctx, stale.ID); err == nil {
		t.Fatal("an abandoned draft survived")
	}
}
