package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"loa/store"
	"loa/store/storetest"
)

// BenchmarkPaging seeds the history of an office that has run loa for years — 1M
// finished deliveries over 10,000 broadcasts (LOA_BENCH_HISTORY sets the deliveries;
// the broadcasts are a hundredth of them), as many audit entries over two years, and
// 100,000 subscribers — and reads the first page and deep pages of each list the web
// console pages (50 rows, as the console), printing the time of each and the shared
// buffers it touched (EXPLAIN (ANALYZE, BUFFERS)). Keyset pages read what the first
// page reads; the OFFSET page and the generic plan of the filters written as
// "($n = ” OR …)" are there for contrast.
func BenchmarkPaging(b *testing.B) {
	url, s, conn := schema(b)
	ctx := context.Background()
	n := storetest.BenchHistory(b, 1_000_000)
	exec := func(sql string, args ...any) {
		b.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	start := time.Now()
	storetest.SeedHistoryOf(b, url, storetest.History{Deliveries: n, Recipients: 100, Spacing: 2 * time.Hour, Failures: true})
	// The audit log: three entries a transaction (ties in time), over two years: the
	// service's runs, admins in the web console, the bot and the CLI.
	exec(`INSERT INTO audit_log (at, actor, via, action, target, detail)
		SELECT now() - (g / 3) * ($2::interval / $1), a.actor, a.via, a.action, 'feed ' || (g % 40), 'chi tiết ' || g
		FROM generate_series(1, $1::int) g, LATERAL (SELECT
			CASE WHEN g % 10 < 5 THEN 'loa' WHEN g % 10 < 8 THEN 'telegram:' || (1000 + g % 7) WHEN g % 10 = 8 THEN 'zalo:z' || (g % 5) ELSE 'cli:an' END AS actor,
			CASE WHEN g % 10 < 5 THEN 'service' WHEN g % 10 < 8 THEN 'web' WHEN g % 10 = 8 THEN 'bot' ELSE 'cli' END AS via,
			CASE WHEN g % 10 < 5 THEN 'announcement.run' WHEN g % 10 < 7 THEN 'feed.edit' WHEN g % 10 = 7 THEN 'web.signin' ELSE 'announcement.create' END AS action) a`,
		n, 3*730*24*time.Hour) // the time between two transactions: two years over n/3
	exec(`INSERT INTO subscribers (channel, address, kind, title)
		SELECT CASE WHEN g % 5 = 0 THEN 'zalo' ELSE 'telegram' END, 'bench:' || g, 'private', 'Người nhận ' || g
		FROM generate_series(1, 100000) g`)
	exec(`VACUUM ANALYZE audit_log, subscribers, broadcasts`)
	b.Logf("seeded %d deliveries, %d audit entries, 100,000 subscribers in %s", n, n, time.Since(start).Round(time.Second))

	const size = 50
	var broadcasts int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM broadcasts`).Scan(&broadcasts); err != nil {
		b.Fatal(err)
	}
	// timed is the cursor of the row that ends the page before page (from 1) of a
	// list newest first, as the console's "Trang sau" carries it (found with OFFSET,
	// once).
	timed := func(table, col string, where string, page int) store.Cursor {
		b.Helper()
		var c store.Cursor
		// A smaller LOA_BENCH_HISTORY may not have that page: the last one then.
		err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT %s, id FROM %s WHERE %s ORDER BY %s DESC, id DESC
			OFFSET greatest(0, least($1, (SELECT count(*) FROM %[2]s WHERE %[3]s) / $2 * $2 - 1)) LIMIT 1`, col, table, where, col),
			(page-1)*size-1, size).Scan(&c.At, &c.ID)
		if err != nil {
			b.Fatalf("cursor of page %d of %s: %v", page, table, err)
		}
		return c
	}
	subscriberAt := func(page int) store.Cursor {
		b.Helper()
		var c store.Cursor
		if err := conn.QueryRow(ctx, `SELECT id FROM subscribers ORDER BY id OFFSET $1 LIMIT 1`, (page-1)*size-1).Scan(&c.ID); err != nil {
			b.Fatal(err)
		}
		return c
	}
	lastAudit, lastBroadcast := (n+size-1)/size, (broadcasts+size-1)/size
	web := store.AuditFilter{Via: store.ViaWeb}
	var webEntries int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE via = 'web'`).Scan(&webEntries); err != nil {
		b.Fatal(err)
	}
	const oldAuditPage = `SELECT id, at, actor, via, action, target, detail FROM audit_log
		WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR starts_with(action, $3))
			AND ($4 = '' OR via = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($7 = '' OR target = $7)
			AND (at, id) < ($8, $9)
		ORDER BY at DESC, id DESC LIMIT $6`
	deep := timed("audit_log", "at", "true", 500)

	type read struct {
		name string
		run  func() error
		// sql is what EXPLAIN measures ("" for none).
		sql  store.HistoryRead
		note string
	}
	auditPage := func(f store.AuditFilter, p store.Page) read {
		return read{run: func() error { _, err := s.AuditPage(ctx, f, p); return err }, sql: store.AuditPageRead(f, p)}
	}
	broadcastPage := func(p store.Page) read {
		return read{run: func() error { _, err := s.BroadcastPage(ctx, p); return err }, sql: store.BroadcastPageRead(p)}
	}
	subscriberPage := func(f store.SubscriberFilter, p store.Page) read {
		_, pg := store.SubscriberSearchReads(f, p)
		return read{run: func() error { _, _, err := s.SearchSubscribers(ctx, f, p); return err }, sql: pg,
			note: "time includes the exact count"}
	}
	named := func(r read, name string) read { r.name = name; return r }
	offsetPage := func(page int) read {
		const sql = `SELECT id, at, actor, via, action, target, detail FROM audit_log ORDER BY at DESC, id DESC OFFSET $1 LIMIT $2`
		args := []any{(page - 1) * size, size + 1}
		return read{name: fmt.Sprintf("Audit/page%d_OFFSET", page), run: func() error {
			rows, err := conn.Query(ctx, sql, args...)
			if err == nil {
				rows.Close()
				err = rows.Err()
			}
			return err
		}, sql: store.HistoryRead{SQL: sql, Args: args}, note: "not used, for contrast"}
	}
	reads := []read{
		named(auditPage(store.AuditFilter{}, store.Page{Size: size}), "Audit/page1"),
		named(auditPage(store.AuditFilter{}, store.Page{Size: size, After: deep}), "Audit/page500"),
		named(auditPage(store.AuditFilter{}, store.Page{Size: size, After: timed("audit_log", "at", "true", lastAudit)}), fmt.Sprintf("Audit/page%d_last", lastAudit)),
		named(auditPage(store.AuditFilter{}, store.Page{Size: size, Before: deep}), "Audit/page499_back"),
		named(auditPage(web, store.Page{Size: size}), "Audit/web_page1"),
		named(auditPage(web, store.Page{Size: size, After: timed("audit_log", "at", "via = 'web'", 500)}), "Audit/web_page500"),
		named(auditPage(store.AuditFilter{Actor: "telegram:1003"}, store.Page{Size: size, After: timed("audit_log", "at", "actor = 'telegram:1003'", 500)}), "Audit/actor_page500"),
		{name: "Audit/page500_generic_plan", run: func() error {
			r := store.AuditPageRead(store.AuditFilter{}, store.Page{Size: size, After: deep})
			return s.QueryPlanMode(ctx, "force_generic_plan", r.SQL, r.Args...)
		}, note: "the statement as PostgreSQL runs it once it reuses a generic plan"},
		{name: "Audit/page500_generic_plan_OR_filters", run: func() error {
			return s.QueryPlanMode(ctx, "force_generic_plan", oldAuditPage, "", "", "", "", nil, size+1, "", deep.At, deep.ID)
		}, note: "filters as ($n = '' OR …): not used, for contrast"},
		offsetPage(500), offsetPage(lastAudit),
		{name: "Audit/estimate", run: func() error { _, _, err := s.AuditLogEstimate(ctx); return err }},
		named(broadcastPage(store.Page{Size: size}), "Broadcasts/page1"),
		named(broadcastPage(store.Page{Size: size, After: timed("broadcasts", "created_at", "true", lastBroadcast)}), fmt.Sprintf("Broadcasts/page%d_last", lastBroadcast)),
		{name: "Broadcasts/count", run: func() error { _, err := s.CountBroadcasts(ctx); return err },
			sql: store.HistoryRead{SQL: `SELECT count(*) FROM broadcasts`}, note: "exact"},
		named(subscriberPage(store.SubscriberFilter{}, store.Page{Size: size}), "Subscribers/page1"),
		named(subscriberPage(store.SubscriberFilter{}, store.Page{Size: size, After: subscriberAt(1900)}), "Subscribers/page1900"),
		named(subscriberPage(store.SubscriberFilter{Channel: "zalo", Query: "nhận 9"}, store.Page{Size: size}), "Subscribers/zalo_search_page1"),
	}
	count, _ := store.SubscriberSearchReads(store.SubscriberFilter{}, store.Page{Size: size})
	reads = append(reads, read{name: "Subscribers/count", run: func() error {
		return conn.QueryRow(ctx, count.SQL, count.Args...).Scan(new(int))
	}, sql: count, note: "exact, on every page"})

	fmt.Fprintf(os.Stderr, "paging, %d audit entries (%d through the web), %d broadcasts, 100,000 subscribers, pages of %d:\n", n, webEntries, broadcasts, size)
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				if err := r.run(); err != nil {
					b.Fatal(err)
				}
			}
			ms := float64(b.Elapsed().Microseconds()) / float64(b.N) / 1000
			b.ReportMetric(ms, "ms/page")
			buffers := int64(-1)
			if r.sql.SQL != "" {
				w, err := s.Explain(ctx, r.sql.SQL, r.sql.Args...)
				if err != nil {
					b.Fatal(err)
				}
				buffers = w.Hit + w.Read
				b.ReportMetric(float64(buffers), "buffers")
			}
			bufs := "-"
			if buffers >= 0 {
				bufs = fmt.Sprint(buffers)
			}
			fmt.Fprintf(os.Stderr, "  %-40s %9.3f ms  %7s buffers  %s\n", r.name, ms, bufs, r.note)
		})
	}
}
