package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

// seedHistory adds n finished deliveries, in broadcasts of per deliveries each (one
// subscriber per recipient, created when missing), written straight in SQL the way a
// year of sending would have left them: mostly sent, one in 50 failed (blocked), one in
// 100 cancelled; every other broadcast went out cleanly (all sent). The broadcasts are
// dated days apart, ending a day before now; those with failures were reported.
func seedHistory(t testing.TB, conn *pgx.Conn, n, per int) {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `
		INSERT INTO subscribers (channel, address, kind)
		SELECT 'telegram', 'h' || g, 'private' FROM generate_series(1, $1::int) g
		ON CONFLICT DO NOTHING`, per); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < n/per; b++ {
		if _, err := conn.Exec(ctx, `
			WITH b AS (
				INSERT INTO broadcasts (source_key, kind, topic, title, created_at, failures_reported_at)
				SELECT 'history:' || (coalesce(max(id), 0) + 1), 'article', 'news', 'Tin cũ',
					now() - make_interval(days => 1 + $1::int),
					CASE WHEN $2 THEN NULL ELSE now() - make_interval(days => $1::int) END
				FROM broadcasts
				RETURNING id, created_at)
			INSERT INTO deliveries (broadcast_id, subscriber_id, channel, status, reason, last_error,
				attempts, due_at, sent_at, finished_at, created_at)
			SELECT b.id, s.id, 'telegram',
				CASE WHEN $2 THEN 'sent' WHEN s.id % 50 = 0 THEN 'failed' WHEN s.id % 100 = 1 THEN 'cancelled' ELSE 'sent' END,
				CASE WHEN $2 THEN '' WHEN s.id % 50 = 0 THEN 'blocked' WHEN s.id % 100 = 1 THEN 'subscriber_gone' ELSE '' END,
				CASE WHEN $2 THEN '' WHEN s.id % 50 = 0 THEN 'blocked' WHEN s.id % 100 = 1 THEN 'subscriber stopped' ELSE '' END,
				1, b.created_at, b.created_at, b.created_at + interval '1 minute', b.created_at
			FROM b, subscribers s WHERE s.address LIKE 'h%'`, n/per-b, b%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{`VACUUM ANALYZE deliveries`, `ANALYZE broadcasts`, `ANALYZE subscribers`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// explainBuffers runs the statement under EXPLAIN (ANALYZE, BUFFERS) in a transaction it
// rolls back, and returns the shared buffers its execution touched (hit or read).
func explainBuffers(t testing.TB, s *store.Store, sql string, args ...any) int {
	t.Helper()
	w, err := s.Explain(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", sql, err)
	}
	return int(w.Hit + w.Read)
}

// TestReadsDoNotGrowWithHistory: the failure report, a broadcast's progress, the
// broadcasts list and /stats touch about as many buffers with a million finished
// deliveries in the database as with none. (Before the counters they read every
// delivery: tens of thousands of buffers.)
func TestReadsDoNotGrowWithHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a million deliveries")
	}
	t.Parallel()
	url := dbtest.URL(t)
	s := dbtest.StoreAt(t, url)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// A live broadcast with 100 pending deliveries, the one the progress reads ask about.
	for i := range 100 {
		subscribe(t, s, chat.Telegram, "live"+string(rune('a'+i/26))+string(rune('a'+i%26)), chat.KindPrivate)
	}
	live := broadcast(t, s, "ann:live", "news", "")
	since := time.Now().Add(-400 * 24 * time.Hour)

	before := map[string]int{}
	for _, r := range store.HistoryReads(live, since) {
		before[r.Name] = explainBuffers(t, s, r.SQL, r.Args...)
	}
	seedHistory(t, conn, 1_000_000, 100_000)
	// Progress is now asked of the newest history broadcast: 100,000 recipients.
	var old int64
	if err := conn.QueryRow(ctx, `SELECT max(id) FROM broadcasts WHERE source_key LIKE 'history:%'`).Scan(&old); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := conn.QueryRow(ctx, `SELECT relpages FROM pg_class WHERE oid = 'deliveries'::regclass`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The slack covers reading the history broadcasts' own rows and counters (ten
	// broadcasts), never their deliveries: a million rows fill thousands of pages.
	const slack = 200
	for _, r := range store.HistoryReads(old, since) {
		after := explainBuffers(t, s, r.SQL, r.Args...)
		t.Logf("%s: %d buffers with no history, %d with 1,000,000 finished deliveries (deliveries: %d pages)", r.Name, before[r.Name], after, pages)
		if after > before[r.Name]+slack {
			t.Errorf("%s touched %d shared buffers with 1M finished deliveries, %d without: its work grows with history",
				r.Name, after, before[r.Name])
		}
	}
}

// TestNoJIT: the store's connections never JIT-compile (seconds of compilation for
// reads of a millisecond, triggered by the estimated cost of branches that never run).
func TestNoJIT(t *testing.T) {
	t.Parallel()
	s := dbtest.Store(t)
	var jit string
	if err := s.QueryRow(context.Background(), `SHOW jit`, &jit); err != nil || jit != "off" {
		t.Fatalf("jit = %q, %v; want off", jit, err)
	}
}
