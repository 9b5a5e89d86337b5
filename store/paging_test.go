package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

func TestParseCursor(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 9, 30, 1, 123456000, time.UTC)
	for _, c := range []struct {
		c     store.Cursor
		timed bool
	}{{store.Cursor{ID: 42}, false}, {store.Cursor{At: at, ID: 7}, true}, {store.Cursor{At: time.Unix(0, 1000).UTC(), ID: 1}, true}} {
		got, err := store.ParseCursor(c.c.String(), c.timed)
		if err != nil || !got.At.Equal(c.c.At) || got.ID != c.c.ID {
			t.Errorf("ParseCursor(%q) = %v, %v; want %v", c.c.String(), got, err, c.c)
		}
	}
	for _, s := range []string{"", "abc", "0", "-1", "01", "+1", "1 ", "1_2", "9223372036854775808", "1.5"} {
		if _, err := store.ParseCursor(s, false); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("ParseCursor(%q, untimed) = %v, want ErrBadCursor", s, err)
		}
	}
	for _, s := range []string{"", "2", "_2", "1_", "1_0", "x_2", "1_2_3", "01_2", "1.5_2", "1__2", "99999999999999999999_1"} {
		if _, err := store.ParseCursor(s, true); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("ParseCursor(%q, timed) = %v, want ErrBadCursor", s, err)
		}
	}
}

// walkPages reads a whole list page by page, forward from the first page and back
// from the last, and checks both walks against want (the ids in the list's order): no
// row missing, none repeated, every page but the last full, the flags right.
func walkPages[T any](t *testing.T, size int, want []int64, fetch func(store.Page) (store.Paged[T], error), id func(T) int64) {
	t.Helper()
	ids := func(pg store.Paged[T]) []int64 {
		var out []int64
		for _, r := range pg.Rows {
			out = append(out, id(r))
		}
		return out
	}
	get := func(p store.Page) store.Paged[T] {
		t.Helper()
		p.Size = size
		pg, err := fetch(p)
		if err != nil {
			t.Fatalf("page %+v: %v", p, err)
		}
		if len(pg.Rows) > size {
			t.Fatalf("page %+v: %d rows", p, len(pg.Rows))
		}
		return pg
	}
	// Forward.
	var fwd [][]int64
	pg := get(store.Page{})
	if pg.HasBefore {
		t.Errorf("size %d: the first page says rows come before it", size)
	}
	for {
		fwd = append(fwd, ids(pg))
		if !pg.HasAfter {
			break
		}
		if len(fwd) > len(want)+1 {
			t.Fatalf("size %d: more pages than rows", size)
		}
		pg = get(store.Page{After: pg.Last})
		if len(pg.Rows) > 0 && !pg.HasBefore {
			t.Errorf("size %d: page %d says nothing comes before it", size, len(fwd)+1)
		}
	}
	if got := slices.Concat(fwd...); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("size %d forward: %v, want %v", size, fwd, want)
	}
	for i, p := range fwd[:len(fwd)-1] {
		if len(p) != size {
			t.Errorf("size %d: page %d of %d has %d rows", size, i+1, len(fwd), len(p))
		}
	}
	if len(want) == 0 {
		if len(fwd) != 1 || pg.HasAfter || pg.HasBefore {
			t.Errorf("empty list: %d pages, HasBefore %v HasAfter %v", len(fwd), pg.HasBefore, pg.HasAfter)
		}
		return
	}
	// Back, from the last page, by each page's first row.
	back := [][]int64{ids(pg)} // pg is the last page
	for pg.HasBefore {
		pg = get(store.Page{Before: pg.First})
		if !pg.HasAfter {
			t.Errorf("size %d: a page walking back says nothing comes after it", size)
		}
		back = append([][]int64{ids(pg)}, back...)
		if len(back) > len(want)+1 {
			t.Fatalf("size %d: more pages back than rows", size)
		}
	}
	if got := slices.Concat(back...); !slices.Equal(got, want) {
		t.Fatalf("size %d back: %v, want %v", size, back, want)
	}
}

// pageSizes are the sizes each list is walked with: one row a page, a few, exactly the
// whole list, and more than it.
func pageSizes(n int) []int { return []int{1, 2, 3, n, n + 1} }

