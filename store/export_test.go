package store

import (
	"context"
	"time"
)

// Test hooks, compiled only into this package's tests.

// ForgetLinkKeys makes a feed's items look as if stored before migration 011, which
// added link_key: the column is NULL until a poll fills it in.
func ForgetLinkKeys(ctx context.Context, s *Store, feedID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE items SET link_key = NULL WHERE feed_id = $1`, feedID)
	return err
}

// WithoutSilenceLimit exposes withoutSilenceLimit.
var WithoutSilenceLimit = withoutSilenceLimit

// Sleep runs a statement that answers nothing for d.
func (s *Store) Sleep(ctx context.Context, d time.Duration) error {
	_, err := s.pool.Exec(ctx, `SELECT pg_sleep($1)`, d.Seconds())
	return err
}

// TotalConns is how many connections the pool holds.
func (s *Store) TotalConns() int32 { return s.pool.Stat().TotalConns() }

// MigrationCount is how many migrations the binary carries (numbers may be reserved
// for other branches, so the latest version is not the count).
func MigrationCount() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// Setting reads a session setting of a pooled connection.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}
