package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Broadcast is one thing to say to the subscribers of a topic.
type Broadcast struct {
	ID        int64
	SourceKey string
	Kind      string
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
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	bs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Broadcast, error) {
		var b Broadcast
		err := row.Scan(&b.ID, &b.SourceKey, &b.Kind, &b.Topic, &b.Title, &b.Summary, &b.Link, &b.ItemID, &b.CreatedAt)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	return bs, nil
}

// BroadcastStat is a broadcast with the progress of its deliveries.
type BroadcastStat struct {
	Broadcast
	Total, Sent, Failed, Cancelled, Pending int
}

const broadcastStatQuery = `
	SELECT b.id, b.source_key, b.kind, b.topic, b.title, b.summary, b.link, b.item_id, b.created_at,
		count(d.id),
		count(d.id) FILTER (WHERE d.status = 'sent'),
		count(d.id) FILTER (WHERE d.status = 'failed'),
		count(d.id) FILTER (WHERE d.status = 'cancelled'),
		count(d.id) FILTER (WHERE d.status = 'pending')
	FROM broadcasts b LEFT JOIN deliveries d ON d.broadcast_id = b.id`

const (
	broadcastStatsSQL    = broadcastStatQuery + ` GROUP BY b.id ORDER BY b.created_at DESC, b.id DESC LIMIT $1`
	broadcastDetailSQL   = broadcastStatQuery + ` WHERE b.id = $1 GROUP BY b.id`
	broadcastFailuresSQL = `
		SELECT status, last_error, count(*) FROM deliveries
		WHERE broadcast_id = $1 AND status IN ('failed', 'cancelled')
		GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`
	activitySQL = `
		SELECT (SELECT count(*) FROM broadcasts WHERE created_at >= $1 AND kind <> 'alert'),
			count(*) FILTER (WHERE d.status = 'sent'),
			count(*) FILTER (WHERE d.status = 'failed'),
			count(*) FILTER (WHERE d.status = 'cancelled'),
			count(*) FILTER (WHERE d.status = 'pending')
		FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
		WHERE b.created_at >= $1 AND b.kind <> 'alert'`
)

func scanBroadcastStat(row pgx.CollectableRow) (BroadcastStat, error) {
	var b BroadcastStat
	err := row.Scan(&b.ID, &b.SourceKey, &b.Kind, &b.Topic, &b.Title, &b.Summary, &b.Link, &b.ItemID, &b.CreatedAt,
		&b.Total, &b.Sent, &b.Failed, &b.Cancelled, &b.Pending)
	return b, err
}

// BroadcastStats returns up to limit broadcasts, newest first, with delivery counts.
func (s *Store) BroadcastStats(ctx context.Context, limit int) ([]BroadcastStat, error) {
	rows, err := s.pool.Query(ctx, broadcastStatsSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("broadcast stats: %w", err)
	}
	bs, err := pgx.CollectRows(rows, scanBroadcastStat)
	if err != nil {
		return nil, fmt.Errorf("broadcast stats: %w", err)
	}
	return bs, nil
}

// FailureCount is how many deliveries of a broadcast ended unsent with one status
// (DeliveryFailed or DeliveryCancelled) and one reason.
type FailureCount struct {
	Status string
	Reason string
	Count  int
}

// BroadcastDetail returns one broadcast with its delivery counts and its failed or
// cancelled deliveries counted by reason.
func (s *Store) BroadcastDetail(ctx context.Context, id int64) (BroadcastStat, []FailureCount, error) {
	rows, err := s.pool.Query(ctx, broadcastDetailSQL, id)
	if err != nil {
		return BroadcastStat{}, nil, fmt.Errorf("broadcast %d: %w", id, err)
	}
	b, err := pgx.CollectExactlyOneRow(rows, scanBroadcastStat)
	if errors.Is(err, pgx.ErrNoRows) {
		return BroadcastStat{}, nil, fmt.Errorf("broadcast %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return BroadcastStat{}, nil, fmt.Errorf("broadcast %d: %w", id, err)
	}
	rows, err = s.pool.Query(ctx, broadcastFailuresSQL, id)
	if err != nil {
		return BroadcastStat{}, nil, fmt.Errorf("broadcast %d failures: %w", id, err)
	}
	fails, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (FailureCount, error) {
		var f FailureCount
		err := row.Scan(&f.Status, &f.Reason, &f.Count)
		return f, err
	})
	if err != nil {
		return BroadcastStat{}, nil, fmt.Errorf("broadcast %d failures: %w", id, err)
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
