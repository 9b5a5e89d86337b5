package store

import (
	"context"
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
