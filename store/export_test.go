package store

import "context"

// ForgetLinkKeys makes a feed's items look as if stored before migration 011, which
// added link_key: the column is NULL until a poll fills it in.
func ForgetLinkKeys(ctx context.Context, s *Store, feedID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE items SET link_key = NULL WHERE feed_id = $1`, feedID)
	return err
}

// MigrationCount is how many migrations this binary carries; the numbers have gaps
// while branches that reserved them are apart.
func MigrationCount() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}
