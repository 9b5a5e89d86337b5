package store

import (
	"context"
	"fmt"
	"time"
)

// FirstSeen records an inbound update and reports whether this is the first time any
// replica has seen it.
func (s *Store) FirstSeen(ctx context.Context, channel, updateID string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO inbound_updates (channel, update_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, channel, updateID)
	if err != nil {
		return false, fmt.Errorf("record %s update %s: %w", channel, updateID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ForgetInboundBefore deletes the records of updates seen before t and returns how many.
func (s *Store) ForgetInboundBefore(ctx context.Context, t time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM inbound_updates WHERE seen_at < $1`, t)
	if err != nil {
		return 0, fmt.Errorf("forget inbound updates: %w", err)
	}
	return tag.RowsAffected(), nil
}
