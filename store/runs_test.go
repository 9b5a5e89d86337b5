package store_test

import (
	"context"
	"testing"
	"time"

	"loa/internal/dbtest"
	"loa/store"
)

// TestAnnouncementRunsOfCountsEachInOneQuery: the runs of several announcements are
// counted apart, and one without runs (or an id not asked for) is missing, so zero.
func TestAnnouncementRunsOfCountsEachInOneQuery(t *testing.T) {
	t.Parallel()
	s, url := dbtest.StoreURL(t)
	conn := dbtest.Conn(t, url)
	ctx := context.Background()
	by := s.As(store.Actor{ID: "cli:admin", Via: store.ViaCLI})
	later := time.Date(2100, 1, 1, 7, 0, 0, 0, time.UTC)
	var ids []int64
	for range 3 {
		a, err := by.CreateAnnouncement(ctx, store.NewAnnouncement{Body: "Họp", Topic: store.TopicAnnouncements,
			Schedule: store.ScheduleCron, Cron: "0 7 * * *", NextRunAt: later})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	t0 := time.Date(2024, 6, 5, 0, 0, 0, 0, time.UTC)
	for i, r := range []struct {
		id     int64
		status store.RunStatus
	}{{ids[0], store.RunSent}, {ids[0], store.RunSent}, {ids[0], store.RunMissed}, {ids[1], store.RunMissed}, {ids[2], store.RunSent}} {
		if _, err := conn.Exec(ctx, `INSERT INTO announcement_runs (announcement_id, run_at, status) VALUES ($1, $2, $3)`,
			r.id, t0.Add(time.Duration(i)*time.Hour), r.status); err != nil {
			t.Fatal(err)
		}
	}
	none, err := by.CreateAnnouncement(ctx, store.NewAnnouncement{Body: "Chưa chạy", Topic: store.TopicAnnouncements,
		Schedule: store.ScheduleOnce, NextRunAt: later})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.AnnouncementRunsOf(ctx, []int64{ids[0], ids[1], none.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]store.RunCount{ids[0]: {Sent: 2, Missed: 1}, ids[1]: {Missed: 1}}
	if len(got) != len(want) || got[ids[0]] != want[ids[0]] || got[ids[1]] != want[ids[1]] {
		t.Fatalf("AnnouncementRunsOf = %v, want %v (announcement %d not asked for)", got, want, ids[2])
	}
	if rc, err := s.AnnouncementRuns(ctx, ids[2]); err != nil || rc != (store.RunCount{Sent: 1}) {
		t.Fatalf("AnnouncementRuns(%d) = %+v, %v; want 1 sent", ids[2], rc, err)
	}
	if rc, err := s.AnnouncementRuns(ctx, none.ID); err != nil || rc != (store.RunCount{}) {
		t.Fatalf("AnnouncementRuns(%d) = %+v, %v; want none", none.ID, rc, err)
	}
}
