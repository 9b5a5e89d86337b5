package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// BroadcastKind is what a broadcast is (broadcasts.kind): it picks the wording and
// who receives it.
type BroadcastKind string

// Broadcast kinds.
const (
	// KindArticle is a new item of a feed.
	KindArticle BroadcastKind = "article"
	// KindAnniversary is a calendar event's notice.
	KindAnniversary BroadcastKind = "anniversary"
	// KindAnnouncement is one run of an admin's announcement.
	KindAnnouncement BroadcastKind = "announcement"
	// KindAlert carries an alert to the admins only.
	KindAlert BroadcastKind = "alert"
)

// Broadcast is one thing to say to the subscribers of a topic.
type Broadcast struct {
	ID        int64
	SourceKey string
	Kind      BroadcastKind
	Topic     string
	Title     string
	Summary   string
	Link      string
	ItemID    *int64
	CreatedAt time.Time
}

// Broadcasts returns up to limit broadcasts, newest first.
func (s *Store) Broadcasts(ctx context.Context, limit int) ([]Broadcast, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, source_key, kind, topic, title, summary, link, item_id, created_at
		FROM broadcasts ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	return collected(rows, err, "list broadcasts", func(row pgx.CollectableRow) (Broadcast, error) {
		var b Broadcast
		err := row.Scan(&b.ID, &b.SourceKey, &b.Kind, &b.Topic, &b.Title, &b.Summary, &b.Link, &b.ItemID, &b.CreatedAt)
		return b, err
	})
}

// BroadcastStat is a broadcast with the progress of its deliveries.
type BroadcastStat struct {
	Broadcast
	Total, Sent, Failed, Cancelled, Pending int
}

// progressLateral sums broadcast b's deliveries by status: from its counters once it
// is counted, else from its rows (a broadcast made before the counters existed, until
// the leader has counted it). Each branch is gated by a one-time filter on b.counted,
// so only one of them runs.
const progressLateral = `
	CROSS JOIN LATERAL (
		SELECT coalesce(sum(x.n), 0)::bigint AS total,
			coalesce(sum(x.n) FILTER (WHERE x.status = 'sent'), 0)::bigint AS sent,
			coalesce(sum(x.n) FILTER (WHERE x.status = 'failed'), 0)::bigint AS failed,
			coalesce(sum(x.n) FILTER (WHERE x.status = 'cancelled'), 0)::bigint AS cancelled,
			coalesce(sum(x.n) FILTER (WHERE x.status = 'pending'), 0)::bigint AS pending
		FROM (
			SELECT c.status, c.n FROM delivery_counts c WHERE c.broadcast_id = b.id AND b.counted
			UNION ALL
			SELECT d.status, 1 FROM deliveries d WHERE d.broadcast_id = b.id AND NOT b.counted
		) x) p`

const broadcastStatQuery = `
	SELECT b.id, b.source_key, b.kind, b.topic, b.title, b.summary, b.link, b.item_id, b.created_at,
		p.total, p.sent, p.failed, p.cancelled, p.pending
	FROM broadcasts b` + progressLateral

const (
	broadcastDetailSQL = broadcastStatQuery + ` WHERE b.id = $1`
	// A broadcast's failed and cancelled deliveries by reason code, from its counters or,
	// not counted yet, from its rows (the scalar subquery is a one-time filter).
	broadcastFailuresSQL = `
		SELECT status, reason, sum(n)::bigint FROM (
			SELECT c.status, c.reason, c.n FROM delivery_counts c
			WHERE c.broadcast_id = $1 AND c.status IN ('failed', 'cancelled')
				AND (SELECT counted FROM broadcasts WHERE id = $1)
			UNION ALL
			SELECT d.status, loa_delivery_reason(d.status, d.reason, d.last_error), 1 FROM deliveries d
			WHERE d.broadcast_id = $1 AND d.status IN ('failed', 'cancelled')
				AND NOT (SELECT counted FROM broadcasts WHERE id = $1)
		) x
		GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 3 DESC, 1, 2`
	activitySQL = `
		SELECT count(*), coalesce(sum(p.sent), 0)::bigint, coalesce(sum(p.failed), 0)::bigint,
			coalesce(sum(p.cancelled), 0)::bigint, coalesce(sum(p.pending), 0)::bigint
		FROM broadcasts b` + progressLateral + `
		WHERE b.created_at >= $1 AND b.kind <> 'alert'`
)

