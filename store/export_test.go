package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"loa/chat"
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

// HistoryRead is a read whose work must not grow with the finished deliveries kept.
type HistoryRead struct {
	Name string
	SQL  string
	Args []any
}

// HistoryReads returns the statements behind the failure report, a broadcast's
// progress, the broadcasts list and /stats, with arguments for broadcast id and since.
func HistoryReads(id int64, since time.Time) []HistoryRead {
	return []HistoryRead{
		{"ReportFinished", finishedSQL, nil},
		broadcastPageRead(10),
		{"BroadcastDetail", broadcastDetailSQL, []any{id}},
		{"BroadcastDetail failures", broadcastFailuresSQL, []any{id}},
		{"ActivitySince", activitySQL, []any{since}},
	}
}

func broadcastPageRead(size int) HistoryRead {
	sql, args := broadcastPageQuery(Page{Size: size})
	return HistoryRead{"BroadcastStats", sql, args}
}

// BroadcastPageRead is the statement of one page of the broadcasts list.
func BroadcastPageRead(p Page) HistoryRead {
	sql, args := broadcastPageQuery(p)
	return HistoryRead{"BroadcastPage", sql, args}
}

// AuditPageRead is the statement of one page of the audit log.
func AuditPageRead(f AuditFilter, p Page) HistoryRead {
	sql, args := auditPageQuery(f, p)
	return HistoryRead{"AuditPage", sql, args}
}

// SubscriberSearchReads are the statements of one page of a subscriber search: the
// count, then the page.
func SubscriberSearchReads(f SubscriberFilter, p Page) (count, page HistoryRead) {
	c, pg, args, pargs := subscriberSearchQueries(f, p)
	return HistoryRead{"SubscriberCount", c, args}, HistoryRead{"SubscriberPage", pg, pargs}
}

// QueryPlanMode runs sql (reading every row) on one connection whose plan_cache_mode
// is mode: force_generic_plan shows what a statement costs once PostgreSQL reuses a
// generic plan for it (pgx prepares every statement).
func (s *Store) QueryPlanMode(ctx context.Context, mode, sql string, args ...any) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = `+pgx.Identifier{mode}.Sanitize()); err != nil {
		return err
	}
	defer conn.Exec(ctx, `RESET plan_cache_mode`) //nolint:errcheck // the connection is still usable either way
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// MigrationCount is how many migrations the binary carries (numbers may have gaps
// while parallel branches hold reserved numbers).
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

type beginner interface {
	Begin(context.Context) (pgx.Tx, error)
}

// explain runs sql under EXPLAIN (ANALYZE, BUFFERS) twice, each in a transaction on db
// that it rolls back, after the setting statement (none when ""), and returns the work
// of the run that did less. A backend's first look at a table, its indexes and its
// triggers reads catalog pages that count as buffers too (a fresh pool connection made
// one outcome write touch 42 buffers where a warm one touches 34); that is the
// connection's cost, once, not the statement's.
func explain(ctx context.Context, db beginner, setting, sql string, args ...any) (PlanWork, error) {
	if pool, ok := db.(*pgxpool.Pool); ok { // both runs on one connection
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return PlanWork{}, err
		}
		defer conn.Release()
		db = conn
	}
	first, err := explainOnce(ctx, db, setting, sql, args...)
	if err != nil {
		return PlanWork{}, err
	}
	second, err := explainOnce(ctx, db, setting, sql, args...)
	if err != nil || first.Hit+first.Read < second.Hit+second.Read {
		return first, err
	}
	return second, nil
}

func explainOnce(ctx context.Context, db beginner, setting, sql string, args ...any) (PlanWork, error) {
	var w PlanWork
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if setting != "" {
			if _, err := tx.Exec(ctx, setting); err != nil {
				return err
			}
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+sql, args...).Scan(&raw); err != nil {
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

// Explain runs sql under EXPLAIN (ANALYZE, BUFFERS) on the store's pool and returns the
// work it did (rolled back).
func (s *Store) Explain(ctx context.Context, sql string, args ...any) (PlanWork, error) {
	return explain(ctx, s.pool, "", sql, args...)
}

// ExplainClaim runs ClaimDeliveries' statement, with its settings, and returns the
// work it did (rolled back).
func (s *Store) ExplainClaim(ctx context.Context, channel chat.Channel, lease time.Duration, limit int) (PlanWork, error) {
	return explain(ctx, s.pool, claimSettings, claimQuery, claimArgs(channel, lease, limit, "explain")...)
}

// ExplainMarkSent runs MarkSent's statement for a claimed delivery, prepared as the
// driver prepares it, with plan_cache_mode set to mode (force_custom_plan: the first
// executions; force_generic_plan: later ones), and returns the work it did (rolled
// back).
func (s *Store) ExplainMarkSent(ctx context.Context, mode string, id, claim int64) (PlanWork, error) {
	return s.explainPrepared(ctx, mode, markSentQuery, id, claim)
}

// explainPrepared prepares query (MarkSent's parameters) on one connection, runs it
// for a claimed delivery under plan_cache_mode mode, and returns the work it did.
func (s *Store) explainPrepared(ctx context.Context, mode, query string, id, claim int64) (PlanWork, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return PlanWork{}, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `PREPARE explain_mark_sent (bigint, bigint, integer, interval) AS `+query); err != nil {
		return PlanWork{}, err
	}
	defer conn.Exec(ctx, `DEALLOCATE explain_mark_sent`) //nolint:errcheck // the connection is still usable either way
	return explain(ctx, conn, `SET LOCAL plan_cache_mode = `+pgx.Identifier{mode}.Sanitize(),
		fmt.Sprintf(`EXECUTE explain_mark_sent(%d, %d, 1, '1 second')`, id, claim))
}

// ExplainCancelPending runs cancelPending's statement for a subscriber as
// cancelPending does, and returns the work it did (rolled back).
func (s *Store) ExplainCancelPending(ctx context.Context, subscriberID int64) (PlanWork, error) {
	return explain(ctx, s.pool, claimSettings, cancelPendingQuery, subscriberID, ReasonSubscriberGone, "explain")
}

// RowCounts counts a broadcast's deliveries from its rows, the way the reads did before
// the counters: the truth the counters must equal while the rows exist.
func (s *Store) RowCounts(ctx context.Context, id int64) (total, sent, failed, cancelled, pending int, fails []FailureCount, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'sent'),
		count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'cancelled'),
		count(*) FILTER (WHERE status = 'pending') FROM deliveries WHERE broadcast_id = $1`, id).
		Scan(&total, &sent, &failed, &cancelled, &pending)
	if err != nil {
		return
	}
	rows, err := s.pool.Query(ctx, `SELECT status, loa_delivery_reason(status, reason, last_error), count(*)
		FROM deliveries WHERE broadcast_id = $1 AND status IN ('failed', 'cancelled')
		GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`, id)
	if err != nil {
		return
	}
	fails, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (FailureCount, error) {
		var f FailureCount
		err := row.Scan(&f.Status, &f.Reason, &f.Count)
		return f, err
	})
	return
}

