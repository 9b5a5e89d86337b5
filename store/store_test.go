package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/feeds"
	"loa/internal/dbtest"
	"loa/store"
)

var t0 = time.Date(2024, 6, 5, 7, 0, 0, 0, time.UTC)

// testActor is the admin the tests act as.
var testActor = store.Actor{ID: "cli:test", Via: store.ViaCLI}

func addFeed(t *testing.T, s *store.Store, url string) store.Feed {
	t.Helper()
	f, err := s.AddFeed(context.Background(), store.NewFeed{URL: url, Topic: "news", Interval: 5 * time.Minute})
	if err != nil {
		t.Fatalf("add feed: %v", err)
	}
	return f
}

// parallelStore marks the test parallel and gives it a store on a fresh schema of its
// own, with the context its calls take.
func parallelStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	t.Parallel()
	return dbtest.Store(t), context.Background()
}

// parallelStoreURL is parallelStore that also returns the schema's URL, for what else
// the test opens there (dbtest.StoreURL).
func parallelStoreURL(t *testing.T) (*store.Store, string, context.Context) {
	t.Helper()
	t.Parallel()
	s, url := dbtest.StoreURL(t)
	return s, url, context.Background()
}

// column runs a query of one column on conn and returns its values.
func column[T any](tb testing.TB, conn *pgx.Conn, sql string, args ...any) []T {
	tb.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		tb.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[T])
	if err != nil {
		tb.Fatal(err)
	}
	return vs
}

// storeWithFeed returns a store on a fresh schema with one feed in it.
func storeWithFeed(t *testing.T) (*store.Store, store.Feed) {
	t.Helper()
	s := dbtest.Store(t)
	return s, addFeed(t, s, "https://portal.example/rss")
}

// item builds an item whose identity, link and date derive from n.
func item(n int) feeds.Item {
	return feeds.Item{
		Key:       fmt.Sprintf("key-%d", n),
		GUID:      fmt.Sprintf("guid-%d", n),
		Link:      fmt.Sprintf("https://portal.example/a/%d", n),
		Title:     fmt.Sprintf("Bài %d", n),
		Published: t0.Add(time.Duration(n) * time.Minute),
	}
}

func items(ns ...int) []feeds.Item {
	out := make([]feeds.Item, len(ns))
	for i, n := range ns {
		out[i] = item(n)
	}
	return out
}

func poll(t *testing.T, s *store.Store, feedID int64, its []feeds.Item, opts ...func(*store.PollSuccess)) store.PollResult {
	t.Helper()
	ps := store.PollSuccess{FeedID: feedID, PolledAt: t0, NextPollAt: t0.Add(time.Minute), Items: its, MaxAnnounce: 10}
	for _, o := range opts {
		o(&ps)
	}
	res, err := s.RecordPoll(context.Background(), ps)
	if err != nil {
		t.Fatalf("record poll: %v", err)
	}
	return res
}

