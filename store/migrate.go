package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// noTransactionMarker, as a migration's first line, makes it run outside a transaction:
// for statements PostgreSQL refuses inside one (CREATE INDEX CONCURRENTLY) and for
// changes to large tables that must not hold locks while they work. Such a migration
// runs statement by statement, still under the migration lock, and is recorded as
// applied only when every statement has succeeded; so each statement must be
// idempotent (IF NOT EXISTS, IF EXISTS), since an interrupted run starts again from
// its first statement.
const noTransactionMarker = "-- loa:no-transaction"

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
	// noTx: applied outside a transaction (noTransactionMarker).
	noTx bool
}

// migrations returns the embedded migrations in order.
func migrations() ([]migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return readMigrations(sub)
}

// readMigrations reads the migrations of fsys in order. The file names are
// NNN_description.sql; a malformed name is a build mistake and fails loudly.
func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive number and '_'", e.Name())
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(string(body), "\n")
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body),
			noTx: strings.TrimSpace(first) == noTransactionMarker})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %q and %q share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// LatestVersion is the version of the newest migration this binary carries.
func LatestVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrateLockKey is the first key of the advisory lock that serialises migrations; the
// second is the schema's hash, so deployments in different schemas do not wait on each
// other.
const migrateLockKey = 0x10a0001

// Migration pacing. A migration's transaction waits at most migrationLockTimeout for
// each lock it needs (lock_timeout): while a DDL statement waits for a lock, every
// writer that comes after it queues behind it, so a long wait (behind a slow query)
// would stop sending. It gives up instead, and tries again after a pause, up to
// migrationAttempts times; only then does the start-up fail.
const (
	defaultMigrationLockTimeout = 2 * time.Second
	migrationAttempts           = 10
	// migrationLockPoll is how often a replica that waits for another one's migrations
	// tries the migration lock again.
	migrationLockPoll = 200 * time.Millisecond
)

// Migrate applies the migrations not yet applied, in order, each in its own
// transaction (or, marked with noTransactionMarker, statement by statement), under an
// advisory lock: replicas starting together wait for each other, and the second finds
// nothing left to do. It returns the versions it applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	return s.migrate(ctx, ms)
}

func (s *Store) migrate(ctx context.Context, ms []migration) (applied []int, err error) {
	// An index build over a large table answers nothing for minutes, and one built
	// concurrently waits for every older transaction in the database first.
	ctx = withoutSilenceLimit(ctx)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if err := lockMigrations(ctx, conn.Conn()); err != nil {
		return nil, err
	}
	defer func() {
		// A session lock: release it even when ctx has ended, or drop the connection
		// (which releases it too) rather than return it to the pool still locked.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, uerr := conn.Exec(uctx, `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, migrateLockKey); uerr != nil {
			_ = conn.Conn().Close(uctx)
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		if m.noTx {
			err = s.applyNoTx(ctx, conn.Conn(), m)
		} else {
			err = s.applyTx(ctx, conn.Conn(), m)
		}
		if err != nil {
			return applied, fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}

// lockMigrations takes the migration lock for the session. It polls with
// pg_try_advisory_lock rather than waiting in pg_advisory_lock: a session waiting
// inside a statement holds a snapshot, and CREATE INDEX CONCURRENTLY run by the lock's
// holder waits for every older snapshot to go — the two would wait for each other.
func lockMigrations(ctx context.Context, conn *pgx.Conn) error {
	t := time.NewTicker(migrationLockPoll)
	defer t.Stop()
	for {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, migrateLockKey).Scan(&ok); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("take migration lock: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// applyTx applies a migration in one transaction with its record, with lock_timeout:
// a migration that cannot get a lock soon gives up, lets the writers queued behind it
// through, and tries again.
func (s *Store) applyTx(ctx context.Context, conn *pgx.Conn, m migration) error {
	timeout := s.migrationLockTimeout
	if timeout <= 0 {
		timeout = defaultMigrationLockTimeout
	}
	var err error
	for attempt := 1; attempt <= migrationAttempts; attempt++ {
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, timeout.Milliseconds())); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "55P03" && pgErr.Code != "40P01") { // lock_not_available, deadlock
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * timeout / 2):
		}
	}
	return fmt.Errorf("gave up after %d attempts, each waiting %s for its locks: %w", migrationAttempts, timeout, err)
}

