package store_test

import (
	"fmt"
	"testing"
	"time"

	"loa/chat"
	"loa/store"
)

// TestDailyRollups: messages are counted on the day (in the configured zone) they
// finished, per channel, and stay counted when their rows are pruned; subscribers are
// snapshotted per day, a later snapshot of the same day replacing the earlier one.
func TestDailyRollups(t *testing.T) {
	s, ctx := parallelStore(t)
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		subscribe(t, s, chat.Telegram, fmt.Sprint(i), chat.KindPrivate)
	}
	subscribe(t, s, chat.Zalo, "z", chat.KindPrivate)
	broadcast(t, s, "a", "news", "")
	// 23:30 on 1 December in Hà Nội is 16:30 UTC; 00:30 on the 2nd is 17:30 UTC on the 1st.
	late := time.Date(2026, 12, 1, 23, 30, 0, 0, loc)
	early := time.Date(2026, 12, 2, 0, 30, 0, 0, loc)
	ds := claim(t, s, chat.Telegram, 10)
	ds = append(ds, claim(t, s, chat.Zalo, 10)...)
	// Outcomes as if recorded at those times: the engine's writes take the database's
	// clock, so the test sets finished_at itself, in the same kind of statement.
	finish := func(d store.Delivery, status store.DeliveryStatus, at time.Time) error {
		return s.Exec(ctx, `UPDATE deliveries SET status = $2, reason = CASE WHEN $2 = 'failed' THEN 'blocked' ELSE '' END,
			finished_at = $3 WHERE id = $1`, d.ID, status, at)
	}
	for i, d := range ds {
		var err error
		switch {
		case d.Channel == chat.Zalo:
			err = finish(d, store.DeliverySent, early)
		case i == 0:
			err = finish(d, store.DeliveryFailed, late)
		case i == 1:
			err = finish(d, store.DeliverySent, late)
		default:
			err = finish(d, store.DeliverySent, early)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Exec(ctx, `DELETE FROM deliveries`); err != nil {
		t.Fatal(err)
	}
	got, err := s.DailyOutcomes(ctx, loc, early, 30)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{2026-12-01 telegram 1 1} {2026-12-02 telegram 2 0} {2026-12-02 zalo 1 0}]"
	var out []string
	for _, d := range got {
		out = append(out, fmt.Sprintf("{%s %s %d %d}", d.Day.Format(time.DateOnly), d.Channel, d.Sent, d.Failed))
	}
	if fmt.Sprint(out) != want || !got[0].Day.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, loc)) {
		t.Fatalf("daily outcomes = %v, want %s", out, want)
	}
	if got, err := s.DailyOutcomes(ctx, loc, late, 1); err != nil || len(got) != 1 {
		t.Fatalf("one day back from the 1st: %+v, %v", got, err)
	}

	if err := s.SnapshotSubscribers(ctx, loc, late); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubscriberStatus(ctx, chat.Telegram, "1", store.StatusStopped, "/stop"); err != nil {
		t.Fatal(err)
	}
	if err := s.SnapshotSubscribers(ctx, loc, early); err != nil {
		t.Fatal(err)
	}
	if err := s.SnapshotSubscribers(ctx, loc, early); err != nil { // again: replaces
		t.Fatal(err)
	}
	subs, err := s.DailySubscribers(ctx, loc, early, 30)
	if err != nil {
		t.Fatal(err)
	}
	out = nil
	for _, d := range subs {
		out = append(out, fmt.Sprintf("%s %s %s %d", d.Day.Format(time.DateOnly), d.Channel, d.Status, d.Count))
	}
	if want := "[2026-12-01 telegram active 4 2026-12-01 zalo active 1 2026-12-02 telegram active 3 2026-12-02 telegram stopped 1 2026-12-02 zalo active 1]"; fmt.Sprint(out) != want {
		t.Fatalf("daily subscribers = %v\nwant %s", out, want)
	}
}