func broadcastTitles(t *testing.T, s *store.Store) []string {
	t.Helper()
	bs, err := s.Broadcasts(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for i := len(bs) - 1; i >= 0; i-- { // Broadcasts lists newest first
		titles = append(titles, bs[i].Title)
	}
	return titles
}

func TestMigrateIsIdempotentAndSerialised(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	ctx := context.Background()
	s := dbtest.Open(t, url)
	if n, err := s.PendingMigrations(ctx); err != nil || n != store.MigrationCount() {
		t.Fatalf("pending before migrate = %d, %v; want %d", n, err, store.MigrationCount())
	}

	// Two replicas starting together: both succeed, the migrations are applied once.
	var wg sync.WaitGroup
	applied := make([][]int, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other, err := store.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer other.Close()
			applied[i], errs[i] = other.Migrate(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	if total := len(applied[0]) + len(applied[1]); total != store.MigrationCount() {
		t.Fatalf("applied %v and %v: want %d migrations applied once in all", applied[0], applied[1], store.MigrationCount())
	}
	if again, err := s.Migrate(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, %v; want nothing", again, err)
	}
	if n, err := s.PendingMigrations(ctx); err != nil || n != 0 {
		t.Fatalf("pending after migrate = %d, %v", n, err)
	}
}

func TestFeedCRUD(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	ctx := context.Background()
	if f.ID == 0 || !f.Enabled || f.Primed || f.Interval != 5*time.Minute || f.Topic != "news" {
		t.Fatalf("new feed = %+v", f)
	}
	if _, err := s.AddFeed(ctx, store.NewFeed{URL: f.URL, Topic: "x", Interval: time.Minute}); !errors.Is(err, store.ErrFeedExists) {
		t.Fatalf("duplicate URL: err = %v, want ErrFeedExists", err)
	}
	if _, err := s.AddFeed(ctx, store.NewFeed{URL: "https://other.example/rss", Topic: "x", Interval: time.Millisecond}); err == nil {
		t.Fatal("an interval under 1s was accepted")
	}
	got, err := s.Feed(ctx, f.ID)
	if err != nil || got.URL != f.URL {
		t.Fatalf("Feed(%d) = %+v, %v", f.ID, got, err)
	}
	if err := s.As(testActor).RemoveFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.As(testActor).RemoveFeed(ctx, f.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second remove: %v, want ErrNotFound", err)
	}
	if _, err := s.Feed(ctx, f.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removed feed: %v, want ErrNotFound", err)
	}
}

func TestRecordPollPrimesThenAnnouncesOnlyNewItems(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)

	res := poll(t, s, f.ID, items(3, 2, 1))
	if !res.Primed || res.New != 3 || len(res.Broadcasts) != 0 {
		t.Fatalf("priming poll = %+v; want 3 new items seen, no broadcast", res)
	}
	res = poll(t, s, f.ID, items(3, 2, 1))
	if res.Primed || res.New != 0 || len(res.Broadcasts) != 0 {
		t.Fatalf("same document again = %+v; want nothing new", res)
	}
	res = poll(t, s, f.ID, items(5, 4, 3, 2, 1))
	if res.New != 2 || len(res.Broadcasts) != 2 {
		t.Fatalf("two new items = %+v", res)
	}
	// A portal that rewrites a GUID but keeps the link: not a new article.
	changed := item(5)
	changed.Key, changed.GUID = "key-5-rewritten", "guid-5-rewritten"
	res = poll(t, s, f.ID, []feeds.Item{changed})
	if res.New != 0 {
		t.Fatalf("rewritten GUID, same link = %+v; want not new", res)
	}
	if got, want := fmt.Sprint(broadcastTitles(t, s)), "[Bài 4 Bài 5]"; got != want {
		t.Fatalf("broadcasts = %s, want %s (oldest article first)", got, want)
	}
}

func TestRecordPollBacklogAndCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		backlog     int
		maxAnnounce int
		want        string
	}{
		{"backlog 2 announces the newest two", 2, 10, "[Bài 4 Bài 5]"},
		{"backlog bounded by the cap", 5, 3, "[Bài 3 Bài 4 Bài 5]"},
		{"no backlog", 0, 10, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, f := storeWithFeed(t)
			// Document order is not date order: the newest are chosen by date.
			poll(t, s, f.ID, items(2, 5, 1, 4, 3), func(ps *store.PollSuccess) {
				ps.Backlog, ps.MaxAnnounce = tt.backlog, tt.maxAnnounce
			})
			if got := fmt.Sprint(broadcastTitles(t, s)); got != tt.want {
				t.Fatalf("broadcasts = %s, want %s", got, tt.want)
			}
		})
	}

	t.Run("an outage backlog is capped after priming", func(t *testing.T) {
		t.Parallel()
		s, f := storeWithFeed(t)
		poll(t, s, f.ID, items(1))
		var ns []int
		for n := 2; n <= 40; n++ {
			ns = append(ns, n)
		}
		res := poll(t, s, f.ID, items(ns...), func(ps *store.PollSuccess) { ps.MaxAnnounce = 3 })
		if res.New != 39 || len(res.Broadcasts) != 3 {
			t.Fatalf("poll = %+v; want 39 new, 3 announced", res)
		}
		if got, want := fmt.Sprint(broadcastTitles(t, s)), "[Bài 38 Bài 39 Bài 40]"; got != want {
			t.Fatalf("broadcasts = %s, want %s", got, want)
		}
	})
}

func TestRecordPollNotModifiedDoesNotPrime(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	ctx := context.Background()
	poll(t, s, f.ID, nil, func(ps *store.PollSuccess) { ps.NotModified = true })
	got, err := s.Feed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Primed {
		t.Fatal("a 304 primed the feed: its items were never recorded")
	}
	poll(t, s, f.ID, items(1), func(ps *store.PollSuccess) { ps.ETag, ps.LastModified = `"v1"`, "Wed, 05 Jun 2024 07:00:00 GMT" })
	poll(t, s, f.ID, nil, func(ps *store.PollSuccess) { ps.NotModified = true })
	got, err = s.Feed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Primed || got.ETag != `"v1"` || got.LastModified == "" {
		t.Fatalf("after 200 then 304: %+v; want primed with the 200's validators kept", got)
	}
}

