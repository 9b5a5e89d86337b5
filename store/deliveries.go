package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySent      = "sent"
	DeliveryFailed    = "failed"
	DeliveryCancelled = "cancelled"
)

// NewBroadcast is something to say to the subscribers of a topic.
type NewBroadcast struct {
	// SourceKey says what this is, once: item:<id>, anniv:<event>:<date>,
	// ann:<id>:<run time>. A second broadcast with the same key is not created.
	SourceKey string
	Kind      string // article, anniversary or announcement
	Topic     string
	Title     string
	Summary   string
	Link      string
	// Channel limits the broadcast to one channel; "" for all.
	Channel string
}

// CreateBroadcast creates a broadcast and its deliveries in one transaction. created is
// false, and nothing is written, when a broadcast with the same source key exists.
func (s *Store) CreateBroadcast(ctx context.Context, nb NewBroadcast) (id int64, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO broadcasts (source_key, kind, topic, title, summary, link, channel)
			VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''))
			ON CONFLICT (source_key) DO NOTHING
			RETURNING id`, nb.SourceKey, nb.Kind, nb.Topic, nb.Title, nb.Summary, nb.Link, nb.Channel).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		_, err = fanOut(ctx, tx, []int64{id})
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("create broadcast %s: %w", nb.SourceKey, err)
	}
	return id, created, nil
}

// fanOut creates, in one statement, a pending delivery of each broadcast for every
// active subscriber of its topic (TopicAll: every active subscriber, whatever they
// muted) and channel, when the broadcast names one. The order
// of insertion does not matter: senders claim by broadcast id, so each subscriber
// receives broadcasts in the order they were made.
func fanOut(ctx context.Context, tx pgx.Tx, broadcastIDs []int64) (int64, error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO deliveries (broadcast_id, subscriber_id, channel)
		SELECT b.id, s.id, s.channel
		FROM broadcasts b
		JOIN subscribers s ON s.status = 'active'
			AND (b.topic = 'all' OR NOT (b.topic = ANY (s.muted_topics)))
			AND (b.channel IS NULL OR b.channel = s.channel)
		WHERE b.id = ANY ($1)
		ON CONFLICT (broadcast_id, subscriber_id) DO NOTHING`, broadcastIDs)
	if err != nil {
		return 0, fmt.Errorf("fan out: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Delivery is a claimed delivery with what the sender needs: the chat and the content.
type Delivery struct {
	ID           int64
	BroadcastID  int64
	SubscriberID int64
	// Attempts counts this one.
	Attempts  int
	PartsSent int
	CreatedAt time.Time

	Channel  string
	Address  string
	ChatKind string
	ThreadID int64

	Kind    string
	Topic   string
	Title   string
	Summary string
	Link    string
}

// ClaimDeliveries leases up to limit due deliveries of a channel to owner until
// now+lease. A delivery is due when its due time has come, its chat's pacing allows a
// message (next_send_at), and no older delivery to the same subscriber is still pending,
// so that each subscriber receives broadcasts in order and one chat never has two
// messages in flight. SKIP LOCKED lets replicas claim side by side without waiting.
func (s *Store) ClaimDeliveries(ctx context.Context, channel string, now time.Time, lease time.Duration, limit int, owner string) ([]Delivery, error) {
	rows, err := s.pool.Query(ctx, `
		WITH due AS (
			SELECT d.id
			FROM deliveries d
			JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.status = 'pending' AND d.channel = $1 AND d.due_at <= $2
				AND s.next_send_at <= $2
				AND NOT EXISTS (
					SELECT 1 FROM deliveries e
					WHERE e.subscriber_id = d.subscriber_id AND e.status = 'pending'
						AND e.broadcast_id < d.broadcast_id)
			ORDER BY d.broadcast_id, d.id
			LIMIT $3
			FOR UPDATE OF d SKIP LOCKED
		)
		UPDATE deliveries d SET due_at = $2::timestamptz + $4::interval, leased_by = $5, attempts = d.attempts + 1
		FROM due, broadcasts b, subscribers s
		WHERE d.id = due.id AND b.id = d.broadcast_id AND s.id = d.subscriber_id
		RETURNING d.id, d.broadcast_id, d.subscriber_id, d.attempts, d.parts_sent, d.created_at,
			s.channel, s.address, s.kind, s.thread_id, b.kind, b.topic, b.title, b.summary, b.link`,
		channel, now, limit, lease, owner)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		err := row.Scan(&d.ID, &d.BroadcastID, &d.SubscriberID, &d.Attempts, &d.PartsSent, &d.CreatedAt,
			&d.Channel, &d.Address, &d.ChatKind, &d.ThreadID, &d.Kind, &d.Topic, &d.Title, &d.Summary, &d.Link)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return ds, nil
}

// ReserveSlots reserves n consecutive send slots of the channel's global rate, spacing
// apart, and returns when the first may be used. Replicas reserve from the same row, so
// together they never exceed the rate.
func (s *Store) ReserveSlots(ctx context.Context, channel string, now time.Time, n int, spacing time.Duration) (time.Time, error) {
	var next time.Time
	err := s.pool.QueryRow(ctx, `
		UPDATE channel_state SET next_slot_at = greatest(next_slot_at, $2) + $3 * $4::interval
		WHERE channel = $1
		RETURNING next_slot_at`, channel, now, n, spacing).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("reserve send slots: %w", err)
	}
	return next.Add(-time.Duration(n) * spacing), nil
}

// PauseChannel stops every replica's sending on the channel until the given time (a
// 429's retry_after, a revoked token). A pause never shortens an earlier, longer one.
func (s *Store) PauseChannel(ctx context.Context, channel string, until time.Time, reason string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE channel_state SET
			pause_reason = CASE WHEN $2 > paused_until THEN $3 ELSE pause_reason END,
			paused_until = greatest(paused_until, $2)
		WHERE channel = $1`, channel, until, reason)
	if err != nil {
		return fmt.Errorf("pause %s: %w", channel, err)
	}
	return nil
}

// ResumeChannel lifts a channel's pause (the token works again).
func (s *Store) ResumeChannel(ctx context.Context, channel string) error {
	_, err := s.pool.Exec(ctx, `UPDATE channel_state SET paused_until = 'epoch', pause_reason = '' WHERE channel = $1`, channel)
	if err != nil {
		return fmt.Errorf("resume %s: %w", channel, err)
	}
	return nil
}

// ChannelPause returns until when the channel is paused (a time in the past when it is
// not) and why.
func (s *Store) ChannelPause(ctx context.Context, channel string) (until time.Time, reason string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT paused_until, pause_reason FROM channel_state WHERE channel = $1`, channel).Scan(&until, &reason)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("read %s pause: %w", channel, err)
	}
	return until, reason, nil
}