// schema is a test schema of its own: its URL, a store on it, and a connection for
// what only SQL can set up (times that tie, years of history).
func schema(tb testing.TB) (string, *store.Store, *pgx.Conn) {
	tb.Helper()
	url := dbtest.URL(tb)
	return url, dbtest.StoreAt(tb, url), dbtest.Conn(tb, url)
}

func TestBroadcastPage(t *testing.T) {
	t.Parallel()
	_, s, conn := schema(t)
	ctx := context.Background()
	fetch := func(p store.Page) (store.Paged[store.BroadcastStat], error) { return s.BroadcastPage(ctx, p) }
	id := func(b store.BroadcastStat) int64 { return b.ID }
	walkPages(t, 3, nil, fetch, id)

	var ids []int64
	for i := range 7 {
		id, _, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: fmt.Sprintf("test:%d", i), Kind: store.KindArticle, Topic: "news", Title: "x"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// Four made in the same microsecond (ties broken by id), one before, two after;
	// the times have microseconds, which the cursor must keep.
	tie := time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)
	for i, at := range []time.Time{tie.Add(-time.Hour), tie, tie, tie, tie.Add(time.Microsecond), tie.Add(time.Hour), tie} {
		if _, err := conn.Exec(ctx, `UPDATE broadcasts SET created_at = $2 WHERE id = $1`, ids[i], at); err != nil {
			t.Fatal(err)
		}
	}
	want := []int64{ids[5], ids[4], ids[6], ids[3], ids[2], ids[1], ids[0]}
	for _, size := range pageSizes(len(want)) {
		walkPages(t, size, want, fetch, id)
	}
	// Exactly one page: nothing after, nothing before.
	pg, err := s.BroadcastPage(ctx, store.Page{Size: 7})
	if err != nil || len(pg.Rows) != 7 || pg.HasAfter || pg.HasBefore {
		t.Errorf("one full page: %d rows, HasBefore %v HasAfter %v, %v", len(pg.Rows), pg.HasBefore, pg.HasAfter, err)
	}
	if n, err := s.CountBroadcasts(ctx); err != nil || n != 7 {
		t.Errorf("CountBroadcasts = %d, %v; want 7", n, err)
	}
	// A cursor past the end: an empty page, no links.
	pg, err = s.BroadcastPage(ctx, store.Page{Size: 3, After: store.Cursor{At: tie.Add(-48 * time.Hour), ID: 1}})
	if err != nil || len(pg.Rows) != 0 || pg.HasAfter || pg.HasBefore {
		t.Errorf("past the end: %d rows, HasBefore %v HasAfter %v, %v", len(pg.Rows), pg.HasBefore, pg.HasAfter, err)
	}
}

