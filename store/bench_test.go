package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"loa/internal/dbtest"
	"loa/store"
)

// BenchmarkFanOut100k measures creating one broadcast for 100,000 active subscribers:
// the INSERT … SELECT that writes its 100,000 deliveries, in one transaction.
// Target: ≤ 2 s.
func BenchmarkFanOut100k(b *testing.B) {
	const n = 100_000
	url := dbtest.URL(b)
	s := dbtest.StoreAt(b, url)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
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
			SourceKey: fmt.Sprintf("bench:%d", i), Kind: "announcement", Topic: "news", Title: "Thông báo",
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