// Exec runs a statement on the store's pool (tests set up states no API makes).
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}

// QueryRow scans one row of a query on the store's pool into dest.
func (s *Store) QueryRow(ctx context.Context, sql string, dest ...any) error {
	return s.pool.QueryRow(ctx, sql).Scan(dest...)
}

// SplitStatements is splitStatements, for its test.
var SplitStatements = splitStatements

// SetMigrationLockTimeout shortens how long a migration waits for each lock.
func (s *Store) SetMigrationLockTimeout(d time.Duration) { s.migrationLockTimeout = d }

// MigrateTo applies the embedded migrations up to version (a database as an older
// binary left it), then the extra ones given as file name → SQL, in order.
func (s *Store) MigrateTo(ctx context.Context, version int, extra map[string]string) ([]int, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	var keep []migration
	for _, m := range ms {
		if m.version <= version {
			keep = append(keep, m)
		}
	}
	fsys := fstest.MapFS{}
	for name, sql := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(sql)}
	}
	more, err := readMigrations(fsys)
	if err != nil {
		return nil, err
	}
	return s.migrate(ctx, append(keep, more...))
}

// DefaultMigrationLockTimeout is how long a migration waits for a lock by default.
const DefaultMigrationLockTimeout = defaultMigrationLockTimeout

// ExplainOldFence runs MarkSent's statement as it was before its fence read NOT IN the
// finished statuses (status = 'pending', which the partial indexes of pending rows can
// serve), with the generic plan, and returns the work it did (rolled back): the trap
// TestClaimCostIsFlatWithHistory must be able to tell from a good plan.
func (s *Store) ExplainOldFence(ctx context.Context, id, claim int64) (PlanWork, error) {
	old := strings.Replace(markSentQuery, sentHeld, `id = $1 AND claim = $2 AND status = 'pending'`, 1)
	return s.explainPrepared(ctx, "force_generic_plan", old, id, claim)
}