func TestAuditPage(t *testing.T) {
	t.Parallel()
	_, s, conn := schema(t)
	ctx := context.Background()
	id := func(e store.AuditEntry) int64 { return e.ID }
	pageOf := func(f store.AuditFilter) func(store.Page) (store.Paged[store.AuditEntry], error) {
		return func(p store.Page) (store.Paged[store.AuditEntry], error) { return s.AuditPage(ctx, f, p) }
	}
	walkPages(t, 2, nil, pageOf(store.AuditFilter{}), id)

	// One statement writes five entries: they share now(), the ties paging must order.
	if _, err := conn.Exec(ctx, `INSERT INTO audit_log (actor, via, action, target)
		SELECT CASE WHEN g % 2 = 0 THEN 'telegram:1' ELSE 'cli:an' END, 'cli', 'feed.add', 'feed ' || g FROM generate_series(1, 5) g`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.As(store.Actor{ID: "telegram:1", Via: store.ViaWeb}).Record(ctx, "web.signin", "", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AuditEntries(ctx, store.AuditFilter{Limit: 1000})
	if err != nil || len(all) != 8 {
		t.Fatalf("%d entries, %v", len(all), err)
	}
	// The expected order, independently: time, then id, newest first.
	var want []int64
	rows, err := conn.Query(ctx, `SELECT id FROM audit_log ORDER BY at DESC, id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for _, size := range pageSizes(len(want)) {
		walkPages(t, size, want, pageOf(store.AuditFilter{}), id)
	}
	// With filters: the walk keeps them.
	var actorWant, actionWant []int64
	for _, e := range all {
		if e.Actor == "telegram:1" {
			actorWant = append(actorWant, e.ID)
		}
		if e.Action == "feed.add" {
			actionWant = append(actionWant, e.ID)
		}
	}
	for _, size := range []int{1, 2, 5} {
		walkPages(t, size, actorWant, pageOf(store.AuditFilter{Actor: "telegram:1"}), id)
		walkPages(t, size, actionWant, pageOf(store.AuditFilter{Action: "feed."}), id)
	}
	if _, ok, err := s.AuditLogEstimate(ctx); err != nil {
		t.Fatal(err)
	} else if ok {
		t.Log("audit_log was analyzed already")
	}
	if _, err := conn.Exec(ctx, `ANALYZE audit_log`); err != nil {
		t.Fatal(err)
	}
	if n, ok, err := s.AuditLogEstimate(ctx); err != nil || !ok || n != 8 {
		t.Errorf("AuditLogEstimate after ANALYZE = %d, %v, %v; want 8", n, ok, err)
	}
}

func TestSearchSubscribersPages(t *testing.T) {
	s, ctx := parallelStore(t)
	id := func(s store.Subscriber) int64 { return s.ID }
	pageOf := func(f store.SubscriberFilter) func(store.Page) (store.Paged[store.Subscriber], error) {
		return func(p store.Page) (store.Paged[store.Subscriber], error) {
			pg, _, err := s.SearchSubscribers(ctx, f, p)
			return pg, err
		}
	}
	walkPages(t, 2, nil, pageOf(store.SubscriberFilter{}), id)
	var all, zalo, anh []int64
	for i := range 7 {
		c := chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(100 + i), Kind: chat.KindPrivate, Title: fmt.Sprintf("Chị Hoa %d", i)}
		if i%3 == 0 {
			c = chat.Chat{Channel: chat.Zalo, Address: fmt.Sprintf("z%d", i), Kind: chat.KindPrivate, Title: fmt.Sprintf("Anh Nam %d", i)}
		}
		sub, _, err := s.Subscribe(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, sub.ID)
		if c.Channel == chat.Zalo {
			zalo = append(zalo, sub.ID)
			anh = append(anh, sub.ID)
		}
	}
	for _, size := range pageSizes(len(all)) {
		walkPages(t, size, all, pageOf(store.SubscriberFilter{}), id)
	}
	for _, size := range pageSizes(len(zalo)) {
		walkPages(t, size, zalo, pageOf(store.SubscriberFilter{Channel: chat.Zalo}), id)
		walkPages(t, size, anh, pageOf(store.SubscriberFilter{Query: "anh nam"}), id)
	}
	// The count is of every match, whatever the page.
	_, total, err := s.SearchSubscribers(ctx, store.SubscriberFilter{Channel: chat.Telegram}, store.Page{Size: 1, After: store.Cursor{ID: all[5]}})
	if err != nil || total != len(all)-len(zalo) {
		t.Errorf("total on a later page = %d, %v; want %d", total, err, len(all)-len(zalo))
	}
}

func TestAnnouncementPage(t *testing.T) {
	s, ctx := parallelStore(t)
	id := func(a store.Announcement) int64 { return a.ID }
	pageOf := func(all bool) func(store.Page) (store.Paged[store.Announcement], error) {
		return func(p store.Page) (store.Paged[store.Announcement], error) { return s.AnnouncementPage(ctx, all, p) }
	}
	walkPages(t, 2, nil, pageOf(true), id)
	var all, scheduled []int64
	for i := range 5 {
		a, err := s.As(testActor).CreateAnnouncement(ctx, store.NewAnnouncement{Body: fmt.Sprintf("Họp chi bộ %d", i),
			Topic: store.TopicAnnouncements, Schedule: store.ScheduleOnce, NextRunAt: t0.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		all = append([]int64{a.ID}, all...) // newest first
		if i == 2 {
			if _, err := s.As(testActor).CancelAnnouncement(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		scheduled = append([]int64{a.ID}, scheduled...)
	}
	// A draft written in the bot is never listed.
	if _, err := s.CreateDraft(ctx, "nháp", "telegram:1", nil); err != nil {
		t.Fatal(err)
	}
	for _, size := range pageSizes(len(all)) {
		walkPages(t, size, all, pageOf(true), id)
		walkPages(t, size, scheduled, pageOf(false), id)
	}
	for _, c := range []struct {
		all  bool
		want int
	}{{true, 5}, {false, 4}} {
		if n, err := s.CountAnnouncements(ctx, c.all); err != nil || n != c.want {
			t.Errorf("CountAnnouncements(%v) = %d, %v; want %d", c.all, n, err, c.want)
		}
	}
}
