package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/internal/dbtest"
	"loa/store"
)

// addSubscribers adds n active private-chat subscribers in one statement.
func addSubscribers(tb testing.TB, url string, n int) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO subscribers (channel, address, kind)
		SELECT 'telegram', (10000 + g)::text, 'private' FROM generate_series(1, $1) g`, n); err != nil {
		tb.Fatal(err)
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
		addSubscribers(t, url, subscribers)
		dbtest.SeedHistory(t, url, history)
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
	// Live work only: the 25 deliveries claimed, their chats and broadcasts, and the
	// oldest pending delivery of each chat (about 30 buffers each). A plan that scans
	// the 2,000 pending rows once per candidate touches more than 1,700.
	for _, w := range []store.PlanWork{none, million} {
		if w.Hit+w.Read > 1200 {
			t.Fatalf("a claim of 25 touched %d buffers: more than its live work\n%s", w.Hit+w.Read, w.Plan)
		}
	}
	// The same live work either way; a little slack for the deeper indexes.
	if got, base := million.Hit+million.Read, none.Hit+none.Read; got > base+base/2+20 {
		t.Fatalf("a claim touched %d buffers with 1M finished deliveries, %d with none: cost grows with history\n%s",
			got, base, million.Plan)
	}
}
