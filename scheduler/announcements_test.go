package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/calendar"
	"loa/chat"
	"loa/internal/alerttest"
	"loa/internal/dbtest"
	"loa/internal/testclock"
	"loa/store"
)

var hanoi = time.FixedZone("ICT", 7*3600)

func announcer(st *store.Store, c *testclock.Clock) *Announcer {
	return &Announcer{
		Store: st, Location: hanoi, Now: c.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func schedule(t *testing.T, st *store.Store, na store.NewAnnouncement) store.Announcement {
	t.Helper()
	if na.Topic == "" {
		na.Topic = store.TopicAnnouncements
	}
	a, err := st.As(store.Actor{ID: "test", Via: store.ViaBot}).CreateAnnouncement(context.Background(), na)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func summaries(t *testing.T, st *store.Store) []string {
	t.Helper()
	bs, err := st.Broadcasts(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(bs) - 1; i >= 0; i-- {
		out = append(out, bs[i].Summary)
	}
	return out
}

func TestCronAnnouncementFiresOncePerMinuteWithTwoReplicas(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	c := testclock.New(time.Date(2024, 6, 5, 7, 0, 0, 0, hanoi))
	first, err := NextRun(Schedule{Kind: store.ScheduleCron, Cron: "* 7 * * *"}, c.Now().Add(-time.Second), hanoi)
	if err != nil {
		t.Fatal(err)
	}
	schedule(t, st, store.NewAnnouncement{Body: "Họp giao ban", Schedule: store.ScheduleCron, Cron: "* 7 * * *", NextRunAt: *first})
	a, b := announcer(st, c), announcer(st, c)
	for minute := 0; minute < 5; minute++ {
		c.Set(time.Date(2024, 6, 5, 7, minute, 30, 0, hanoi))
		var wg sync.WaitGroup
		for _, r := range []*Announcer{a, b, a, b} {
			wg.Go(func() {
				if _, err := r.Tick(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if got := len(summaries(t, st)); got != 5 {
		t.Fatalf("%d broadcasts for 5 minutes ticked by two replicas, want 5", got)
	}
	runs, err := st.AnnouncementRuns(context.Background(), 1)
	if err != nil || runs.Sent != 5 || runs.Missed != 0 {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
}

func TestMissedRunInsideAndOutsideTheGraceWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		back       time.Duration // when the service comes back, after the run time
		wantSent   int
		wantMissed int
	}{
		{"back after 59 minutes: sent late", 59 * time.Minute, 1, 0},
		{"back after 2 hours: missed, admins told", 2 * time.Hour, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := dbtest.Store(t)
			runAt := time.Date(2024, 6, 5, 7, 0, 0, 0, hanoi)
			ann := schedule(t, st, store.NewAnnouncement{Body: "Thông báo", Schedule: store.ScheduleOnce, NextRunAt: runAt})
			c := testclock.New(runAt.Add(tt.back))
			a := announcer(st, c)
			alerts := &alerttest.Recorder{}
			a.Alert = alerts.Alert
			for range 2 {
				if _, err := a.Tick(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			runs, err := st.AnnouncementRuns(context.Background(), ann.ID)
			if err != nil || runs.Sent != tt.wantSent || runs.Missed != tt.wantMissed {
				t.Fatalf("runs = %+v, %v", runs, err)
			}
			if len(summaries(t, st)) != tt.wantSent {
				t.Fatalf("broadcasts = %v", summaries(t, st))
			}
			if al := alerts.All(); (len(al) == 1) != (tt.wantMissed == 1) || len(al) > 1 {
				t.Fatalf("alerts = %q", al)
			}
			got, _ := st.Announcement(context.Background(), ann.ID)
			if got.Status != store.AnnouncementDone || got.NextRunAt != nil {
				t.Fatalf("announcement after its one run: %+v", got)
			}
		})
	}
}

func TestLongOutageOfACronAnnouncementIsOneMissedRun(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	start := time.Date(2024, 6, 5, 7, 0, 0, 0, hanoi)
	ann := schedule(t, st, store.NewAnnouncement{Body: "x", Schedule: store.ScheduleCron, Cron: "*/10 * * * *", NextRunAt: start})
	c := testclock.New(start.Add(5*time.Hour + 5*time.Minute)) // back at 12:05
	a := announcer(st, c)
	alerts := &alerttest.Recorder{}
	a.Alert = alerts.Alert
	if _, err := a.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	runs, _ := st.AnnouncementRuns(context.Background(), ann.ID)
	// One missed record for the outage, then the runs inside the last hour: 11:10 … 12:00.
	if raised := len(alerts.All()); runs.Missed != 1 || runs.Sent != 6 || raised != 1 {
		t.Fatalf("runs = %+v, alerts %d; want 1 missed, 6 sent late, 1 alert", runs, raised)
	}
	got, _ := st.Announcement(context.Background(), ann.ID)
	if want := time.Date(2024, 6, 5, 12, 10, 0, 0, hanoi); got.NextRunAt == nil || !got.NextRunAt.Equal(want) {
		t.Fatalf("next run = %v, want %v", got.NextRunAt, want)
	}
}

func TestEventGreetingEveryYearWithTheRightCount(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ev := calendar.Event{ID: 7, Slug: "bac-ho-ra-di", Title: "Ngày Bác Hồ ra đi tìm đường cứu nước", Kind: calendar.Solar,
		Day: 5, Month: 6, FoundedYear: 1911, Category: calendar.National, Enabled: true}
	sched := Schedule{Kind: store.ScheduleEvent, Event: &ev, EventTime: "07:00"}
	c := testclock.New(time.Date(2024, 1, 1, 9, 0, 0, 0, hanoi))
	first, err := NextRun(sched, c.Now(), hanoi)
	if err != nil || first == nil || !first.Equal(time.Date(2024, 6, 5, 7, 0, 0, 0, hanoi)) {
		t.Fatalf("first run = %v, %v", first, err)
	}
	id := ev.ID
	schedule(t, st, store.NewAnnouncement{
		Body:     "Kỷ niệm {years} năm Ngày Bác Hồ ra đi tìm đường cứu nước ({founded} - {date})",
		Schedule: store.ScheduleEvent, EventID: &id, EventTime: "07:00", NextRunAt: *first,
	})
	a := announcer(st, c)
	a.Event = func(_ context.Context, got int64) (calendar.Event, error) {
		if got != ev.ID {
			return calendar.Event{}, fmt.Errorf("event %d: %w", got, store.ErrNotFound)
		}
		return ev, nil
	}
	for _, day := range []time.Time{
		time.Date(2024, 6, 4, 7, 0, 0, 0, hanoi), // the day before: nothing
		time.Date(2024, 6, 5, 7, 0, 5, 0, hanoi),
		time.Date(2024, 6, 5, 8, 0, 0, 0, hanoi), // later the same day: nothing more
		time.Date(2025, 6, 5, 7, 1, 0, 0, hanoi),
	} {
		c.Set(day)
		if _, err := a.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := "[Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024) " +
		"Kỷ niệm 114 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2025)]"
	if got := fmt.Sprint(summaries(t, st)); got != want {
		t.Fatalf("greetings = %s\nwant %s", got, want)
	}
}

func TestCancelStopsFutureRunsAndPendingDeliveries(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ctx := context.Background()
	for i := range 3 {
		if _, _, err := st.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(100 + i), Kind: chat.KindPrivate}); err != nil {
			t.Fatal(err)
		}
	}
	runAt := time.Date(2024, 6, 5, 7, 0, 0, 0, hanoi)
	ann := schedule(t, st, store.NewAnnouncement{Body: "Họp", Schedule: store.ScheduleCron, Cron: "0 7 * * *", NextRunAt: runAt})
	c := testclock.New(runAt)
	if n, err := announcer(st, c).Tick(ctx); err != nil || n != 1 {
		t.Fatalf("tick = %d, %v", n, err)
	}
	stopped, err := st.As(store.Actor{ID: "telegram:1", Via: store.ViaBot}).CancelAnnouncement(ctx, ann.ID)
	if err != nil || stopped != 3 {
		t.Fatalf("cancel stopped %d, %v; want the 3 pending deliveries", stopped, err)
	}
	if _, err := st.As(store.Actor{ID: "telegram:1", Via: store.ViaBot}).CancelAnnouncement(ctx, ann.ID); err == nil || !strings.Contains(err.Error(), "already cancelled") {
		t.Fatalf("second cancel: %v", err)
	}
	c.Set(runAt.Add(24 * time.Hour))
	if n, err := announcer(st, c).Tick(ctx); err != nil || n != 0 {
		t.Fatalf("tick after cancel = %d, %v", n, err)
	}
	log, err := st.AuditLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Actor+" "+e.Action)
	}
	if got := fmt.Sprint(actions); got != "[telegram:1 announcement.cancel loa announcement.sent test announcement.create]" {
		t.Fatalf("audit = %s", got)
	}
}

// A run that panics is recovered and logged with its stack; its announcement is held
// back for a while (not retried every tick), and the other announcements go out.
func TestAnnouncementRunPanicIsRecovered(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	c := testclock.New(time.Date(2024, 6, 5, 7, 0, 0, 0, hanoi))
	id := int64(7)
	schedule(t, st, store.NewAnnouncement{Body: "Chúc mừng", Schedule: store.ScheduleEvent, EventID: &id, EventTime: "07:00", NextRunAt: c.Now()})
	schedule(t, st, store.NewAnnouncement{Body: "Họp chi bộ", Schedule: store.ScheduleOnce, NextRunAt: c.Now()})
	a := announcer(st, c)
	var logs strings.Builder
	var mu sync.Mutex
	a.Log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	calls := 0
	a.Event = func(context.Context, int64) (calendar.Event, error) {
		calls++
		var ev *calendar.Event
		return *ev, nil // nil dereference, as a bug would
	}
	made, err := a.Tick(context.Background())
	if err != nil || made != 1 || fmt.Sprint(summaries(t, st)) != "[Họp chi bộ]" {
		t.Fatalf("tick made %d, %v, broadcasts %v; want the healthy announcement out", made, err, summaries(t, st))
	}
	// Held back: the next ticks within the hold do not run it again.
	c.Advance(panicHold / 2)
	if _, err := a.Tick(context.Background()); err != nil || calls != 1 {
		t.Fatalf("ticked %d times into the bug during its hold (%v)", calls, err)
	}
	c.Advance(panicHold)
	if _, err := a.Tick(context.Background()); err != nil || calls != 2 {
		t.Fatalf("after the hold the run was tried %d times (%v); want once more", calls, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), `msg="announcement run panicked"`) || !strings.Contains(logs.String(), "announcements_test.go") {
		t.Fatalf("the panic was not logged with its stack:\n%s", logs.String())
	}
}
