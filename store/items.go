package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/feeds"
)

// Item is an article as stored: the parsed entry (its fields and identity keys are
// feeds.Item's) and what the store adds. A stored item read back carries Key, GUID,
// Link, Title, Summary and Published; OldKey, LinkKey and HasDate matter only while
// a poll is recorded and are not read back.
type Item struct {
	feeds.Item
	ID          int64
	FeedID      int64
	FirstSeenAt time.Time
	Announced   bool
}

// PollSuccess is what a successful poll records: the feed's new state and the items in
// the document (none for a 304).
type PollSuccess struct {
	FeedID   int64
	PolledAt time.Time
	// URL replaces the feed's URL when not empty (a permanent redirect).
	URL          string
	Title        string
	ETag         string
	LastModified string
	TTL          time.Duration
	NextPollAt   time.Time
	// Items as parsed, in document order; nil when the server answered 304.
	Items []feeds.Item
	// NotModified: the server answered 304, Items is empty and the validators stay.
	NotModified bool
	// Backlog is how many of the newest items the first (priming) poll announces.
	Backlog int
	// MaxAnnounce bounds how many new items one poll announces; the rest are recorded as
	// seen, so a feed that comes back after an outage never floods members.
	MaxAnnounce int
	// MaxPerDay bounds how many items the feed announces between DayStart and DayEnd
	// (the local day of PolledAt); items past it are recorded as seen. 0: no cap.
	MaxPerDay        int
	DayStart, DayEnd time.Time
	// LinkKey computes an item's link key (feeds.LinkKey). When set, the feed's items
	// stored before link keys existed get theirs first, so that they count as seen.
	LinkKey func(link string) string
}

// PollResult says what a recorded poll changed.
type PollResult struct {
	New        int     // items not seen before
	Broadcasts []int64 // broadcasts created, oldest article first
	Primed     bool    // this was the feed's first successful poll
	URLChanged bool    // the stored URL was replaced after a permanent redirect
	// OverDayCap is how many items this poll would have announced but recorded as
	// seen because the feed reached MaxPerDay today.
	OverDayCap int
}

