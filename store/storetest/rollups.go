package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
	"loa/store"
)

// DeliveryHour is one count of the hourly rollup of deliveries (what the delivery
// charts read): N deliveries of Channel ended in Status within the hour of Hour.
type DeliveryHour struct {
	Hour    time.Time
	Channel chat.Channel
	Status  store.DeliveryStatus
	N       int
}

// SubscriberDay is one count of the daily snapshot of subscribers (what the subscriber
// chart reads): N subscribers of Channel in Status at the end of Day (its date in its
// own zone).
type SubscriberDay struct {
	Day     time.Time
	Channel chat.Channel
	Status  store.SubscriberStatus
	N       int
}

// SeedRollups writes months of history into the rollups of the schema at url, as the
// deliveries' trigger and the leader's snapshots would have left them (for charts
// older than any row the test can make); a day's snapshot replaces one already there.
func SeedRollups(tb testing.TB, url string, hours []DeliveryHour, days []SubscriberDay) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("seed rollups: %v", err)
	}
	defer conn.Close(ctx)
	for _, h := range hours {
		if _, err := conn.Exec(ctx, `INSERT INTO delivery_hours AS h (hour, channel, status, shard, n)
			VALUES (date_trunc('hour', $1::timestamptz, 'UTC'), $2, $3, 0, $4)
			ON CONFLICT (hour, channel, status, shard) DO UPDATE SET n = h.n + excluded.n`,
			h.Hour, h.Channel, h.Status, h.N); err != nil {
			tb.Fatalf("seed delivery rollup: %v", err)
		}
	}
	for _, d := range days {
		if _, err := conn.Exec(ctx, `INSERT INTO subscriber_days (day, channel, status, n) VALUES ($1::date, $2, $3, $4)
			ON CONFLICT (day, channel, status) DO UPDATE SET n = excluded.n`,
			d.Day.Format(time.DateOnly), d.Channel, d.Status, d.N); err != nil {
			tb.Fatalf("seed subscriber snapshot: %v", err)
		}
	}
}
