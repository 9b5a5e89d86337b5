package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one line of the audit log: who did what, when.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string
	Action string
	Target string
	Detail string
}

// audit appends to the audit log inside the caller's transaction, so the record and
// the change it describes are written together or not at all.
func audit(ctx context.Context, tx pgx.Tx, actor, action, target, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor, action, target, detail) VALUES ($1, $2, $3, $4)`,
		actor, action, target, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Audit records an action that has no transaction of its own (a broadcast sent now from
// the bot, a failed attempt).
func (s *Store) Audit(ctx context.Context, actor, action, target, detail string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (actor, action, target, detail) VALUES ($1, $2, $3, $4)`,
		actor, action, target, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditLog returns the newest entries first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor, action, target, detail FROM audit_log
		ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	es, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Detail)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return es, nil
}
