package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// exec runs one seeding statement on its own connection to the schema at url and
// fails tb, naming what it seeds, when it errs.
func exec(tb testing.TB, url, what, sql string, args ...any) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("seed %s: %v", what, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("seed %s: %v", what, err)
	}
}

// SeedMembers subscribes n private Telegram chats, first to first+n-1 (the chat id
// is the address), in one statement: a benchmark's audience, where subscribing
// each through the store would take longer than what is measured.
func SeedMembers(tb testing.TB, url string, first int64, n int) {
	tb.Helper()
	exec(tb, url, "members", `INSERT INTO subscribers (channel, address, kind)
		SELECT 'telegram', ($1::bigint + g)::text, 'private' FROM generate_series(0, $2::int - 1) g`, first, n)
}

// SeedAudit writes an audit entry of action by the service ("loa") for each age,
// that long before the database's now: entries older than the test could make, for
// retention.
func SeedAudit(tb testing.TB, url, action string, ages ...time.Duration) {
	tb.Helper()
	exec(tb, url, "audit entries", `INSERT INTO audit_log (at, actor, action)
		SELECT now() - age, 'loa', $2 FROM unnest($1::interval[]) age`, ages, action)
}
