package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"loa/internal/dbtest"
	"loa/store"
)

// counterSetup is a schema with 100,000 active subscribers, with or without the
// counters' triggers (dropped for the comparison).
func counterSetup(b *testing.B, counters bool) (*store.Store, *pgx.Conn) {
	b.Helper()
	url := dbtest.URL(b)
	s := dbtest.StoreAt(b, url)
	ctx := context.Background()
	conn := dbtest.Conn(b, url)
	qs := []string{`INSERT INTO subscribers (channel, address, kind)
		SELECT 'telegram', g::text, 'private' FROM generate_series(1, 100000) g`, `ANALYZE subscribers`}
	if !counters {
		qs = append(qs, `DROP TRIGGER deliveries_count_insert ON deliveries`, `DROP TRIGGER deliveries_count_update ON deliveries`)
	}
	for _, q := range qs {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return s, conn
}

// BenchmarkCountersCost compares the writes the counters' triggers ride on, with and
// without them: a fan-out to 100,000 subscribers (target ≤ 1 s), a claim of 25 (the
// UPDATE trigger runs and finds no status change) and one outcome (MarkSent: one row
// from pending to sent, two counters and an hourly rollup row upserted).
func BenchmarkCountersCost(b *testing.B) {
	ctx := context.Background()
	for _, counters := range []bool{false, true} {
		name := map[bool]string{false: "without", true: "with"}[counters]
		b.Run("FanOut100k/"+name, func(b *testing.B) {
			s, _ := counterSetup(b, counters)
			i := 0
			for b.Loop() {
				i++
				if _, created, err := s.CreateBroadcast(ctx, store.NewBroadcast{
					SourceKey: fmt.Sprintf("bench:%d", i), Kind: store.KindAnnouncement, Topic: "news", Title: "Thông báo",
				}); err != nil || !created {
					b.Fatal(created, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fan-out")
		})
		b.Run("Claim25/"+name, func(b *testing.B) {
			s, conn := counterSetup(b, counters)
			if _, _, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "bench", Kind: store.KindAnnouncement, Topic: "news", Title: "x"}); err != nil {
				b.Fatal(err)
			}
			if _, err := conn.Exec(ctx, `VACUUM ANALYZE deliveries`); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := conn.Exec(ctx, `
					WITH c AS (SELECT id FROM deliveries WHERE channel = 'telegram' AND status = 'pending' AND due_at <= now()
						ORDER BY due_at LIMIT 25 FOR UPDATE SKIP LOCKED)
					UPDATE deliveries d SET due_at = now() + interval '1 minute', attempts = d.attempts + 1
					FROM c WHERE d.id = c.id`); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/claim")
		})
		b.Run("MarkSent/"+name, func(b *testing.B) {
			s, conn := counterSetup(b, counters)
			if _, _, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "bench", Kind: store.KindAnnouncement, Topic: "news", Title: "x"}); err != nil {
				b.Fatal(err)
			}
			ids := column[int64](b, conn, `SELECT id FROM deliveries ORDER BY id`)
			i := 0
			for b.Loop() {
				// Never claimed: claim 0 holds them; a row already sent is refused.
				if err := s.MarkSent(ctx, ids[i%len(ids)], 0, 1, 0); err != nil && !errors.Is(err, store.ErrClaimLost) {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/outcome")
		})
	}
}

// BenchmarkCounterTriggerTime reports the time PostgreSQL itself attributes to the
// counters' trigger (EXPLAIN ANALYZE's "Trigger …: time=") in a fan-out to 100,000
// subscribers, a claim of 25 and one outcome: on a shared machine this is steadier than
// comparing wall clocks with and without the trigger.
func BenchmarkCounterTriggerTime(b *testing.B) {
	ctx := context.Background()
	trigger := regexp.MustCompile(`Trigger deliveries_count_\w+(?: on \w+)?: time=([0-9.]+)`)
	total := regexp.MustCompile(`Execution Time: ([0-9.]+)`)
	explain := func(b *testing.B, conn *pgx.Conn, sql string, args ...any) (trig, all float64) {
		for _, l := range column[string](b, conn, `EXPLAIN (ANALYZE) `+sql, args...) {
			if m := trigger.FindStringSubmatch(l); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				trig += v
			}
			if m := total.FindStringSubmatch(l); m != nil {
				all, _ = strconv.ParseFloat(m[1], 64)
			}
		}
		return trig, all
	}
	for _, tt := range []struct {
		name string
		sql  string
		arg  func(i int) any
	}{
		{"FanOut100k", `WITH b AS (INSERT INTO broadcasts (source_key, kind, topic, title) VALUES ('t' || $1::int, 'article', 'news', 't') RETURNING id)
			INSERT INTO deliveries (broadcast_id, subscriber_id, channel) SELECT b.id, s.id, s.channel FROM b, subscribers s WHERE s.status = 'active'`,
			func(i int) any { return i }},
		{"Claim25", `WITH c AS (SELECT id FROM deliveries WHERE channel = 'telegram' AND status = 'pending' AND due_at <= now()
				ORDER BY due_at LIMIT 25 FOR UPDATE SKIP LOCKED)
			UPDATE deliveries d SET due_at = now() + interval '1 minute', attempts = d.attempts + 1 FROM c WHERE d.id = c.id AND $1::int >= 0`,
			func(i int) any { return i }},
		{"Outcome", `UPDATE deliveries SET status = 'sent', sent_at = now(), finished_at = now(), parts_sent = 1 WHERE id = $1`,
			func(i int) any { return int64(i + 1) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			s, conn := counterSetup(b, true)
			if tt.name != "FanOut100k" {
				if _, _, err := s.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "bench", Kind: store.KindAnnouncement, Topic: "news", Title: "x"}); err != nil {
					b.Fatal(err)
				}
				if _, err := conn.Exec(ctx, `VACUUM ANALYZE deliveries`); err != nil {
					b.Fatal(err)
				}
			}
			var trig, all []float64
			i := 0
			for b.Loop() {
				t, a := explain(b, conn, tt.sql, tt.arg(i))
				trig, all = append(trig, t), append(all, a)
				i++
			}
			sort.Float64s(trig)
			sort.Float64s(all)
			b.ReportMetric(trig[len(trig)/2], "ms_trigger_median")
			b.ReportMetric(all[len(all)/2], "ms_statement_median")
		})
	}
}
