package store

import (
	"context"
	"time"
)

// Test hooks, compiled only into this package's tests.

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
