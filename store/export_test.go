package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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

// PlanWork is what one execution of a statement touched, from EXPLAIN (ANALYZE,
// BUFFERS): shared buffers found in the cache (Hit) and read from disk (Read).
type PlanWork struct {
	Hit, Read int64
	Plan      string // the JSON plan, for failure messages
}

func planWork(raw []byte) (PlanWork, error) {
	var plans []struct {
		Plan struct {
			Hit  int64 `json:"Shared Hit Blocks"`
			Read int64 `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
		return PlanWork{}, fmt.Errorf("parse plan: %v", err)
	}
	return PlanWork{Hit: plans[0].Plan.Hit, Read: plans[0].Plan.Read, Plan: string(raw)}, nil
}

var errRollback = errors.New("roll back")

// ExplainClaim runs ClaimDeliveries' statement under EXPLAIN (ANALYZE, BUFFERS) in a
// transaction it rolls back, and returns the work it did.
func (s *Store) ExplainClaim(ctx context.Context, channel string, lease time.Duration, limit int) (PlanWork, error) {
	var w PlanWork
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, claimSettings); err != nil {
			return err
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+claimQuery,
			claimArgs(channel, lease, limit, "explain")...).Scan(&raw); err != nil {
			return err
		}
		var err error
		if w, err = planWork(raw); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return PlanWork{}, err
	}
	return w, nil
}

// ExplainMarkSent runs MarkSent's statement for a claimed delivery, prepared as the
// driver prepares it, with plan_cache_mode set to mode (force_custom_plan: the first
// executions; force_generic_plan: later ones), under EXPLAIN (ANALYZE, BUFFERS) in a
// transaction it rolls back, and returns the work it did.
func (s *Store) ExplainMarkSent(ctx context.Context, mode string, id, claim int64) (PlanWork, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return PlanWork{}, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `PREPARE explain_mark_sent (bigint, bigint, integer, interval) AS `+markSentQuery); err != nil {
		return PlanWork{}, err
	}
	defer conn.Exec(ctx, `DEALLOCATE explain_mark_sent`) //nolint:errcheck // the connection is still usable either way
	var w PlanWork
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = `+pgx.Identifier{mode}.Sanitize()); err != nil {
			return err
		}
		var raw []byte
		if err := tx.QueryRow(ctx, fmt.Sprintf(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE explain_mark_sent(%d, %d, 1, '1 second')`,
			id, claim)).Scan(&raw); err != nil {
			return err
		}
		var err error
		if w, err = planWork(raw); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return PlanWork{}, err
	}
	return w, nil
}

// ExplainCancelPending runs cancelPending's statement for a subscriber as
// cancelPending does, under EXPLAIN (ANALYZE, BUFFERS) in a transaction it rolls back,
// and returns the work it did.
func (s *Store) ExplainCancelPending(ctx context.Context, subscriberID int64) (PlanWork, error) {
	var w PlanWork
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, claimSettings); err != nil {
			return err
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+cancelPendingQuery,
			subscriberID, ReasonSubscriberGone, "explain").Scan(&raw); err != nil {
			return err
		}
		var err error
		if w, err = planWork(raw); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return PlanWork{}, err
	}
	return w, nil
}
