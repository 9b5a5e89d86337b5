package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CountOldBroadcasts fills the counters of broadcasts made before they existed
// (migration 008), one broadcast per transaction and at most limit broadcasts per call,
// and returns how many it counted and how many are left. It is the leader's batched
// backfill: the migration itself never reads deliveries, so an upgrade does not hold
// locks while a year of rows is counted.
//
// A broadcast may still be sending while it is counted: its counters are replaced by a
// count of its rows in a REPEATABLE READ transaction, so the count and the deletion of
// the partial counters the trigger kept since the upgrade see the same snapshot, and an
// outcome committed meanwhile either is in that snapshot (its counter change is deleted
// with the rest) or is not (its counter change stays). A conflicting concurrent write
// makes the transaction fail to serialize; that broadcast is left for the next call.
func (s *Store) CountOldBroadcasts(ctx context.Context, limit int) (counted, left int, err error) {
	var after int64
	for counted < limit {
		var id int64
		err := s.pool.QueryRow(ctx, `SELECT id FROM broadcasts WHERE NOT counted AND id > $1 ORDER BY id LIMIT 1`,
			after).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			break
		}
		if err != nil {
			return counted, 0, fmt.Errorf("next broadcast to count: %w", err)
		}
		after = id
		err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
			return countBroadcast(ctx, tx, id)
		})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01") {
			continue // written to meanwhile: the next call counts it
		}
		if err != nil {
			return counted, 0, fmt.Errorf("count broadcast %d: %w", id, err)
		}
		counted++
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM broadcasts WHERE NOT counted`).Scan(&left); err != nil {
		return counted, 0, fmt.Errorf("broadcasts left to count: %w", err)
	}
	return counted, left, nil
}

// countBroadcast replaces one broadcast's counters with a count of its rows, and adds
// its outcomes from before the upgrade to the hourly rollup (those after it were added
// by the trigger).
func countBroadcast(ctx context.Context, tx pgx.Tx, id int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM delivery_counts WHERE broadcast_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO delivery_counts AS c (broadcast_id, status, reason, shard, n)
		SELECT $1, status, loa_delivery_reason(status, reason, last_error), 0, count(*)
		FROM deliveries WHERE broadcast_id = $1 GROUP BY 2, 3
		ON CONFLICT (broadcast_id, status, reason, shard) DO UPDATE SET n = c.n + excluded.n`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO delivery_hours AS h (hour, channel, status, shard, n)
		SELECT date_trunc('hour', d.finished_at, 'UTC'), d.channel, d.status, 0, count(*)
		FROM deliveries d, schema_migrations m
		WHERE d.broadcast_id = $1 AND d.status IN ('sent', 'failed') AND m.version = 8
			AND d.finished_at < m.applied_at
		GROUP BY 1, 2, 3
		ON CONFLICT (hour, channel, status, shard) DO UPDATE SET n = h.n + excluded.n`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE broadcasts SET counted = true WHERE id = $1`, id)
	return err
}
