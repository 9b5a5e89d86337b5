package store

import (
	"context"
	"errors"
	"fmt"

	"loa/chat"

	"github.com/jackc/pgx/v5"
)

// NewAlert is a message to the admins: a key that makes it once, the text, the chats.
type NewAlert struct {
	// SourceKey is unique per incident, so two replicas raising it make one alert.
	SourceKey string
	Text      string
	To        []chat.Chat
}

// CreateAlert creates an alert broadcast delivered to the given chats only, in one
// transaction. A chat that is not a subscriber row yet (an admin group named in the
// configuration) is added as a stopped subscriber, so it receives alerts but not the
// members' broadcasts. Chats that are gone are skipped. created is false when an alert
// with the same source key exists (another replica raised it).
func (s *Store) CreateAlert(ctx context.Context, sourceKey, text string, to []chat.Chat) (id int64, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		id, created, err = createAlert(ctx, tx, NewAlert{SourceKey: sourceKey, Text: text, To: to})
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("create alert %s: %w", sourceKey, err)
	}
	return id, created, nil
}

func createAlert(ctx context.Context, tx pgx.Tx, a NewAlert) (id int64, created bool, err error) {
	err = tx.QueryRow(ctx, `
		INSERT INTO broadcasts (source_key, kind, topic, title, summary)
		VALUES ($1, 'alert', 'alerts', '', $2)
		ON CONFLICT (source_key) DO NOTHING
		RETURNING id`, a.SourceKey, a.Text).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	for _, c := range a.To {
		if _, err := tx.Exec(ctx, `
			INSERT INTO subscribers (channel, address, kind, status, status_reason)
			VALUES ($1, $2, $3, 'stopped', 'admin chat: alerts only')
			ON CONFLICT (channel, address) DO NOTHING`, c.Channel, c.Address, c.Kind); err != nil {
			return 0, false, err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO deliveries (broadcast_id, subscriber_id, channel)
			SELECT $1, id, channel FROM subscribers
			WHERE channel = $2 AND address = $3 AND status <> 'gone'
			ON CONFLICT DO NOTHING`, id, c.Channel, c.Address); err != nil {
			return 0, false, err
		}
	}
	return id, true, nil
}

// finishedSQL finds the counted broadcasts not yet seen finished whose pending count is
// zero. Its cost is the broadcasts still under way (a partial index), whatever the
// history: a finished broadcast leaves the index for good.
const finishedSQL = `
	SELECT b.id FROM broadcasts b
	WHERE b.finished_at IS NULL AND b.counted
		AND coalesce((SELECT sum(c.n) FROM delivery_counts c
			WHERE c.broadcast_id = b.id AND c.status = 'pending'), 0) = 0
	ORDER BY b.id`

// ReportFinished marks the broadcasts whose deliveries have all ended as finished, once
// each. For every one that is not an alert and had failures, report is called with its
// counts and failures by reason, and the alert it returns (if ok) is queued in the same
// transaction as the mark: the report is neither lost by a replica dying in between
// nor made twice by two replicas. It returns how many broadcasts were reported.
func (s *Store) ReportFinished(ctx context.Context, report func(BroadcastReport) (NewAlert, bool)) (int, error) {
	rows, err := s.pool.Query(ctx, finishedSQL)
	ids, err := collected(rows, err, "finished broadcasts", pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	reported := 0
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var kind BroadcastKind
			var told bool
			err := tx.QueryRow(ctx, `
				UPDATE broadcasts SET finished_at = now() WHERE id = $1 AND finished_at IS NULL
				RETURNING kind, failures_reported_at IS NOT NULL`, id).Scan(&kind, &told)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil // another replica got there first
			}
			if err != nil || kind == KindAlert || told {
				return err
			}
			b, fails, err := broadcastDetail(ctx, tx, id)
			if err != nil || b.Failed == 0 {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE broadcasts SET failures_reported_at = now() WHERE id = $1`, id); err != nil {
				return err
			}
			reported++
			if a, ok := report(BroadcastReport{BroadcastStat: b, Failures: fails}); ok {
				_, _, err = createAlert(ctx, tx, a)
			}
			return err
		})
		if err != nil {
			return reported, fmt.Errorf("finish broadcast %d: %w", id, err)
		}
	}
	return reported, nil
}

// BroadcastReport is a finished broadcast with its failures counted by reason.
type BroadcastReport struct {
	BroadcastStat
	Failures []FailureCount
}