// RecordPoll records a successful poll in one transaction: the items not seen before,
// a broadcast for each one to announce, and the feed's new state. Either all of it is
// written or none. It returns ErrNotFound if the feed was removed meanwhile.
//
// The feed row is locked first, so two pollers of one feed (an old and a new leader
// overlapping for a moment) are serialised, and the second sees the first's items as
// already known. Under a leader fence (WithLeaderFence) it commits only while the
// poller's term lasts: a poll started by a leader that has since been replaced is
// discarded with ErrNotLeader, and the feed is polled again by the new one.
func (s *Store) RecordPoll(ctx context.Context, ps PollSuccess) (PollResult, error) {
	var res PollResult
	err := s.leaderTx(ctx, func(tx pgx.Tx) error {
		var primed bool
		var topic string
		err := tx.QueryRow(ctx, `SELECT primed, topic FROM feeds WHERE id = $1 FOR UPDATE`, ps.FeedID).Scan(&primed, &topic)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("feed %d: %w", ps.FeedID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		res.Primed = !primed && !ps.NotModified

		if ps.LinkKey != nil && len(ps.Items) > 0 {
			if err := fillLinkKeys(ctx, tx, ps.FeedID, ps.LinkKey); err != nil {
				return err
			}
		}
		fresh, err := insertItems(ctx, tx, ps.FeedID, ps.PolledAt, dedupe(ps.Items))
		if err != nil {
			return err
		}
		res.New = len(fresh)

		quota := ps.MaxAnnounce
		if !primed {
			quota = min(ps.Backlog, ps.MaxAnnounce)
		}
		if ps.MaxPerDay > 0 && quota > 0 && len(fresh) > 0 {
			var today int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM items WHERE feed_id = $1 AND announced
				AND first_seen_at >= $2 AND first_seen_at < $3`, ps.FeedID, ps.DayStart, ps.DayEnd).Scan(&today); err != nil {
				return fmt.Errorf("count items announced today: %w", err)
			}
			left := max(0, ps.MaxPerDay-today)
			res.OverDayCap = max(0, min(quota, len(fresh))-left)
			quota = min(quota, left)
		}
		announce := newest(fresh, quota)
		if len(announce) > 0 {
			res.Broadcasts, err = createArticleBroadcasts(ctx, tx, announce)
			if err != nil {
				return err
			}
		}

		res.URLChanged, err = updateFeedAfterPoll(ctx, tx, ps)
		return err
	})
	if err != nil {
		return PollResult{}, fmt.Errorf("record poll of feed %d: %w", ps.FeedID, err)
	}
	return res, nil
}

// dedupe drops items that repeat an earlier item's key or link within one document;
// the first occurrence wins, as a reader scrolling the feed would see it.
func dedupe(items []feeds.Item) []feeds.Item {
	keys := make(map[string]bool, len(items))
	links := make(map[string]bool, len(items))
	out := make([]feeds.Item, 0, len(items))
	for _, it := range items {
		if keys[it.Key] || (it.Link != "" && links[it.Link]) {
			continue
		}
		keys[it.Key] = true
		if it.Link != "" {
			links[it.Link] = true
		}
		out = append(out, it)
	}
	return out
}

// fillLinkKeys computes the link keys of the feed's items stored before link keys
// existed (link_key NULL, migration 011). As for new items, only an item without GUID
// is identified by its link. It runs once per feed: afterwards no row is NULL and the
// partial index makes the check free.
func fillLinkKeys(ctx context.Context, tx pgx.Tx, feedID int64, linkKey func(string) string) error {
	if _, err := tx.Exec(ctx, `UPDATE items SET link_key = '' WHERE feed_id = $1 AND link_key IS NULL AND guid <> ''`,
		feedID); err != nil {
		return fmt.Errorf("link keys of items with GUID: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, link FROM items WHERE feed_id = $1 AND link_key IS NULL`, feedID)
	if err != nil {
		return fmt.Errorf("items without link key: %w", err)
	}
	type row struct {
		id   int64
		link string
	}
	old, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.link)
	})
	if err != nil || len(old) == 0 {
		return err
	}
	ids, keys := make([]int64, len(old)), make([]string, len(old))
	for i, x := range old {
		ids[i], keys[i] = x.id, linkKey(x.link)
	}
	if _, err := tx.Exec(ctx, `UPDATE items SET link_key = u.k FROM unnest($1::bigint[], $2::text[]) AS u(id, k)
		WHERE items.id = u.id`, ids, keys); err != nil {
		return fmt.Errorf("fill in link keys: %w", err)
	}
	return nil
}

