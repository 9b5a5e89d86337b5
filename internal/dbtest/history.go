package dbtest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// SeedHistory gives the schema at url about n finished deliveries, as months of use
// would leave them: old broadcasts, each sent to every subscriber already in the
// schema (so there must be some), older than anything the test creates afterwards,
// written with SQL in a few statements. It then refreshes the planner's statistics of
// the tables involved, as autovacuum would have, while none of them is pending.
func SeedHistory(tb testing.TB, url string, n int) {
	tb.Helper()
	if n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	var subscribers int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM subscribers`).Scan(&subscribers); err != nil || subscribers == 0 {
		tb.Fatalf("seed history: %d subscribers to seed for, %v", subscribers, err)
	}
	broadcasts := (n + subscribers - 1) / subscribers
	for _, q := range []struct {
		sql  string
		args []any
	}{
		// One broadcast an hour, the newest an hour ago.
		{`INSERT INTO broadcasts (source_key, kind, topic, title, created_at)
			SELECT 'history:' || g, 'article', 'news', 'Tin cũ số ' || g, now() - interval '1 hour' * ($1 - g + 1)
			FROM generate_series(1, $1) g`, []any{broadcasts}},
		{`INSERT INTO deliveries (broadcast_id, subscriber_id, channel, status, attempts, parts_sent,
				sent_at, finished_at, created_at, due_at, claim)
			SELECT b.id, s.id, s.channel, 'sent', 1, 1, b.created_at, b.created_at, b.created_at, b.created_at, 0
			FROM broadcasts b CROSS JOIN subscribers s
			WHERE b.source_key LIKE 'history:%'
			LIMIT $1`, []any{n}},
		{`ANALYZE subscribers, broadcasts, deliveries`, nil},
	} {
		if _, err := conn.Exec(ctx, q.sql, q.args...); err != nil {
			tb.Fatalf("seed history: %v", err)
		}
	}
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
