package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"loa/feeds"
	"loa/store"
)

// keyAsPublished is the key of an item without GUID before links were normalised.
func keyAsPublished(link string) string {
	sum := sha256.Sum256([]byte("link:" + link))
	return hex.EncodeToString(sum[:])
}

// feedItem is an item as the feeds package identifies it, or, old, as it did before
// links were normalised (the key of the link as published, no link key).
func feedItem(link, title string, published time.Time, old bool) feeds.Item {
	it := feeds.Item{Link: link, Title: title, Published: published}
	if old {
		it.Key = keyAsPublished(link)
		return it
	}
	it.Key, it.LinkKey = feeds.LinkKey(link), feeds.LinkKey(link)
	if asPublished := keyAsPublished(link); asPublished != it.Key {
		it.OldKey = asPublished
	}
	return it
}

// TestItemsStoredBeforeNormalisingStaySeen: after the upgrade that normalises links,
// a re-poll announces nothing stored before it: an item whose link is unchanged is
// found under its old key, one whose session id changed by its link key, filled in
// for the old rows by that poll.
func TestItemsStoredBeforeNormalisingStaySeen(t *testing.T) {
	s, ctx := parallelStore(t)
	f := addFeed(t, s, "https://x.vn/rss")
	day := t0
	before := []feeds.Item{
		feedItem("https://x.vn/tin.jsp;jsessionid=AAA?id=1", "Bài 1", day, true),
		feedItem("https://x.vn/tin.jsp?id=2&utm_source=rss", "Bài 2", day.Add(time.Minute), true),
	}
	poll(t, s, f.ID, before)
	if err := store.ForgetLinkKeys(ctx, s, f.ID); err != nil {
		t.Fatal(err)
	}
	after := []feeds.Item{
		feedItem("https://x.vn/tin.jsp;jsessionid=BBB?id=1", "Bài 1", day, false),
		feedItem("https://x.vn/tin.jsp?id=2&utm_source=rss", "Bài 2", day.Add(time.Minute), false),
		feedItem("https://x.vn/tin.jsp;jsessionid=BBB?id=3", "Bài 3", day.Add(2*time.Minute), false),
	}
	res := poll(t, s, f.ID, after, func(ps *store.PollSuccess) { ps.LinkKey = feeds.LinkKey })
	if res.New != 1 || len(res.Broadcasts) != 1 {
		t.Fatalf("re-poll after the upgrade = %+v; want only Bài 3 new and announced", res)
	}
	// And from now on the session id churns without consequence.
	after[0].Link = "https://x.vn/tin.jsp;jsessionid=CCC?id=1"
	after[2] = feedItem("https://x.vn/tin.jsp;jsessionid=CCC?id=3", "Bài 3", day.Add(2*time.Minute), false)
	if res := poll(t, s, f.ID, after, func(ps *store.PollSuccess) { ps.LinkKey = feeds.LinkKey }); res.New != 0 {
		t.Fatalf("a poll with new session ids = %+v; want nothing new", res)
	}
}

// TestRecordPollDailyCap: one feed announces at most MaxPerDay items a day; items past
// it are recorded as seen, and the result says how many were held back.
func TestRecordPollDailyCap(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	day := time.Date(2024, 6, 5, 0, 0, 0, 0, time.UTC)
	capped := func(at time.Time) func(*store.PollSuccess) {
		return func(ps *store.PollSuccess) {
			ps.PolledAt, ps.MaxAnnounce, ps.MaxPerDay = at, 5, 3
			ps.DayStart, ps.DayEnd = day, day.Add(24*time.Hour)
		}
	}
	poll(t, s, f.ID, items(1), capped(day.Add(time.Hour))) // primes
	if res := poll(t, s, f.ID, items(1, 2, 3), capped(day.Add(2*time.Hour))); len(res.Broadcasts) != 2 || res.OverDayCap != 0 {
		t.Fatalf("two new = %+v", res)
	}
	res := poll(t, s, f.ID, items(1, 2, 3, 4, 5, 6), capped(day.Add(3*time.Hour)))
	if res.New != 3 || len(res.Broadcasts) != 1 || res.OverDayCap != 2 {
		t.Fatalf("three new with one left today = %+v; want 1 announced, 2 held back", res)
	}
	if res := poll(t, s, f.ID, items(7), capped(day.Add(4*time.Hour))); res.New != 1 || len(res.Broadcasts) != 0 || res.OverDayCap != 1 {
		t.Fatalf("past the cap = %+v", res)
	}
	// The next day starts afresh; what was held back stays seen.
	day = day.Add(24 * time.Hour)
	if res := poll(t, s, f.ID, items(1, 2, 3, 4, 5, 6, 7, 8), capped(day.Add(time.Hour))); res.New != 1 || len(res.Broadcasts) != 1 || res.OverDayCap != 0 {
		t.Fatalf("next day = %+v; want only item 8", res)
	}
}