// insertItems inserts the items in one statement and returns those that were new. An
// item is known when the feed has its key or its link (ON CONFLICT, the unique
// indexes), its old key (stored before links were normalised) or its link key (the
// same article under another session id or tracking parameters).
func insertItems(ctx context.Context, tx pgx.Tx, feedID int64, seen time.Time, items []feeds.Item) ([]Item, error) {
	if len(items) == 0 {
		return nil, nil
	}
	n := len(items)
	keys, oldKeys, linkKeys := make([]string, n), make([]string, n), make([]string, n)
	guids, links := make([]string, n), make([]string, n)
	titles, summaries := make([]string, n), make([]string, n)
	published := make([]time.Time, n)
	for i, it := range items {
		keys[i], oldKeys[i], linkKeys[i], guids[i], links[i] = it.Key, it.OldKey, it.LinkKey, it.GUID, it.Link
		titles[i], summaries[i], published[i] = it.Title, it.Summary, it.Published
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO items (feed_id, item_key, link_key, guid, link, title, summary, published_at, first_seen_at)
		SELECT $1, k, lk, g, l, t, s, p, $2
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
			AS u(k, ok, lk, g, l, t, s, p)
		WHERE NOT EXISTS (SELECT 1 FROM items x WHERE x.feed_id = $1 AND u.ok <> '' AND x.item_key = u.ok)
			AND NOT EXISTS (SELECT 1 FROM items x WHERE x.feed_id = $1 AND u.lk <> '' AND x.link_key <> '' AND x.link_key = u.lk)
		ON CONFLICT DO NOTHING
		RETURNING id, item_key, guid, link, title, summary, published_at, first_seen_at`,
		feedID, seen, keys, oldKeys, linkKeys, guids, links, titles, summaries, published)
	if err != nil {
		return nil, fmt.Errorf("insert items: %w", err)
	}
	defer rows.Close()
	var fresh []Item
	for rows.Next() {
		it := Item{FeedID: feedID}
		if err := rows.Scan(&it.ID, &it.Key, &it.GUID, &it.Link, &it.Title, &it.Summary, &it.Published, &it.FirstSeenAt); err != nil {
			return nil, fmt.Errorf("insert items: %w", err)
		}
		fresh = append(fresh, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insert items: %w", err)
	}
	return fresh, nil
}

// newest returns the n most recently published items, oldest first, so that members
// receive them in the order they were published.
func newest(items []Item, n int) []Item {
	if n <= 0 || len(items) == 0 {
		return nil
	}
	sorted := append([]Item(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].Published.Equal(sorted[j].Published) {
			return sorted[i].Published.After(sorted[j].Published)
		}
		return sorted[i].ID < sorted[j].ID
	})
	if len(sorted) > n {
		sorted = sorted[:n]
	}
	for i, j := 0, len(sorted)-1; i < j; i, j = i+1, j-1 {
		sorted[i], sorted[j] = sorted[j], sorted[i]
	}
	return sorted
}

// createArticleBroadcasts marks the items announced and creates one broadcast for each,
// in the given order, with the feed's topic, and their deliveries. The source key item:<id> makes a second
// attempt for the same item a no-op.
func createArticleBroadcasts(ctx context.Context, tx pgx.Tx, items []Item) ([]int64, error) {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE items SET announced = true WHERE id = ANY($1)`, ids); err != nil {
		return nil, fmt.Errorf("mark items announced: %w", err)
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO broadcasts (source_key, kind, topic, title, summary, link, item_id)
		SELECT 'item:' || i.id, 'article', f.topic, i.title, i.summary, i.link, i.id
		FROM unnest($1::bigint[]) WITH ORDINALITY AS u(item_id, ord)
		JOIN items i ON i.id = u.item_id
		JOIN feeds f ON f.id = i.feed_id
		ORDER BY u.ord
		ON CONFLICT (source_key) DO NOTHING
		RETURNING id`, ids)
	bids, err := collected(rows, err, "create broadcasts", pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	if _, err := fanOut(ctx, tx, bids); err != nil {
		return nil, err
	}
	return bids, nil
}

// updateFeedAfterPoll stores the feed's state after a successful poll and reports
// whether its URL was replaced. A redirect target that another configured feed already
// uses is not taken over (the URLs must stay unique); the feed keeps its old URL.
func updateFeedAfterPoll(ctx context.Context, tx pgx.Tx, ps PollSuccess) (bool, error) {
	var urlChanged bool
	err := tx.QueryRow(ctx, `
		WITH old AS (SELECT url FROM feeds WHERE id = $1)
		UPDATE feeds SET
			url = CASE WHEN $2 <> '' AND NOT EXISTS (SELECT 1 FROM feeds o WHERE o.url = $2 AND o.id <> $1)
				THEN $2 ELSE feeds.url END,
			title = CASE WHEN $3 <> '' THEN $3 ELSE title END,
			etag = CASE WHEN $9 THEN etag ELSE $4 END,
			last_modified = CASE WHEN $9 THEN last_modified ELSE $5 END,
			ttl = CASE WHEN $9 THEN ttl ELSE $6 END,
			-- A 304 recorded no items, so it cannot prime the feed.
			primed = primed OR NOT $9,
			last_polled_at = $7,
			last_success_at = $7,
			last_error = '',
			consecutive_failures = 0,
			next_poll_at = $8,
			updated_at = now()
		FROM old
		WHERE feeds.id = $1
		RETURNING feeds.url <> old.url`,
		ps.FeedID, ps.URL, ps.Title, ps.ETag, ps.LastModified, ps.TTL, ps.PolledAt, ps.NextPollAt, ps.NotModified).Scan(&urlChanged)
	if err != nil {
		return false, fmt.Errorf("update feed: %w", err)
	}
	return urlChanged, nil
}

// LatestItems returns the n most recently published items across all feeds.
func (s *Store) LatestItems(ctx context.Context, n int) ([]Item, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, feed_id, item_key, guid, link, title, summary, published_at, first_seen_at, announced
		FROM items ORDER BY published_at DESC, id DESC LIMIT $1`, n)
	return collected(rows, err, "latest items", func(row pgx.CollectableRow) (Item, error) {
		var it Item
		err := row.Scan(&it.ID, &it.FeedID, &it.Key, &it.GUID, &it.Link, &it.Title, &it.Summary, &it.Published, &it.FirstSeenAt, &it.Announced)
		return it, err
	})
}
