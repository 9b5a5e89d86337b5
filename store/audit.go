package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Via is the front end an admin's action came through, as audit_log.via records it
// (migration 014).
type Via string

// The front ends, and loa itself.
const (
	ViaCLI Via = "cli"
	ViaBot Via = "bot"
	ViaWeb Via = "web"
	// ViaService marks what loa records of its own accord (announcement runs).
	ViaService Via = "service"
)

// Actor is who did something, as the audit log records it.
type Actor struct {
	// ID names them: "telegram:1001", "cli:alice", "loa".
	ID  string
	Via Via
}

// Service is loa itself, the actor of announcement runs.
var Service = Actor{ID: "loa", Via: ViaService}

// AuditEntry is one line of the audit log: who did what, when, through which front end.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string
	Via    Via
	Action string
	Target string
	Detail string
}

// audit appends to the audit log inside the caller's transaction, so the record and
// the change it describes are written together or not at all.
func audit(ctx context.Context, tx pgx.Tx, by Actor, action, target, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor, via, action, target, detail) VALUES ($1, $2, $3, $4, $5)`,
		by.ID, string(by.Via), action, target, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Actor  string // exactly this actor ("telegram:1001")
	Action string // exactly this action ("feed.add"), or a prefix ending in "." ("feed.")
	Via    Via
	Target string    // exactly this target ("event 12")
	Since  time.Time // entries at or after
	// Limit bounds the entries returned, newest first (0: 100).
	Limit int
}

// AuditLog returns the newest limit entries first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	return s.AuditEntries(ctx, AuditFilter{Limit: limit})
}

// AuditEntries returns the entries f selects, newest first: the first page of
// AuditPage, of f.Limit entries.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	pg, err := s.AuditPage(ctx, f, Page{Size: f.Limit})
	return pg.Rows, err
}

// auditOrder is the audit log's order, newest first. The indexes on (at DESC) and
// (actor, at DESC) give the rows in at's order from the cursor's time on; entries with
// the same time (those of one transaction) are few and put in id order by an
// incremental sort, so no index on (at, id) is needed.
var auditOrder = listOrder{timeCol: "at", idCol: "id", desc: true}

// AuditPage returns one page of the entries f selects (f.Limit is ignored), newest
// first.
func (s *Store) AuditPage(ctx context.Context, f AuditFilter, p Page) (Paged[AuditEntry], error) {
	sql, args := auditPageQuery(f, p)
	rows, err := s.pool.Query(ctx, sql, args...)
	es, err := collected(rows, err, "audit log", func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Via, &e.Action, &e.Target, &e.Detail)
		return e, err
	})
	if err != nil {
		return Paged[AuditEntry]{}, err
	}
	return pageOf(es, p, func(e AuditEntry) Cursor { return Cursor{At: e.At, ID: e.ID} }), nil
}

// auditPageQuery names only the filters f sets, so that the statement's plan, custom
// or generic (pgx prepares it, and PostgreSQL may reuse a generic plan), walks the
// index on at from the cursor. With every filter written to pass when empty (an OR), the
// generic plan of a deep page could not tell them apart and sorted every older row:
// 1.2 s for a page of a million entries, against 0.2 ms for this one.
func auditPageQuery(f AuditFilter, p Page) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		add("starts_with(action, $%d)", f.Action)
	case f.Action != "":
		add("action = $%d", f.Action)
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Via != "" {
		add("via = $%d", string(f.Via))
	}
	if !f.Since.IsZero() {
		add("at >= $%d", f.Since)
	}
	if f.Target != "" {
		add("target = $%d", f.Target)
	}
	cond, order, kargs := auditOrder.keyset(p, len(args)+1)
	conds, args = append(conds, cond), append(args, kargs...)
	args = append(args, p.size()+1)
	return fmt.Sprintf(`SELECT id, at, actor, via, action, target, detail FROM audit_log
		WHERE %s ORDER BY %s LIMIT $%d`, strings.Join(conds, " AND "), order, len(args)), args
}

// AuditLogEstimate returns about how many entries the audit log holds, from the
// planner's statistics (pg_class.reltuples, as of the last ANALYZE or VACUUM): not
// exact, but free, where count(*) over a million entries would read them all on every
// page. ok is false when the table has never been analyzed.
func (s *Store) AuditLogEstimate(ctx context.Context) (n int, ok bool, err error) {
	var r float64
	if err := s.pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'audit_log'::regclass`).Scan(&r); err != nil {
		return 0, false, fmt.Errorf("audit log estimate: %w", err)
	}
	if r < 0 {
		return 0, false, nil
	}
	return int(r), true, nil
}
