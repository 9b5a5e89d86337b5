package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
)

// DayOutcomes is one day's messages on one channel, for charts that outlive retention.
type DayOutcomes struct {
	// Day is midnight of the day in the zone asked for.
	Day          time.Time
	Channel      chat.Channel
	Sent, Failed int64
}

// DailyOutcomes returns the messages sent and failed per day (in loc) and channel, for
// the days days ending with the one that contains today, oldest first. Days without
// messages are absent. It reads the hourly rollup the deliveries trigger keeps, never
// the deliveries themselves.
func (s *Store) DailyOutcomes(ctx context.Context, loc *time.Location, today time.Time, days int) ([]DayOutcomes, error) {
	from, to := dayRange(loc, today, days)
	rows, err := s.pool.Query(ctx, `
		SELECT to_char(h.hour AT TIME ZONE $1, 'YYYY-MM-DD'), h.channel,
			coalesce(sum(h.n) FILTER (WHERE h.status = 'sent'), 0)::bigint,
			coalesce(sum(h.n) FILTER (WHERE h.status = 'failed'), 0)::bigint
		FROM delivery_hours h WHERE h.hour >= $2 AND h.hour < $3
		GROUP BY 1, 2 HAVING sum(h.n) <> 0 ORDER BY 1, 2`, loc.String(), from, to)
	return collected(rows, err, "daily outcomes", func(row pgx.CollectableRow) (DayOutcomes, error) {
		var d DayOutcomes
		err := scanDay(row, loc, &d.Day, &d.Channel, &d.Sent, &d.Failed)
		return d, err
	})
}

// DaySubscribers is how many subscribers a channel had in a status at the end of a day
// (or, for today, at the last snapshot).
type DaySubscribers struct {
	Day     time.Time
	Channel chat.Channel
	Status  SubscriberStatus
	Count   int
}

// SnapshotSubscribers records today's subscribers by channel and status (today: the day
// in loc that contains now), replacing the earlier snapshot of the same day. The leader
// runs it every few minutes, so each day keeps its last snapshot.
func (s *Store) SnapshotSubscribers(ctx context.Context, loc *time.Location, now time.Time) error {
	day := now.In(loc).Format(time.DateOnly)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM subscriber_days WHERE day = $1::date`, day); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO subscriber_days (day, channel, status, n)
			SELECT $1::date, channel, status, count(*) FROM subscribers GROUP BY 2, 3`, day)
		return err
	})
	if err != nil {
		return fmt.Errorf("snapshot subscribers of %s: %w", day, err)
	}
	return nil
}

// DailySubscribers returns the snapshots of the days days ending with today (in loc),
// oldest first.
func (s *Store) DailySubscribers(ctx context.Context, loc *time.Location, today time.Time, days int) ([]DaySubscribers, error) {
	from, to := dayRange(loc, today, days)
	rows, err := s.pool.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), channel, status, n FROM subscriber_days
		WHERE day >= $1::date AND day < $2::date ORDER BY day, channel, status`,
		from.In(loc).Format(time.DateOnly), to.In(loc).Format(time.DateOnly))
	return collected(rows, err, "daily subscribers", func(row pgx.CollectableRow) (DaySubscribers, error) {
		var d DaySubscribers
		err := scanDay(row, loc, &d.Day, &d.Channel, &d.Status, &d.Count)
		return d, err
	})
}

// scanDay scans a row whose first column is a day as 'YYYY-MM-DD' into day, as its
// midnight in loc, and the other columns into rest.
func scanDay(row pgx.CollectableRow, loc *time.Location, day *time.Time, rest ...any) error {
	var s string
	if err := row.Scan(append([]any{&s}, rest...)...); err != nil {
		return err
	}
	var err error
	*day, err = time.ParseInLocation(time.DateOnly, s, loc)
	return err
}

// dayRange is [midnight of the first day, midnight after today) in loc, for days days.
func dayRange(loc *time.Location, today time.Time, days int) (from, to time.Time) {
	y, m, d := today.In(loc).Date()
	to = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	from = time.Date(y, m, d+1-days, 0, 0, 0, 0, loc)
	return from, to
}
