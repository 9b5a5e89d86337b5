package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DraftRetention is how long a draft never confirmed (discarded, or left as it was) is
// kept: its buttons stop working after that.
const DraftRetention = 24 * time.Hour

// DefaultPruneBatch is how many rows one pruning statement deletes: small enough that
// each statement holds its row locks for milliseconds and never touches a row sending
// needs (only finished rows of finished broadcasts are deleted).
const DefaultPruneBatch = 1000

// Retention says how long history is kept.
type Retention struct {
	// Deliveries: the per-recipient rows of broadcasts made longer ago than this are
	// deleted, once the broadcast is counted and finished (its counts stay); item
	// bodies (summaries) first seen and published longer ago are cleared. Item
	// identities are kept forever: forgetting one would announce it again.
	Deliveries time.Duration
	// Audit: audit log entries older than this are deleted.
	Audit time.Duration
	// Batch is the rows one statement deletes (default DefaultPruneBatch).
	Batch int
	// Rest is the pause after each batch, as a multiple of the time the batch took
	// (default DefaultPruneRest). Pruning is background work: pacing it by its own
	// duration leaves the database to sending whatever the load, instead of pruning as
	// fast as one connection can (which took a third of sending's rate on a shared
	// 2-core machine). Negative: no pause.
	Rest float64
}

// DefaultPruneRest makes pruning take at most about a third of one connection's time.
const DefaultPruneRest = 2.0

// Pruned counts what pruning removed, or would remove in a dry run.
type Pruned struct {
	Deliveries   int64 // per-recipient rows
	ItemBodies   int64 // items whose summary was cleared
	Drafts       int64 // drafts never confirmed, after DraftRetention
	AuditEntries int64
}

// Prune deletes what the retention allows, in small batches, each its own transaction,
// so that it can run beside sending and be stopped (ctx) at any point without losing
// anything: the next run carries on. dryRun only counts.
func (s *Store) Prune(ctx context.Context, now time.Time, r Retention, dryRun bool) (Pruned, error) {
	if r.Deliveries <= 0 || r.Audit <= 0 {
		return Pruned{}, errors.New("prune: retention periods must be positive")
	}
	if r.Batch <= 0 {
		r.Batch = DefaultPruneBatch
	}
	if r.Rest == 0 {
		r.Rest = DefaultPruneRest
	}
	var p Pruned
	var err error
	cutoff := now.Add(-r.Deliveries)
	if p.Deliveries, err = s.pruneDeliveries(ctx, cutoff, r, dryRun); err != nil {
		return p, fmt.Errorf("prune deliveries: %w", err)
	}
	if p.ItemBodies, err = s.batches(ctx, dryRun, r,
		`SELECT count(*) FROM items WHERE published_at < $1 AND first_seen_at < $1 AND summary <> ''`,
		`UPDATE items SET summary = '' WHERE id IN (
			SELECT id FROM items WHERE published_at < $1 AND first_seen_at < $1 AND summary <> '' LIMIT $2)`,
		cutoff); err != nil {
		return p, fmt.Errorf("prune item bodies: %w", err)
	}
	if p.Drafts, err = s.batches(ctx, dryRun, r,
		`SELECT count(*) FROM announcements WHERE status IN ('draft', 'discarded') AND created_at < $1`,
		`DELETE FROM announcements WHERE id IN (
			SELECT id FROM announcements WHERE status IN ('draft', 'discarded') AND created_at < $1 LIMIT $2)`,
		now.Add(-DraftRetention)); err != nil {
		return p, fmt.Errorf("prune drafts: %w", err)
	}
	if p.AuditEntries, err = s.batches(ctx, dryRun, r,
		`SELECT count(*) FROM audit_log WHERE at < $1`,
		`DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)`,
		now.Add(-r.Audit)); err != nil {
		return p, fmt.Errorf("prune audit log: %w", err)
	}
	return p, nil
}

// batches runs change ($1: the cutoff, $2: the batch size) until it changes fewer rows
// than a batch, or in a dry run returns count instead.
func (s *Store) batches(ctx context.Context, dryRun bool, r Retention, count, change string, cutoff time.Time) (int64, error) {
	var total int64
	if dryRun {
		err := s.pool.QueryRow(ctx, count, cutoff).Scan(&total)
		return total, err
	}
	for {
		start := time.Now()
		tag, err := s.pool.Exec(ctx, change, cutoff, r.Batch)
		if err != nil {
			return total, err
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(r.Batch) {
			return total, nil
		}
		if err := rest(ctx, r.Rest, time.Since(start)); err != nil {
			return total, err
		}
	}
}

// rest pauses after a batch that took took, for rest times as long.
func rest(ctx context.Context, rest float64, took time.Duration) error {
	if rest <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(rest * float64(took)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pruneDeliveries deletes the rows of the broadcasts made before cutoff that are
// counted (their counts are in delivery_counts) and finished (no row can change any
// more), broadcast by broadcast, batch by batch through the (broadcast_id,
// subscriber_id) index, then marks each broadcast pruned so it is not looked at again.
func (s *Store) pruneDeliveries(ctx context.Context, cutoff time.Time, r Retention, dryRun bool) (int64, error) {
	const prunable = `b.deliveries_pruned_at IS NULL AND b.created_at < $1 AND b.counted AND b.finished_at IS NOT NULL`
	var total int64
	if dryRun {
		err := s.pool.QueryRow(ctx, `
			SELECT count(*) FROM broadcasts b JOIN deliveries d ON d.broadcast_id = b.id
			WHERE `+prunable+` AND d.status <> 'pending'`, cutoff).Scan(&total)
		return total, err
	}
	afterAt, afterID := time.Time{}, int64(0)
	for {
		var id int64
		var created time.Time
		err := s.pool.QueryRow(ctx, `SELECT id, created_at FROM broadcasts b
			WHERE `+prunable+` AND (b.created_at, b.id) > ($2, $3)
			ORDER BY b.created_at, b.id LIMIT 1`, cutoff, afterAt, afterID).Scan(&id, &created)
		if errors.Is(err, pgx.ErrNoRows) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		afterAt, afterID = created, id
		// Walk the broadcast's rows in subscriber order from a cursor, so each batch
		// starts after the last one instead of stepping again over the index entries of
		// the rows just deleted (dead until vacuum).
		var cursor int64
		for {
			var n int64
			start := time.Now()
			err := s.pool.QueryRow(ctx, `
				WITH gone AS (
					DELETE FROM deliveries WHERE id IN (
						SELECT id FROM deliveries
						WHERE broadcast_id = $1 AND subscriber_id > $2 AND status <> 'pending'
						ORDER BY subscriber_id LIMIT $3)
					RETURNING subscriber_id)
				SELECT count(*), coalesce(max(subscriber_id), 0) FROM gone`, id, cursor, r.Batch).Scan(&n, &cursor)
			if err != nil {
				return total, err
			}
			total += n
			if n < int64(r.Batch) {
				break
			}
			if err := rest(ctx, r.Rest, time.Since(start)); err != nil {
				return total, err
			}
		}
		if _, err := s.pool.Exec(ctx, `UPDATE broadcasts SET deliveries_pruned_at = now()
			WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = $1)`, id); err != nil {
			return total, err
		}
	}
}
