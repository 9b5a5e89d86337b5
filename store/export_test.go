package store

import (
	"context"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
)

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
		{"BroadcastStats", broadcastStatsSQL, []any{10}},
		{"BroadcastDetail", broadcastDetailSQL, []any{id}},
		{"BroadcastDetail failures", broadcastFailuresSQL, []any{id}},
		{"ActivitySince", activitySQL, []any{since}},
	}
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
