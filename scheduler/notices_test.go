package scheduler

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/calendar"
	"loa/chat"
	"loa/internal/dbtest"
	"loa/internal/testclock"
	"loa/store"
)

// saigon is the real zone, as LOA_TIMEZONE names it.
var saigon = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// local is a wall-clock time in Vietnam.
func local(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, saigon)
}

// seededStore is a store holding the built-in calendar.
func seededStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st := dbtest.StoreAt(t, url)
	events, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SeedBuiltinEvents(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	return st
}

// notifier ticks at 07:00 in Vietnam by the clock c.
func notifier(st *store.Store, c *testclock.Clock) *Notifier {
	return &Notifier{Store: st, Location: saigon, Hour: 7, Minute: 0, Now: c.Now}
}

// eventID returns the stored id of a built-in event.
func eventID(t *testing.T, st *store.Store, slug string) int64 {
	t.Helper()
	events, err := st.Events(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Slug == slug {
			return e.ID
		}
	}
	t.Fatalf("no event %q", slug)
	return 0
}

// notices returns the anniversary broadcasts, source key → title.
func notices(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	bs, err := st.Broadcasts(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range bs {
		if b.Kind != store.KindAnniversary || b.Topic != store.TopicAnniversaries || b.Summary != "" || b.Link != "" {
			t.Errorf("broadcast %+v", b)
		}
		out[b.SourceKey] = b.Title
	}
	return out
}

func tick(t *testing.T, n *Notifier) int {
	t.Helper()
	created, err := n.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// TestNoticeAfterAnOutageGoesOutOnceTheSameDay: the service is down from 06:00 to 09:00
// on 5/6/2024; the 07:00 notice goes out at 09:00, once.
func TestNoticeAfterAnOutageGoesOutOnceTheSameDay(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	c := testclock.New(local(2024, 6, 5, 5, 59))
	n := notifier(st, c)
	if got := tick(t, n); got != 0 {
		t.Fatalf("05:59: created %d", got)
	}
	// Down from 06:00; back at 09:00.
	c.Set(local(2024, 6, 5, 9, 0))
	if got := tick(t, n); got != 1 {
		t.Fatalf("09:00: created %d, want 1", got)
	}
	for _, at := range []time.Time{local(2024, 6, 5, 9, 1), local(2024, 6, 5, 12, 0), local(2024, 6, 5, 23, 59)} {
		c.Set(at)
		if got := tick(t, n); got != 0 {
			t.Fatalf("%s: created %d again", at.Format("15:04"), got)
		}
	}
	key := fmt.Sprintf("anniv:%d:2024-06-05", eventID(t, st, "bac-ho-ra-di-tim-duong-cuu-nuoc"))
	want := map[string]string{key: "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)"}
	if got := notices(t, st); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("notices = %v, want %v", got, want)
	}
}

func TestNoticeWaitsForTheNoticeTime(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	c := testclock.New(local(2024, 6, 5, 6, 59).Add(59 * time.Second))
	n := notifier(st, c)
	if got := tick(t, n); got != 0 || len(notices(t, st)) != 0 {
		t.Fatalf("06:59:59: created %d", got)
	}
	c.Set(local(2024, 6, 5, 7, 0))
	if got := tick(t, n); got != 1 {
		t.Fatalf("07:00: created %d, want 1", got)
	}
}

// TestNoticeUsesTheLocalDate: 00:30 on 5/6 in Vietnam is still 4/6 in UTC.
func TestNoticeUsesTheLocalDate(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	at := local(2024, 6, 5, 0, 30)
	if at.UTC().Day() != 4 {
		t.Fatalf("test premise: %s is not the previous day in UTC", at.UTC())
	}
	c := testclock.New(at.UTC())
	n := &Notifier{Store: st, Location: saigon, Hour: 0, Minute: 15, Now: c.Now}
	if got := tick(t, n); got != 1 {
		t.Fatalf("created %d, want 1", got)
	}
	key := fmt.Sprintf("anniv:%d:2024-06-05", eventID(t, st, "bac-ho-ra-di-tim-duong-cuu-nuoc"))
	if _, ok := notices(t, st)[key]; !ok {
		t.Fatalf("notices = %v, want %s", notices(t, st), key)
	}
}

// TestAdvanceNoticeOfARoundYear: 80 years of Quốc khánh on 2/9/2025, announced 7 days
// before and on the day, under two keys.
func TestAdvanceNoticeOfARoundYear(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	id := eventID(t, st, "quoc-khanh")
	c := testclock.New(local(2025, 8, 26, 7, 0))
	n := notifier(st, c)
	tick(t, n)
	c.Set(local(2025, 9, 2, 7, 0))
	tick(t, n)
	got := notices(t, st)
	advance := fmt.Sprintf("anniv:%d:2025-08-26:advance", id)
	day := fmt.Sprintf("anniv:%d:2025-09-02", id)
	if got[advance] != "Còn 7 ngày nữa là đến kỷ niệm 80 năm (năm tròn) Ngày Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (2/9/1945 - 2/9/2025)" {
		t.Errorf("advance notice %s = %q", advance, got[advance])
	}
	if got[day] != "Kỷ niệm 80 năm (năm tròn) Ngày Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (2/9/1945 - 2/9/2025)" {
		t.Errorf("notice %s = %q", day, got[day])
	}
	// 2/9/2024 is not a round year: no advance notice on 26/8/2024.
	c.Set(local(2024, 8, 26, 7, 0))
	tick(t, n)
	for k := range notices(t, st) {
		if strings.HasPrefix(k, fmt.Sprintf("anniv:%d:2024-", id)) {
			t.Errorf("notice %s for a year that is not round", k)
		}
	}
}

// TestLunarNotice: Giỗ Tổ Hùng Vương, 10/3 âm lịch, fell on 18/4/2024.
func TestLunarNotice(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	c := testclock.New(local(2024, 4, 17, 7, 0))
	n := notifier(st, c)
	tick(t, n)
	key := fmt.Sprintf("anniv:%d:2024-04-18", eventID(t, st, "gio-to-hung-vuong"))
	if _, ok := notices(t, st)[key]; ok {
		t.Fatal("Giỗ Tổ announced on 17/4")
	}
	c.Set(local(2024, 4, 18, 7, 0))
	tick(t, n)
	if got := notices(t, st)[key]; got != "Giỗ Tổ Hùng Vương (mùng 10 tháng 3 âm lịch, tức 18/4/2024)" {
		t.Fatalf("notice %s = %q", key, got)
	}
}

func TestDisabledEventsAreSkipped(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	if _, err := st.SetEventEnabled(context.Background(), eventID(t, st, "bac-ho-ra-di-tim-duong-cuu-nuoc"), false); err != nil {
		t.Fatal(err)
	}
	c := testclock.New(local(2024, 6, 5, 7, 0))
	if got := tick(t, notifier(st, c)); got != 0 || len(notices(t, st)) != 0 {
		t.Fatalf("created %d for a disabled event: %v", got, notices(t, st))
	}
}

// TestTwoNotifiersMakeEachNoticeOnce: two replicas (two pools on one schema) ticking at
// the same time make one broadcast per occurrence.
func TestTwoNotifiersMakeEachNoticeOnce(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	a := seededStore(t, url)
	b := dbtest.StoreAt(t, url)
	// 2/9/2025: Quốc khánh's 80th; 26/8 also holds advance notices. Tick both days.
	for _, day := range []time.Time{local(2025, 9, 2, 7, 0), local(2025, 8, 26, 7, 0)} {
		c := testclock.New(day)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, st := range []*store.Store{a, b, a, b} {
			wg.Go(func() {
				for range 5 {
					created, err := notifier(st, c).Tick(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					total += created
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		events, err := a.Events(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		d := calendar.DateIn(day, saigon)
		want := len(calendar.Occurrences(events, d, d))
		if want == 0 || total != want {
			t.Errorf("%s: %d notices created, want %d", d, total, want)
		}
	}
	if got := len(notices(t, a)); got < 2 {
		t.Errorf("%d notices stored", got)
	}
}

// TestMutedAnniversariesGetNoDelivery: fan-out leaves out subscribers who muted the
// anniversaries topic.
func TestMutedAnniversariesGetNoDelivery(t *testing.T) {
	t.Parallel()
	st := seededStore(t, dbtest.URL(t))
	ctx := context.Background()
	for _, addr := range []string{"1", "2"} {
		if _, _, err := st.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: addr, Kind: chat.KindPrivate}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SetTopicMuted(ctx, chat.Telegram, "2", store.TopicAnniversaries, true); err != nil {
		t.Fatal(err)
	}
	c := testclock.New(local(2024, 6, 5, 7, 0))
	if got := tick(t, notifier(st, c)); got != 1 {
		t.Fatalf("created %d", got)
	}
	ds, err := st.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Address != "1" || ds[0].Kind != store.KindAnniversary {
		t.Fatalf("deliveries = %+v, want one to chat 1", ds)
	}
}
