package store_test

import (
	"context"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
	"loa/store/storetest"
)

// history is the year of sending the history tests seed: n finished deliveries in
// broadcasts to 100,000 subscribers, days apart, every other one with failures (one in
// 50 blocked, one in 100 cancelled) and reported.
func history(n int) storetest.History {
	return storetest.History{Deliveries: n, Recipients: 100_000, Spacing: 24 * time.Hour, Failures: true}
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
	s, url, ctx := parallelStoreURL(t)
	conn := dbtest.Conn(t, url)

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
	storetest.SeedHistoryOf(t, url, history(1_000_000))
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