func scanBroadcastStat(row pgx.CollectableRow) (BroadcastStat, error) {
	var b BroadcastStat
	err := row.Scan(&b.ID, &b.SourceKey, &b.Kind, &b.Topic, &b.Title, &b.Summary, &b.Link, &b.ItemID, &b.CreatedAt,
		&b.Total, &b.Sent, &b.Failed, &b.Cancelled, &b.Pending)
	return b, err
}

// BroadcastStats returns up to limit broadcasts, newest first, with delivery counts:
// the first page of BroadcastPage.
func (s *Store) BroadcastStats(ctx context.Context, limit int) ([]BroadcastStat, error) {
	pg, err := s.BroadcastPage(ctx, Page{Size: limit})
	return pg.Rows, err
}

// broadcastOrder is the broadcasts list's order, newest first, read backwards from
// broadcasts_created_idx (created_at, id).
var broadcastOrder = listOrder{timeCol: "created_at", idCol: "id", desc: true}

// BroadcastPage returns one page of the broadcasts, newest first, with delivery counts.
// The page's broadcasts are picked first (keyset on broadcasts_created_idx) and only
// they are counted, so a deep page costs what the first does.
func (s *Store) BroadcastPage(ctx context.Context, p Page) (Paged[BroadcastStat], error) {
	sql, args := broadcastPageQuery(p)
	rows, err := s.pool.Query(ctx, sql, args...)
	bs, err := collected(rows, err, "broadcast stats", scanBroadcastStat)
	if err != nil {
		return Paged[BroadcastStat]{}, err
	}
	return pageOf(bs, p, func(b BroadcastStat) Cursor { return Cursor{At: b.CreatedAt, ID: b.ID} }), nil
}

func broadcastPageQuery(p Page) (string, []any) {
	cond, order, args := broadcastOrder.keyset(p, 2)
	return `
	WITH b AS (SELECT * FROM broadcasts WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT $1)
	SELECT b.id, b.source_key, b.kind, b.topic, b.title, b.summary, b.link, b.item_id, b.created_at,
		p.total, p.sent, p.failed, p.cancelled, p.pending
	FROM b` + progressLateral + `
	ORDER BY ` + order, append([]any{p.size() + 1}, args...)
}

// CountBroadcasts returns how many broadcasts there are, exactly: broadcasts is one row
// per thing said (thousands after years), so counting them is a short index-only scan.
func (s *Store) CountBroadcasts(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM broadcasts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count broadcasts: %w", err)
	}
	return n, nil
}

// FailureCount is how many deliveries of a broadcast ended unsent with one status
// (DeliveryFailed or DeliveryCancelled) and one reason code (deliveries.reason; for rows
// finished before reason codes, the code their text meant, else "legacy").
type FailureCount struct {
	Status DeliveryStatus
	Reason Reason
	Count  int
}

// BroadcastDetail returns one broadcast with its delivery counts and its failed or
// cancelled deliveries counted by reason.
func (s *Store) BroadcastDetail(ctx context.Context, id int64) (BroadcastStat, []FailureCount, error) {
	return broadcastDetail(ctx, s.pool, id)
}

func broadcastDetail(ctx context.Context, q querier, id int64) (BroadcastStat, []FailureCount, error) {
	rows, err := q.Query(ctx, broadcastDetailSQL, id)
	if err != nil {
		return BroadcastStat{}, nil, fmt.Errorf("broadcast %d: %w", id, err)
	}
	b, err := pgx.CollectExactlyOneRow(rows, scanBroadcastStat)
	if b, err = found(b, err, "broadcast", id); err != nil {
		return BroadcastStat{}, nil, err
	}
	rows, err = q.Query(ctx, broadcastFailuresSQL, id)
	fails, err := collected(rows, err, fmt.Sprintf("broadcast %d failures", id), func(row pgx.CollectableRow) (FailureCount, error) {
		var f FailureCount
		err := row.Scan(&f.Status, &f.Reason, &f.Count)
		return f, err
	})
	if err != nil {
		return BroadcastStat{}, nil, err
	}
	return b, fails, nil
}

// Activity sums what was said since a time: broadcasts made (alerts excluded) and their
// deliveries by outcome.
type Activity struct {
	Broadcasts                       int
	Sent, Failed, Cancelled, Pending int
}

// ActivitySince returns the activity since the given time.
func (s *Store) ActivitySince(ctx context.Context, since time.Time) (Activity, error) {
	var a Activity
	err := s.pool.QueryRow(ctx, activitySQL, since).Scan(&a.Broadcasts, &a.Sent, &a.Failed, &a.Cancelled, &a.Pending)
	if err != nil {
		return Activity{}, fmt.Errorf("activity since %s: %w", since.Format(time.RFC3339), err)
	}
	return a, nil
}