func TestRecordPollRedirectAndRemovedFeed(t *testing.T) {
	s, ctx := parallelStore(t)
	a := addFeed(t, s, "http://portal.example/rss")
	b := addFeed(t, s, "https://other.example/rss")

	res := poll(t, s, a.ID, items(1), func(ps *store.PollSuccess) { ps.URL = "https://portal.example/rss" })
	if !res.URLChanged {
		t.Fatal("permanent redirect did not change the URL")
	}
	// A redirect onto a URL another feed already has keeps the old URL.
	res = poll(t, s, a.ID, items(1), func(ps *store.PollSuccess) { ps.URL = b.URL })
	if res.URLChanged {
		t.Fatal("URL taken over from another feed")
	}
	if got, _ := s.Feed(ctx, a.ID); got.URL != "https://portal.example/rss" {
		t.Fatalf("url = %q", got.URL)
	}

	if err := s.As(testActor).RemoveFeed(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.RecordPoll(ctx, store.PollSuccess{FeedID: a.ID, PolledAt: t0, NextPollAt: t0, Items: items(9)})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("poll of a removed feed: %v, want ErrNotFound", err)
	}
}

func TestRecordPollFailureDisablesAfterMax(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		disabled, err := s.RecordPollFailure(ctx, store.PollFailure{
			FeedID: f.ID, PolledAt: t0, Err: fmt.Sprintf("HTTP 500 (%d)", i), NextPollAt: t0.Add(time.Hour), MaxFailures: 3,
		})
		if err != nil {
			t.Fatal(err)
		}
		if disabled != (i == 3) {
			t.Fatalf("failure %d: disabled = %v", i, disabled)
		}
	}
	got, err := s.Feed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || got.ConsecutiveFailures != 3 || got.LastError != "HTTP 500 (3)" ||
		got.DisabledReason != "disabled after 3 consecutive failures; last: HTTP 500 (3)" {
		t.Fatalf("after 3 failures: %+v", got)
	}
	if due, err := s.ClaimDueFeeds(ctx, t0.Add(48*time.Hour), time.Minute, 10); err != nil || len(due) != 0 {
		t.Fatalf("a disabled feed was claimed: %v, %v", due, err)
	}
	if _, err := s.As(testActor).EnableFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Feed(ctx, f.ID)
	if !got.Enabled || got.ConsecutiveFailures != 0 || got.DisabledReason != "" {
		t.Fatalf("re-enabled: %+v", got)
	}
	// A success resets the count.
	if _, err := s.RecordPollFailure(ctx, store.PollFailure{FeedID: f.ID, PolledAt: t0, Err: "x", NextPollAt: t0, MaxFailures: 3}); err != nil {
		t.Fatal(err)
	}
	poll(t, s, f.ID, items(1))
	if got, _ := s.Feed(ctx, f.ID); got.ConsecutiveFailures != 0 || got.LastError != "" {
		t.Fatalf("after success: failures %d, error %q", got.ConsecutiveFailures, got.LastError)
	}
}

func TestClaimDueFeedsLeases(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	ctx := context.Background()
	now := time.Now().Add(time.Second) // AddFeed makes the feed due at the database's now()
	due, err := s.ClaimDueFeeds(ctx, now, time.Minute, 10)
	if err != nil || len(due) != 1 || due[0].ID != f.ID {
		t.Fatalf("first claim = %v, %v", due, err)
	}
	if again, err := s.ClaimDueFeeds(ctx, now.Add(59*time.Second), time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("claimed again within the lease: %v, %v", again, err)
	}
	if after, err := s.ClaimDueFeeds(ctx, now.Add(61*time.Second), time.Minute, 10); err != nil || len(after) != 1 {
		t.Fatalf("not claimable after the lease: %v, %v", after, err)
	}
}

func TestRecordPollConcurrentPollersCreateOneBroadcastPerItem(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	poll(t, s, f.ID, items(1))
	var wg sync.WaitGroup
	results := make([]store.PollResult, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.RecordPoll(context.Background(), store.PollSuccess{
				FeedID: f.ID, PolledAt: t0, NextPollAt: t0, Items: items(3, 2, 1), MaxAnnounce: 10,
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += len(r.Broadcasts)
	}
	if total != 2 {
		t.Fatalf("4 concurrent polls created %d broadcasts, want 2", total)
	}
	if got := fmt.Sprint(broadcastTitles(t, s)); got != "[Bài 2 Bài 3]" {
		t.Fatalf("broadcasts = %s", got)
	}
}
