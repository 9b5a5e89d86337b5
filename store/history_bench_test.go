package store_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/internal/dbtest"
	"loa/store"
	"loa/store/storetest"
)

// BenchmarkHistory seeds a year of history (10M finished deliveries, dated 91 to 190
// days ago, so all of it is past the default retention) and measures, with it:
// the failure report, a broadcast's progress, the broadcasts list (bot: 10, CLI:
// 1,000), /stats; then pruning all of it while a broadcast sends at a steady rate.
// Targets: each read ≤ 50 ms; sending ≥ 95 % of its rate while pruning.
func BenchmarkHistory(b *testing.B) {
	n := storetest.BenchHistory(b, 10_000_000)
	url := dbtest.URL(b)
	s := dbtest.StoreAt(b, url)
	ctx := context.Background()
	conn := dbtest.Conn(b, url)
	start := time.Now()
	storetest.SeedHistoryOf(b, url, history(n))
	if _, err := conn.Exec(ctx, `UPDATE broadcasts SET created_at = created_at - interval '90 days'`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d finished deliveries in %s", n, time.Since(start).Round(time.Second))
	// A broadcast under way: 100,000 pending deliveries.
	live, created, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "ann:live", Kind: store.KindAnnouncement, Topic: "news", Title: "Đang gửi"})
	if err != nil || !created {
		b.Fatal(created, err)
	}
	var old int64
	if err := conn.QueryRow(ctx, `SELECT max(id) FROM broadcasts WHERE source_key LIKE 'history:%'`).Scan(&old); err != nil {
		b.Fatal(err)
	}
	noReport := func(store.BroadcastReport) (store.NewAlert, bool) { return store.NewAlert{}, false }
	// The first report run marks the history finished (once); the benchmark measures
	// the steady state, every minute on the leader.
	if _, err := s.ReportFinished(ctx, noReport); err != nil {
		b.Fatal(err)
	}
	reads := []struct {
		name string
		run  func() error
	}{
		{"ReportFinished", func() error { _, err := s.ReportFinished(ctx, noReport); return err }},
		{"BroadcastDetail", func() error { _, _, err := s.BroadcastDetail(ctx, old); return err }},
		{"BroadcastDetailLive", func() error { _, _, err := s.BroadcastDetail(ctx, live); return err }},
		{"BroadcastStats10", func() error { _, err := s.BroadcastStats(ctx, 10); return err }},
		{"BroadcastStats1000", func() error { _, err := s.BroadcastStats(ctx, 1000); return err }},
		{"ActivitySinceWeek", func() error { _, err := s.ActivitySince(ctx, time.Now().Add(-7*24*time.Hour)); return err }},
		{"ActivitySinceYear", func() error { _, err := s.ActivitySince(ctx, time.Now().Add(-365*24*time.Hour)); return err }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				if err := r.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/read")
			b.ReportMetric(float64(n), "finished_deliveries")
		})
	}
	b.Run("PruneWhileSending", func(b *testing.B) {
		for b.Loop() {
			pruneWhileSending(b, s, url, n)
		}
	})
}

// sender sends the live broadcast at a steady rate (batches of 25 on a ticker) the way
// the dispatcher records outcomes (store.MarkSent, one per message, concurrently, with
// the counters' trigger), claiming
// with a small statement on the due index: the claim itself is wt-deliveries' part
// and is not what this measures.
func sender(ctx context.Context, b *testing.B, s *store.Store, conn *pgx.Conn, rate int) (sent int, elapsed time.Duration) {
	const batch = 25
	tick := time.NewTicker(time.Second * batch / time.Duration(rate))
	defer tick.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return sent, time.Since(start)
		case <-tick.C:
		}
		rows, err := conn.Query(context.Background(), `
			WITH c AS (SELECT id FROM deliveries WHERE channel = 'telegram' AND status = 'pending' AND due_at <= now()
				ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
			UPDATE deliveries d SET due_at = now() + interval '1 minute', attempts = d.attempts + 1
			FROM c WHERE d.id = c.id RETURNING d.id`, batch)
		if err != nil {
			b.Error(err)
			return sent, time.Since(start)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			b.Error(err)
			return sent, time.Since(start)
		}
		// Outcomes recorded side by side, as the dispatcher's sends in flight do.
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() {
				// This claim sets no claim token: 0 holds them.
				if err := s.MarkSent(context.Background(), id, 0, 1, 0); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		sent += len(ids)
	}
}

// pruneWindow bounds how long the benchmark watches sending while pruning
// (LOA_BENCH_PRUNE_WINDOW, default 2m; 0: until everything is pruned). Paced pruning
// of 10M rows takes tens of minutes; the rate while pruning is what is measured.
func pruneWindow(b *testing.B) time.Duration {
	v := os.Getenv("LOA_BENCH_PRUNE_WINDOW")
	if v == "" {
		return 2 * time.Minute
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("LOA_BENCH_PRUNE_WINDOW=%q: %v", v, err)
	}
	return d
}

func pruneWhileSending(b *testing.B, s *store.Store, url string, n int) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	const rate = 500 // messages a second: above Telegram's free 30/s, half its paid ceiling
	// Baseline: the same sending without pruning.
	bctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	baseSent, baseTook := sender(bctx, b, s, conn, rate)
	cancel()
	baseRate := float64(baseSent) / baseTook.Seconds()

	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var sent int
	var took time.Duration
	wg.Go(func() { sent, took = sender(sctx, b, s, conn, rate) })
	pctx := ctx
	if w := pruneWindow(b); w > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, w)
		defer cancel()
	}
	start := time.Now()
	p, err := s.Prune(pctx, time.Now(), store.Retention{Deliveries: 90 * 24 * time.Hour, Audit: 730 * 24 * time.Hour}, false)
	pruneTook := time.Since(start)
	stop()
	wg.Wait()
	if err != nil && pctx.Err() == nil {
		b.Fatal(err)
	}
	if err == nil && p.Deliveries != int64(n) {
		b.Fatalf("pruned %d deliveries, want %d", p.Deliveries, n)
	}
	withRate := float64(sent) / took.Seconds()
	pruneRate := float64(p.Deliveries) / pruneTook.Seconds()
	b.ReportMetric(pruneRate, "pruned_rows/s")
	b.ReportMetric(float64(n)/pruneRate/60, "min_for_all")
	b.ReportMetric(baseRate, "sent/s_alone")
	b.ReportMetric(withRate, "sent/s_pruning")
	b.ReportMetric(100*withRate/baseRate, "%_of_alone")
	fmt.Fprintf(os.Stderr, "pruned %d of %d rows in %s (%.0f rows/s); sending %.0f/s alone, %.0f/s while pruning (target %d/s)\n",
		p.Deliveries, n, pruneTook.Round(time.Second), pruneRate, baseRate, withRate, rate)
}
