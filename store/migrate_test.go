package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	got, err := store.SplitStatements(`-- loa:no-transaction
-- a comment; with a semicolon
CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON t (x); /* block; comment */
INSERT INTO t VALUES ('it''s; fine', "odd;name");
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
SELECT $1::int;
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON t (x)",
		`INSERT INTO t VALUES ('it''s; fine', "odd;name")`,
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$",
		"SELECT $1::int",
	}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("split:\n%q\nwant\n%q", got, want)
	}
	if _, err := store.SplitStatements(`SELECT $x$ never closed`); err == nil {
		t.Fatal("an unterminated dollar quote was accepted")
	}
}

// TestInterruptedConcurrentIndexIsRebuilt: a CREATE INDEX CONCURRENTLY that fails
// leaves an invalid index and the migration unrecorded; the next start drops the
// invalid index and builds it again instead of skipping it (IF NOT EXISTS).
func TestInterruptedConcurrentIndexIsRebuilt(t *testing.T) {
	s, ctx := parallelStore(t)
	subscribe(t, s, chat.Telegram, "1", chat.KindPrivate)
	broadcast(t, s, "a", "news", "")
	broadcast(t, s, "b", "news", "") // two deliveries to subscriber 1: not unique
	extra := map[string]string{"900_unique.sql": `-- loa:no-transaction
-- Statements run one by one, outside a transaction.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS deliveries_one_per_subscriber ON deliveries (subscriber_id);
`}
	valid := func() (exists, ok bool) {
		t.Helper()
		err := s.QueryRow(ctx, `SELECT count(*) > 0, coalesce(bool_and(i.indisvalid), false) FROM pg_index i
			JOIN pg_class c ON c.oid = i.indexrelid
			WHERE c.relname = 'deliveries_one_per_subscriber' AND c.relnamespace = current_schema()::regnamespace`, &exists, &ok)
		if err != nil {
			t.Fatal(err)
		}
		return exists, ok
	}
	if applied, err := s.MigrateTo(ctx, 1<<30, extra); err == nil || len(applied) != 0 {
		t.Fatalf("migrate over duplicates: applied %v, %v; want a unique violation", applied, err)
	}
	if exists, ok := valid(); !exists || ok {
		t.Fatalf("after the failed build: index exists %v, valid %v; want an invalid index left behind", exists, ok)
	}
	if err := s.Exec(ctx, `DELETE FROM deliveries WHERE broadcast_id = (SELECT max(id) FROM broadcasts)`); err != nil {
		t.Fatal(err)
	}
	if applied, err := s.MigrateTo(ctx, 1<<30, extra); err != nil || fmt.Sprint(applied) != "[900]" {
		t.Fatalf("second start: applied %v, %v", applied, err)
	}
	if exists, ok := valid(); !exists || !ok {
		t.Fatalf("after the second start: index exists %v, valid %v", exists, ok)
	}
}

// TestDeadlockedStatementIsRetried: a statement of a migration outside a transaction
// that loses a deadlock is run again. CREATE INDEX CONCURRENTLY waits for every older
// transaction in the database, so two such builds (another schema's migration, another
// application's) can wait for each other, and PostgreSQL fails one: the store's tests,
// each migrating a schema of its own in parallel, met it in CI. The deadlock is
// simulated by a statement that raises one on its first run (a sequence counts the
// runs, as a failed statement rolls back everything else it did).
func TestDeadlockedStatementIsRetried(t *testing.T) {
	s, ctx := parallelStore(t)
	extra := map[string]string{"900_deadlock.sql": `-- loa:no-transaction
CREATE SEQUENCE IF NOT EXISTS deadlock_test_runs;
DO $$ BEGIN
	IF nextval('deadlock_test_runs') < 2 THEN
		RAISE EXCEPTION 'deadlock detected (simulated)' USING ERRCODE = 'deadlock_detected';
	END IF;
END $$;
`}
	if applied, err := s.MigrateTo(ctx, 1<<30, extra); err != nil || fmt.Sprint(applied) != "[900]" {
		t.Fatalf("applied %v, %v; want 900 applied on the second run of its statement", applied, err)
	}
	var runs int
	if err := s.QueryRow(ctx, `SELECT last_value FROM deadlock_test_runs`, &runs); err != nil || runs != 2 {
		t.Fatalf("the statement ran %d times, %v; want 2", runs, err)
	}
}

// writerLockLimit bounds how long the writer's statements may wait on a lock during
// the upgrade: the migrations' own lock wait (DefaultMigrationLockTimeout, while the
// writes queue behind it) and a moment.
const writerLockLimit = store.DefaultMigrationLockTimeout + time.Second

// countLockLimit bounds the lock waits while the leader counts the old broadcasts
// afterwards: counting a broadcast still sending holds its counters for the length of
// the count (its outcomes wait that long, once), which must stay within what the
// dispatcher allows the recording of one outcome (broadcast.DefaultRecordTimeout, 10
// s). Under the whole suite on 2 cores, the count of the 100,000 rows of the live
// broadcast once held them 3 s.
const countLockLimit = 10 * time.Second

// writer stands for sending during an upgrade: a claim-like UPDATE of pending rows, the
// outcome UPDATE, and a fan-out INSERT of a new broadcast's deliveries, in a loop on
// its own connection, recording how long each took and when it finished.
type writer struct {
	// lockLimit is the lock_timeout of the writer's statements from now on (0:
	// writerLockLimit).
	lockLimit atomic.Int64
	mu        sync.Mutex
	done      []time.Time
	slowest   time.Duration
	slowStmt  string
	err       error
}

func (w *writer) run(ctx context.Context, url string, live int64) {
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		w.fail(err)
		return
	}
	defer conn.Close(context.Background())
	// A write that waits on a lock longer than this fails the test: a migration may hold
	// up sending for its own bounded lock wait (DefaultMigrationLockTimeout) and a
	// moment, never for its length or for a scan of the table. Lock waits, not the
	// stopwatch, so that a busy machine's slowness is not taken for a blocking migration.
	var limit time.Duration
	for i := 0; ctx.Err() == nil; i++ {
		if l := cmp.Or(time.Duration(w.lockLimit.Load()), writerLockLimit); l != limit {
			if _, err := conn.Exec(context.Background(), fmt.Sprintf(`SET lock_timeout = %d`, l.Milliseconds())); err != nil {
				w.fail(err)
				return
			}
			limit = l
		}
		for _, q := range []string{
			`WITH c AS (SELECT id FROM deliveries WHERE broadcast_id = $1 AND status = 'pending' LIMIT 5 FOR UPDATE SKIP LOCKED)
			UPDATE deliveries d SET due_at = now() + interval '1 minute', attempts = d.attempts + 1 FROM c WHERE d.id = c.id AND $2::int >= 0`,
			`UPDATE deliveries SET status = 'sent', sent_at = now(), finished_at = now()
			WHERE id IN (SELECT id FROM deliveries WHERE broadcast_id = $1 AND status = 'pending' AND attempts > 0 LIMIT 5)
				AND $2::int >= 0`,
			`WITH b AS (INSERT INTO broadcasts (source_key, kind, topic, title) VALUES ('upgrade:' || $2::int, 'article', 'news', 'Tin')
				RETURNING id)
			INSERT INTO deliveries (broadcast_id, subscriber_id, channel)
			SELECT b.id, s.id, 'telegram' FROM b, subscribers s WHERE s.id <= 100 AND $1::bigint > 0`,
		} {
			start := time.Now()
			_, err := conn.Exec(context.Background(), q, live, i)
			took := time.Since(start)
			if err != nil {
				w.fail(fmt.Errorf("%s after %s: %w", strings.Join(strings.Fields(q)[:2], " "), took.Round(time.Millisecond), err))
				return
			}
			w.mu.Lock()
			w.done = append(w.done, time.Now())
			if took > w.slowest {
				w.slowest, w.slowStmt = took, strings.Fields(q)[0]+" "+strings.Fields(q)[1]
			}
			w.mu.Unlock()
		}
	}
}

func (w *writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// between counts the writes that finished within [from, to].
func (w *writer) between(from, to time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, d := range w.done {
		if !d.Before(from) && !d.After(to) {
			n++
		}
	}
	return n
}

// storeAtVersion6 opens a store on a fresh schema as migrations 1-6 left it (before the
// delivery counters), a migration giving up on a lock after lockTimeout, and returns it
// with the schema's URL.
func storeAtVersion6(t *testing.T, lockTimeout time.Duration) (*store.Store, string) {
	t.Helper()
	url := dbtest.URL(t)
	s := dbtest.Open(t, url)
	s.SetMigrationLockTimeout(lockTimeout)
	if _, err := s.MigrateTo(context.Background(), 6, nil); err != nil {
		t.Fatal(err)
	}
	return s, url
}

// TestUpgradeAYearOldDatabase: a database at migration 6 with a million deliveries
// (nine finished broadcasts, one still sending) is upgraded while sending goes on —
// migration 008, a CREATE INDEX CONCURRENTLY over the million rows, then the leader's
// batched count of the old broadcasts. No write waits more than a moment, writes
// complete while the index is being built, and every broadcast's counts then equal its
// rows.
func TestUpgradeAYearOldDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a million deliveries")
	}
	t.Parallel()
	s, url := storeAtVersion6(t, 200*time.Millisecond)
	ctx := context.Background()
	conn := dbtest.Conn(t, url)
	// Today's schema has no counted column: seed the way migrations 1-6 left rows.
	for _, q := range []string{
		`INSERT INTO subscribers (channel, address, kind) SELECT 'telegram', g::text, 'private' FROM generate_series(1, 100000) g`,
		`INSERT INTO broadcasts (source_key, kind, topic, title, created_at)
		SELECT 'old:' || g, 'article', 'news', 'Tin cũ', now() - make_interval(days => 11 - g) FROM generate_series(1, 10) g`,
		`INSERT INTO deliveries (broadcast_id, subscriber_id, channel, status, last_error, attempts, finished_at, created_at)
		SELECT b.id, s.id, 'telegram',
			CASE WHEN b.id = 10 THEN 'pending' WHEN s.id % 50 = 0 THEN 'failed' WHEN s.id % 97 = 0 THEN 'cancelled' ELSE 'sent' END,
			CASE WHEN b.id = 10 THEN '' WHEN s.id % 50 = 0 THEN 'chat_not_found' WHEN s.id % 97 = 0 THEN 'broadcast cancelled' ELSE '' END,
			CASE WHEN b.id = 10 THEN 0 ELSE 1 END,
			CASE WHEN b.id = 10 THEN NULL ELSE b.created_at END, b.created_at
		FROM broadcasts b, subscribers s`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}

	wctx, stop := context.WithCancel(ctx)
	var w writer
	var wg sync.WaitGroup
	wg.Go(func() { w.run(wctx, url, 10) })
	defer func() { stop(); wg.Wait() }()

	extra := map[string]string{"900_finished_idx.sql": `-- loa:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_upgrade_test_idx ON deliveries (finished_at, channel);
`}
	start := time.Now()
	applied, err := s.MigrateTo(ctx, 1<<30, extra)
	end := time.Now()
	if err != nil || len(applied) == 0 || applied[len(applied)-1] != 900 {
		t.Fatalf("upgrade applied %v, %v", applied, err)
	}
	t.Logf("migrations %v took %s; %d writes finished meanwhile", applied, end.Sub(start).Round(time.Millisecond), w.between(start, end))
	if n := w.between(start, end); n < 3 {
		t.Errorf("only %d writes finished while the migrations ran for %s: sending was blocked", n, end.Sub(start))
	}
	// The writer takes the new limit at its next round, well before the count reaches
	// the live broadcast (the last, after nine of 100,000 rows each).
	w.lockLimit.Store(int64(countLockLimit))
	for left := 1; left > 0; {
		var n int
		n, left, err = s.CountOldBroadcasts(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("counted %d old broadcasts, %d left", n, left)
	}
	stop()
	wg.Wait()
	if w.err != nil {
		t.Fatalf("a write failed during the upgrade: %v", w.err)
	}
	t.Logf("slowest write: %s (%s) over %d writes", w.slowest.Round(time.Millisecond), w.slowStmt, len(w.done))
	// No write waited on a lock beyond writerLockLimit (the writer's lock_timeout would
	// have failed it above); the slowest write's time is logged, not judged: on a busy
	// machine it includes waiting for the CPU.
	for _, id := range column[int64](t, conn, `SELECT id FROM broadcasts WHERE source_key LIKE 'old:%' ORDER BY id`) {
		checkCounts(t, s, id, fmt.Sprintf("old broadcast %d after the upgrade", id))
	}
	var uncounted int
	if err := s.QueryRow(ctx, `SELECT count(*) FROM broadcasts WHERE NOT counted`, &uncounted); err != nil || uncounted != 0 {
		t.Fatalf("%d broadcasts left uncounted, %v", uncounted, err)
	}
	if _, err := s.Migrate(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestMigrationGivesWayToWriters: a migration that cannot get its lock (a long
// transaction holds the table) gives up after its lock_timeout and tries again, so the
// writers queued behind it go through meanwhile instead of waiting as long as the
// blocker; once the blocker ends, the migration is applied.
func TestMigrationGivesWayToWriters(t *testing.T) {
	t.Parallel()
	s, url := storeAtVersion6(t, 100*time.Millisecond)
	ctx := context.Background()
	blocker := dbtest.Conn(t, url)
	btx, err := blocker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A report reading broadcasts in a long transaction: ALTER TABLE broadcasts waits.
	if _, err := btx.Exec(ctx, `SELECT count(*) FROM broadcasts`); err != nil {
		t.Fatal(err)
	}

	wconn := dbtest.Conn(t, url)
	migrated := make(chan error, 1)
	go func() { _, err := s.Migrate(ctx); migrated <- err }()
	var slowest time.Duration
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; i < 30; i++ { // writes while the migration keeps trying
		if time.Now().After(deadline) {
			t.Fatal("30 writes took over 10 s")
		}
		start := time.Now()
		if _, err := wconn.Exec(ctx, `INSERT INTO broadcasts (source_key, kind, topic, title) VALUES ($1, 'article', 'news', 'Tin')`,
			fmt.Sprint("w:", i)); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
	}
	select {
	case err := <-migrated:
		t.Fatalf("the migration finished (%v) while a transaction held its table", err)
	default:
	}
	if err := btx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-migrated:
		if err != nil {
			t.Fatalf("migrate after the blocker ended: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the migration did not finish after the blocker ended")
	}
	t.Logf("slowest of 30 writes while the migration waited: %s", slowest.Round(time.Millisecond))
	if slowest > time.Second {
		t.Errorf("a write waited %s behind the migration (lock_timeout 100ms)", slowest)
	}
}
