package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CreateAlert creates an alert broadcast delivered to the given chats only, in one
// transaction. A chat that is not a subscriber row yet (an admin group named in the
// configuration) is added as a stopped subscriber, so it receives alerts but not the
// members' broadcasts. Chats that are gone are skipped. created is false when an alert
// with the same source key exists (another replica raised it).
func (s *Store) CreateAlert(ctx context.Context, sourceKey, text string, to []Chat) (id int64, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO broadcasts (source_key, kind, topic, title, summary)
			VALUES ($1, 'alert', 'alerts', '', $2)
			ON CONFLICT (source_key) DO NOTHING
			RETURNING id`, sourceKey, text).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		for _, c := range to {
			if _, err := tx.Exec(ctx, `
				INSERT INTO subscribers (channel, address, kind, status, status_reason)
				VALUES ($1, $2, $3, 'stopped', 'admin chat: alerts only')
				ON CONFLICT (channel, address) DO NOTHING`, c.Channel, c.Address, c.Kind); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO deliveries (broadcast_id, subscriber_id, channel)
				SELECT $1, id, channel FROM subscribers
				WHERE channel = $2 AND address = $3 AND status <> 'gone'
				ON CONFLICT DO NOTHING`, id, c.Channel, c.Address); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("create alert %s: %w", sourceKey, err)
	}
	return id, created, nil
}

// FinishedWithFailures returns the broadcasts (not alerts) whose deliveries have all
// finished, some of them failed, and about which the admins have not been told yet;
// each is marked as told in the same statement, so one replica reports it once (and a
// replica that dies before sending the alert loses that one report: at most once).
func (s *Store) FinishedWithFailures(ctx context.Context) ([]BroadcastReport, error) {
	rows, err := s.pool.Query(ctx, finishedSQL)
	if err != nil {
		return nil, fmt.Errorf("finished broadcasts: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("finished broadcasts: %w", err)
	}
	var out []BroadcastReport
	for _, id := range ids {
		b, fails, err := s.BroadcastDetail(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, BroadcastReport{BroadcastStat: b, Failures: fails})
	}
	return out, nil
}

const finishedSQL = `
		WITH done AS (
			SELECT b.id FROM broadcasts b
			WHERE b.kind <> 'alert' AND b.failures_reported_at IS NULL
				AND EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id AND d.status = 'failed')
				AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id AND d.status = 'pending')
			FOR UPDATE SKIP LOCKED
		)
		UPDATE broadcasts b SET failures_reported_at = now() FROM done WHERE b.id = done.id
		RETURNING b.id`

// BroadcastReport is a finished broadcast with its failures counted by reason.
type BroadcastReport struct {
	BroadcastStat
	Failures []FailureCount
}