// MarkSent records a delivery as sent (all its parts) and sets when its chat may
// receive the next message.
func (s *Store) MarkSent(ctx context.Context, id int64, parts int, sentAt, chatNextSend time.Time) error {
	_, err := s.pool.Exec(ctx, `
		WITH d AS (
			UPDATE deliveries SET status = 'sent', sent_at = $2, finished_at = $2, parts_sent = $3,
				last_error = '', leased_by = ''
			WHERE id = $1
			RETURNING subscriber_id)
		UPDATE subscribers SET next_send_at = greatest(next_send_at, $4)
		WHERE id = (SELECT subscriber_id FROM d)`, id, sentAt, parts, chatNextSend)
	if err != nil {
		return fmt.Errorf("mark delivery %d sent: %w", id, err)
	}
	return nil
}

// MarkPartSent records that the first parts of a long message were accepted, so a retry
// resumes after them.
func (s *Store) MarkPartSent(ctx context.Context, id int64, parts int) error {
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET parts_sent = $2 WHERE id = $1`, id, parts)
	if err != nil {
		return fmt.Errorf("mark delivery %d part sent: %w", id, err)
	}
	return nil
}

// RetryDelivery puts a pending delivery back to be tried at due. countAttempt false
// undoes the claim's attempt count (a rate limit or a pause is not the delivery's
// failure).
func (s *Store) RetryDelivery(ctx context.Context, id int64, due time.Time, lastError string, countAttempt bool) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE deliveries SET due_at = $2, last_error = $3, leased_by = '',
			attempts = attempts - CASE WHEN $4 THEN 0 ELSE 1 END
		WHERE id = $1 AND status = 'pending'`, id, due, lastError, countAttempt)
	if err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	return nil
}

// FailDelivery gives a delivery up with the reason.
func (s *Store) FailDelivery(ctx context.Context, id int64, at time.Time, reason string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE deliveries SET status = 'failed', last_error = $3, finished_at = $2, leased_by = ''
		WHERE id = $1 AND status = 'pending'`, id, at, reason)
	if err != nil {
		return fmt.Errorf("fail delivery %d: %w", id, err)
	}
	return nil
}

// SubscriberGone fails a delivery because its chat cannot be reached any more, marks the
// subscriber gone with the reason, and cancels its other pending deliveries.
func (s *Store) SubscriberGone(ctx context.Context, deliveryID, subscriberID int64, at time.Time, reason string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE deliveries SET status = 'failed', last_error = $3, finished_at = $2, leased_by = ''
			WHERE id = $1 AND status = 'pending'`, deliveryID, at, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE subscribers SET status = 'gone', status_reason = $2, updated_at = now()
			WHERE id = $1`, subscriberID, reason); err != nil {
			return err
		}
		return cancelPending(ctx, tx, subscriberID, "subscriber gone: "+reason)
	})
	if err != nil {
		return fmt.Errorf("subscriber %d gone: %w", subscriberID, err)
	}
	return nil
}

// PendingDeliveries counts pending deliveries by channel (the queue depth).
func (s *Store) PendingDeliveries(ctx context.Context) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT channel, count(*) FROM deliveries WHERE status = 'pending' GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("count pending deliveries: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var ch string
		var n int
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, fmt.Errorf("count pending deliveries: %w", err)
		}
		out[ch] = n
	}
	return out, rows.Err()
}
