package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PlanWork is what one execution of a statement touched, from EXPLAIN (ANALYZE,
// BUFFERS): shared buffers found in the cache (Hit) and read from disk (Read).
type PlanWork struct {
	Hit, Read int64
	Plan      string // the JSON plan, for failure messages
}

// ExplainClaim runs ClaimDeliveries' statement under EXPLAIN (ANALYZE, BUFFERS) in a
// transaction it rolls back, and returns the work it did.
func (s *Store) ExplainClaim(ctx context.Context, channel string, lease time.Duration, limit int) (PlanWork, error) {
	var w PlanWork
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var raw []byte
		if _, err := tx.Exec(ctx, claimSettings); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+claimQuery,
			claimArgs(channel, lease, limit, "explain")...).Scan(&raw); err != nil {
			return err
		}
		var plans []struct {
			Plan struct {
				Hit  int64 `json:"Shared Hit Blocks"`
				Read int64 `json:"Shared Read Blocks"`
			}
		}
		if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
			return fmt.Errorf("parse plan: %v", err)
		}
		w = PlanWork{Hit: plans[0].Plan.Hit, Read: plans[0].Plan.Read, Plan: string(raw)}
		return errRollback
	})
	if err != nil && err != errRollback {
		return PlanWork{}, err
	}
	return w, nil
}

var errRollback = fmt.Errorf("roll back")