// concurrentIndex matches the statements whose interrupted run leaves an invalid index
// behind, and captures the index name.
var concurrentIndex = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+([a-z_][a-z0-9_]*)\s`)

// applyNoTx applies a migration marked noTransactionMarker statement by statement,
// then records it. CREATE INDEX CONCURRENTLY that was interrupted (a crash, a
// cancelled start-up, a unique violation) leaves an invalid index that IF NOT EXISTS
// would then skip: such an index is dropped (concurrently) and built again.
func (s *Store) applyNoTx(ctx context.Context, conn *pgx.Conn, m migration) error {
	stmts, err := splitStatements(m.sql)
	if err != nil {
		return err
	}
	for _, stmt := range stmts {
		if err := s.applyStatement(ctx, conn, stmt); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
	return err
}

// applyStatement runs one statement of a migration outside a transaction, after
// dropping the invalid index an interrupted build of the same index left behind. A
// statement that loses a deadlock runs again: CREATE INDEX CONCURRENTLY waits for every
// older transaction in the database, so two such builds (another schema's migration,
// another application's) can wait for each other, and PostgreSQL fails one of them.
func (s *Store) applyStatement(ctx context.Context, conn *pgx.Conn, stmt string) error {
	var err error
	for attempt := 1; attempt <= migrationAttempts; attempt++ {
		if err = dropInvalidIndex(ctx, conn, stmt); err != nil {
			return err
		}
		_, err = conn.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "40P01" { // deadlock_detected
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
	return fmt.Errorf("gave up after %d deadlocks: %w", migrationAttempts, err)
}

// dropInvalidIndex drops the index stmt builds concurrently when an earlier build of it
// failed and left it invalid (IF NOT EXISTS would skip it).
func dropInvalidIndex(ctx context.Context, conn *pgx.Conn, stmt string) error {
	sub := concurrentIndex.FindStringSubmatch(stmt)
	if sub == nil {
		return nil
	}
	var valid bool
	err := conn.QueryRow(ctx, `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`, sub[1]).Scan(&valid)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && valid) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check index %s: %w", sub[1], err)
	}
	if _, err := conn.Exec(ctx, `DROP INDEX CONCURRENTLY IF EXISTS `+pgx.Identifier{sub[1]}.Sanitize()); err != nil {
		return fmt.Errorf("drop invalid index %s: %w", sub[1], err)
	}
	return nil
}

// splitStatements cuts SQL into statements at semicolons outside quotes, dollar-quoted
// bodies and comments, dropping the comments and empty statements.
func splitStatements(sql string) ([]string, error) {
	var stmts []string
	var cur strings.Builder
	flush := func() {
		if st := strings.TrimSpace(cur.String()); st != "" {
			stmts = append(stmts, st)
		}
		cur.Reset()
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
			} else {
				i += j
			}
		case strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return nil, errors.New("unterminated /* comment")
			}
			i += j + 4
			cur.WriteByte(' ')
		case c == '\'' || c == '"':
			j := strings.IndexByte(sql[i+1:], c) // a doubled quote reads as two quoted runs
			if j < 0 {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}
			cur.WriteString(sql[i : i+j+2])
			i += j + 2
		case c == '$':
			tag := dollarTag.FindString(sql[i:])
			if tag == "" {
				cur.WriteByte(c)
				i++
				break
			}
			j := strings.Index(sql[i+len(tag):], tag)
			if j < 0 {
				return nil, fmt.Errorf("unterminated %s quote", tag)
			}
			end := i + len(tag) + j + len(tag)
			cur.WriteString(sql[i:end])
			i = end
		case c == ';':
			flush()
			i++
		default:
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	return stmts, nil
}

var dollarTag = regexp.MustCompile(`^\$[A-Za-z_]*\$`)

// querier is what a pool and a transaction have in common.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.Query(ctx, `SELECT version FROM schema_migrations`)
	return collectedSet[int](rows, err, "read schema_migrations")
}

// PendingMigrations returns how many of this binary's migrations the database lacks.
// Zero means the schema is current (a newer binary may have applied more).
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("check schema_migrations: %w", err)
	}
	if !exists {
		return len(ms), nil
	}
	done, err := appliedVersions(ctx, s.pool)
	if err != nil {
		return 0, err
	}
	pending := 0
	for _, m := range ms {
		if !done[m.version] {
			pending++
		}
	}
	return pending, nil
}
