// Package storetest writes rows straight into the store's tables for tests and
// benchmarks: months of finished deliveries in a few statements, where going through
// the store's operations would take hours. It lives beside the schema it writes, so
// that SQL stays inside store/ and a migration that changes these tables meets it.
package storetest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// History describes the finished deliveries SeedHistoryOf writes: months of use as
// they would have left them, older than anything the test creates afterwards.
type History struct {
	// Deliveries is how many finished deliveries to write.
	Deliveries int
	// Recipients is how many each broadcast went to: that many private Telegram
	// subscribers ("history:1", ...) are created when missing. 0 sends each
	// broadcast to every subscriber already in the schema (there must be some).
	Recipients int
	// Spacing is the time between two broadcasts, the newest being Spacing old;
	// default an hour.
	Spacing time.Duration
	// Failures makes every other broadcast go out less cleanly, as a year of
	// sending would: one delivery in 50 failed (blocked), one in 100 cancelled
	// (the subscriber stopped), and its failures reported a Spacing later.
	// Without it every delivery was sent.
	Failures bool
}

// SeedHistory gives the schema at url about n finished deliveries, one broadcast an
// hour to every subscriber already in the schema (so there must be some), all sent:
// SeedHistoryOf with History{Deliveries: n}.
func SeedHistory(tb testing.TB, url string, n int) {
	tb.Helper()
	SeedHistoryOf(tb, url, History{Deliveries: n})
}

// SeedHistoryOf writes h into the schema at url with SQL in a few statements, then
// refreshes the planner's statistics and the visibility map of the tables involved,
// as autovacuum would have, while none of them is pending.
func SeedHistoryOf(tb testing.TB, url string, h History) {
	tb.Helper()
	if h.Deliveries == 0 {
		return
	}
	if h.Spacing == 0 {
		h.Spacing = time.Hour
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		tb.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			tb.Fatalf("seed history: %v", err)
		}
	}
	recipients := `SELECT id, channel FROM subscribers`
	if h.Recipients > 0 {
		exec(`INSERT INTO subscribers (channel, address, kind)
			SELECT 'telegram', 'history:' || g, 'private' FROM generate_series(1, $1::int) g
			ON CONFLICT DO NOTHING`, h.Recipients)
		recipients += ` WHERE address LIKE 'history:%'`
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM (`+recipients+`) r`).Scan(&n); err != nil || n == 0 {
		tb.Fatalf("seed history: %d subscribers to seed for, %v", n, err)
	}
	broadcasts := (h.Deliveries + n - 1) / n
	// Broadcast g of B is (B-g+1) spacings old; with Failures the even ones are the
	// unclean ones, reported a spacing after they were made.
	exec(`INSERT INTO broadcasts (source_key, kind, topic, title, created_at, failures_reported_at)
		SELECT 'history:' || g, 'article', 'news', 'Tin cũ số ' || g, t,
			CASE WHEN $3 AND g % 2 = 0 THEN t + $2::interval END
		FROM generate_series(1, $1::int) g, LATERAL (SELECT now() - $2::interval * ($1 - g + 1) AS t) t`,
		broadcasts, h.Spacing, h.Failures)
	// A reported broadcast (only with Failures) is an unclean one.
	exec(`INSERT INTO deliveries (broadcast_id, subscriber_id, channel, status, reason, last_error,
			attempts, parts_sent, due_at, sent_at, finished_at, created_at, claim)
		SELECT b.id, r.id, r.channel, o.status, o.reason, o.last_error, 1, (o.status = 'sent')::int,
			b.created_at, b.created_at, b.created_at + interval '1 minute', b.created_at, 0
		FROM broadcasts b CROSS JOIN (`+recipients+`) r, LATERAL (
			SELECT 'failed' AS status, 'blocked' AS reason, 'blocked' AS last_error
				WHERE b.failures_reported_at IS NOT NULL AND r.id % 50 = 0
			UNION ALL SELECT 'cancelled', 'subscriber_gone', 'subscriber stopped'
				WHERE b.failures_reported_at IS NOT NULL AND r.id % 50 <> 0 AND r.id % 100 = 1
			UNION ALL SELECT 'sent', '', ''
				WHERE b.failures_reported_at IS NULL OR (r.id % 50 <> 0 AND r.id % 100 <> 1)) o
		WHERE b.source_key LIKE 'history:%'
		LIMIT $1`, h.Deliveries)
	exec(`VACUUM ANALYZE deliveries`)
	exec(`ANALYZE subscribers, broadcasts`)
}

// BenchHistory is the history a benchmark seeds: LOA_BENCH_HISTORY when set (e.g.
// 10000000, which takes minutes to seed), else def, so that CI stays fast.
func BenchHistory(tb testing.TB, def int) int {
	tb.Helper()
	v := os.Getenv("LOA_BENCH_HISTORY")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		tb.Fatalf("LOA_BENCH_HISTORY=%q: want a number of finished deliveries", v)
	}
	return n
}
