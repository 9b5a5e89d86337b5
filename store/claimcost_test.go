package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/internal/dbtest"
	"loa/store"
)

// seedHistory adds subscribers active subscribers and history finished deliveries (sent
// to them by history/subscribers older broadcasts), in SQL, as a year of use would
// leave them, then refreshes the planner's statistics as autovacuum would.
func seedHistory(tb testing.TB, url string, subscribers, history int) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO subscribers (channel, address, kind)
			SELECT 'telegram', (10000 + g)::text, 'private' FROM generate_series(1, $1) g`, []any{subscribers}},
		{`INSERT INTO broadcasts (source_key, kind, topic, title, created_at)
			SELECT 'old:' || g, 'article', 'news', 'old', now() - interval '1 hour' * ($1 - g + 1)
			FROM generate_series(1, $1) g`, []any{history / max(subscribers, 1)}},
		{
			`INSERT INTO deliveries (broadcast_id, subscriber_id, channel, status, attempts, parts_sent,
				sent_at, finished_at, created_at, due_at, claim)
			SELECT b.id, s.id, 'telegram', 'sent', 1, 1, b.created_at, b.created_at, b.created_at, b.created_at, 0
			FROM broadcasts b CROSS JOIN subscribers s`, nil},
		{`ANALYZE subscribers, broadcasts, deliveries`, nil},
	} {
		if _, err := conn.Exec(ctx, q.sql, q.args...); err != nil {
			tb.Fatalf("seed history: %v", err)
		}
	}
}

// TestClaimCostIsFlatWithHistory: a claim does the same work whether a million finished
// deliveries lie in the table or none (issue 9: 5–6 s a claim with 3M finished rows,
// "Rows Removed by Filter: 3000000"). Work is shared buffers touched, from EXPLAIN
// (ANALYZE, BUFFERS), not time.
func TestClaimCostIsFlatWithHistory(t *testing.T) {
	t.Parallel()
	const subscribers = 2000
	work := func(t *testing.T, history int) store.PlanWork {
		url := dbtest.URL(t)
		s := dbtest.StoreAt(t, url)
		seedHistory(t, url, subscribers, history)
		broadcast(t, s, "live", "news", "")
		w, err := s.ExplainClaim(context.Background(), "telegram", time.Minute, 25)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	none := work(t, 0)
	million := work(t, 1_000_000)
	t.Logf("buffers touched by one claim of 25: %d with no history, %d with 1M finished deliveries",
		none.Hit+none.Read, million.Hit+million.Read)
	// The same live work either way; a little slack for the deeper indexes.
	if got, base := million.Hit+million.Read, none.Hit+none.Read; got > base+base/2+20 {
		t.Fatalf("a claim touched %d buffers with 1M finished deliveries, %d with none: cost grows with history\n%s",
			got, base, million.Plan)
	}
}
