package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
	"loa/store/storetest"
)

// BenchmarkFanOut100k measures creating one broadcast for 100,000 active subscribers:
// the INSERT … SELECT that writes its 100,000 deliveries, in one transaction.
// Target: ≤ 2 s.
func BenchmarkFanOut100k(b *testing.B) {
	const n = 100_000
	url := dbtest.URL(b)
	s := dbtest.StoreAt(b, url)
	ctx := context.Background()
	conn := dbtest.Conn(b, url)
	if _, err := conn.Exec(ctx, `
		INSERT INTO subscribers (channel, address, kind)
		SELECT 'telegram', g::text, 'private' FROM generate_series(1, $1) g`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE subscribers`); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		_, created, err := s.CreateBroadcast(ctx, store.NewBroadcast{
			SourceKey: fmt.Sprintf("bench:%d", i), Kind: store.KindAnnouncement, Topic: "news", Title: "Thông báo",
		})
		if err != nil || !created {
			b.Fatal(created, err)
		}
	}
	b.StopTimer()
	var total int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	if total != n*i {
		b.Fatalf("%d deliveries for %d broadcasts", total, i)
	}
	b.ReportMetric(float64(n), "deliveries/op")
}

// benchHistories are the history sizes BenchmarkClaim runs with: none and 1M finished
// deliveries, and LOA_BENCH_HISTORY's when set (e.g. 10000000).
func benchHistories(b *testing.B) []int {
	hs := []int{0, 1_000_000}
	if n := storetest.BenchHistory(b, 0); !slices.Contains(hs, n) {
		hs = append(hs, n)
	}
	return hs
}

// BenchmarkClaim measures one ClaimDeliveries of 25 with 100,000 subscribers, one
// broadcast pending to all of them, and 0, 1M (and LOA_BENCH_HISTORY) finished
// deliveries in the table. Target: flat across histories, ≤ 5 ms. It also reports the
// shared buffers one claim touches (EXPLAIN (ANALYZE, BUFFERS)).
func BenchmarkClaim(b *testing.B) {
	for _, history := range benchHistories(b) {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			const subscribers = 100_000
			url := dbtest.URL(b)
			s := dbtest.StoreAt(b, url)
			ctx := context.Background()
			addSubscribers(b, url, subscribers)
			storetest.SeedHistory(b, url, history)
			if _, _, err := s.CreateBroadcast(ctx, store.NewBroadcast{
				SourceKey: "bench:live", Kind: store.KindAnnouncement, Topic: store.TopicAll, Title: "Thông báo",
			}); err != nil {
				b.Fatal(err)
			}
			claims := 0
			for b.Loop() {
				ds, err := s.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 25, "bench")
				if err != nil || len(ds) != 25 {
					b.Fatalf("claimed %d, %v", len(ds), err)
				}
				claims++
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(claims), "ms/claim")
			w, err := s.ExplainClaim(ctx, chat.Telegram, time.Minute, 25)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(w.Hit+w.Read), "buffers/claim")
		})
	}
}
