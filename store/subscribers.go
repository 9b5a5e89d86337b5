package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
)

// SubscriberStatus is whether a chat receives broadcasts (subscribers.status).
type SubscriberStatus string

// Subscriber statuses.
const (
	// StatusActive receives the broadcasts of the topics it did not mute.
	StatusActive SubscriberStatus = "active"
	// StatusStopped asked to stop (/stop); it may start again.
	StatusStopped SubscriberStatus = "stopped"
	// StatusGone cannot be reached (the bot was blocked or removed, the chat deleted).
	StatusGone SubscriberStatus = "gone"
)

// Built-in topics besides the feeds' own.
const (
	TopicAnniversaries = "anniversaries"
	TopicAnnouncements = "announcements"
	// TopicAll is an announcement's audience "every subscriber": it reaches every
	// active subscriber, including those who muted announcements (urgent notices).
	TopicAll = "all"
)

// Subscriber is a chat that receives broadcasts.
type Subscriber struct {
	ID           int64
	Channel      chat.Channel
	Address      string
	Kind         chat.Kind
	ThreadID     int64
	Title        string
	Status       SubscriberStatus
	StatusReason string
	MutedTopics  []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// PausedAt is set while the chat is paused (the bot lost its right to post there):
	// its deliveries wait. PauseReason is the reason code ("no_rights").
	PausedAt    *time.Time
	PauseReason string
}

const subscriberColumns = `id, channel, address, kind, thread_id, title, status, status_reason, muted_topics, created_at, updated_at,
	paused_at, pause_reason`

func scanSubscriber(row pgx.Row) (Subscriber, error) {
	var s Subscriber
	err := row.Scan(&s.ID, &s.Channel, &s.Address, &s.Kind, &s.ThreadID, &s.Title, &s.Status, &s.StatusReason,
		&s.MutedTopics, &s.CreatedAt, &s.UpdatedAt, &s.PausedAt, &s.PauseReason)
	return s, err
}

// Subscribe makes the chat an active subscriber of every topic, creating it if needed,
// and reports whether it was already active.
func (s *Store) Subscribe(ctx context.Context, c chat.Chat) (sub Subscriber, wasActive bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var prev SubscriberStatus
		err := tx.QueryRow(ctx, `SELECT status FROM subscribers WHERE channel = $1 AND address = $2 FOR UPDATE`,
			c.Channel, c.Address).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		wasActive = prev == StatusActive
		sub, err = scanSubscriber(tx.QueryRow(ctx, `
			INSERT INTO subscribers (channel, address, kind, title)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (channel, address) DO UPDATE SET
				kind = EXCLUDED.kind,
				title = CASE WHEN EXCLUDED.title <> '' THEN EXCLUDED.title ELSE subscribers.title END,
				status = 'active', status_reason = '', muted_topics = '{}', updated_at = now(),
				-- Added again by an admin: whatever paused it is settled; the member wrote:
				-- reachable.
				paused_at = NULL, pause_reason = '', not_found_count = 0, not_found_since = NULL
			RETURNING `+subscriberColumns, c.Channel, c.Address, c.Kind, c.Title))
		return err
	})
	if err != nil {
		return Subscriber{}, false, fmt.Errorf("subscribe %s chat %s: %w", c.Channel, c.Address, err)
	}
	return sub, wasActive, nil
}

// SetSubscriberStatus changes a chat's status (stopped on /stop, gone when the bot was
// removed) and, unless the new status is active, cancels its pending deliveries. It
// returns ErrNotFound for a chat that never subscribed.
func (s *Store) SetSubscriberStatus(ctx context.Context, channel chat.Channel, address string, status SubscriberStatus, reason string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			UPDATE subscribers SET status = $3, status_reason = $4, updated_at = now()
			WHERE channel = $1 AND address = $2 RETURNING id`, channel, address, status, reason).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || status == StatusActive {
			return err
		}
		return cancelPending(ctx, tx, id, ReasonSubscriberGone, "subscriber "+string(status))
	})
	if err != nil {
		return fmt.Errorf("set status of %s chat %s: %w", channel, address, err)
	}
	return nil
}

// cancelPendingQuery is cancelPending's statement ($1 subscriber, $2 reason, $3 detail).
//
// It finds the rows through deliveries_subscriber_pending_idx, with sorts off for the
// rest of the statement (claimSettings), and updates them by primary key: with the
// statistics a big table usually has (taken when nothing was pending), the plain
// "WHERE subscriber_id = $1 AND status = 'pending'" was served by scanning
// deliveries_due_idx, the whole backlog, for each subscriber gone (92 ms and 1,300
// buffers with 71,000 pending); see claimQuery and claimHeld for the same trap.
const cancelPendingQuery = `
	UPDATE deliveries SET status = 'cancelled', reason = $2, last_error = $3, finished_at = now()
	WHERE id = ANY (ARRAY(
			SELECT e.id FROM deliveries e WHERE e.subscriber_id = $1 AND e.status = 'pending'
			ORDER BY e.broadcast_id))
		AND status NOT IN ('sent', 'failed', 'cancelled')`

// cancelPending cancels a subscriber's pending deliveries with the reason code and the
// detail. A delivery being sent at that moment is cancelled too: its claim is then
// lost, and its sender stops (ErrClaimLost).
func cancelPending(ctx context.Context, tx pgx.Tx, subscriberID int64, reason Reason, detail string) error {
	if _, err := tx.Exec(ctx, claimSettings); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, cancelPendingQuery, subscriberID, reason, detail); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `RESET enable_sort`)
	return err
}

// markGone marks a subscriber gone, statusReason saying why, and cancels its pending
// deliveries with the reason code cancel and the detail (cancelPending).
func markGone(ctx context.Context, tx pgx.Tx, subscriberID int64, statusReason string, cancel Reason, detail string) error {
	if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = 'gone', status_reason = $2, updated_at = now() WHERE id = $1`,
		subscriberID, statusReason); err != nil {
		return err
	}
	return cancelPending(ctx, tx, subscriberID, cancel, detail)
}

// unreachable is markGone for a chat that cannot be reached any more: the subscriber
// is gone for reason, its pending deliveries cancelled as ReasonSubscriberGone.
func unreachable(ctx context.Context, tx pgx.Tx, subscriberID int64, reason Reason) error {
	return markGone(ctx, tx, subscriberID, string(reason), ReasonSubscriberGone, "subscriber gone: "+string(reason))
}

// SubscriberByChat returns the subscriber for a chat, or ErrNotFound.
func (s *Store) SubscriberByChat(ctx context.Context, channel chat.Channel, address string) (Subscriber, error) {
	sub, err := scanSubscriber(s.pool.QueryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers
		WHERE channel = $1 AND address = $2`, channel, address))
	if errors.Is(err, pgx.ErrNoRows) {
		return Subscriber{}, ErrNotFound
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("get %s chat %s: %w", channel, address, err)
	}
	return sub, nil
}

// SetTopicMuted mutes or unmutes a topic for the chat and returns the subscriber as it
// now is. Setting the state it already has changes nothing, so a button pressed twice, or
// an old keyboard, cannot flip a topic back.
func (s *Store) SetTopicMuted(ctx context.Context, channel chat.Channel, address, topic string, muted bool) (Subscriber, error) {
	sub, err := scanSubscriber(s.pool.QueryRow(ctx, `
		UPDATE subscribers SET
			muted_topics = CASE WHEN $4 THEN array_append(array_remove(muted_topics, $3), $3)
				ELSE array_remove(muted_topics, $3) END,
			updated_at = now()
		WHERE channel = $1 AND address = $2
		RETURNING `+subscriberColumns, channel, address, topic, muted))
	if errors.Is(err, pgx.ErrNoRows) {
		return Subscriber{}, ErrNotFound
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("set topic of %s chat %s: %w", channel, address, err)
	}
	return sub, nil
}

// SetThread makes broadcasts to the chat go to a forum topic (0: the general one).
func (s *Store) SetThread(ctx context.Context, channel chat.Channel, address string, threadID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE subscribers SET thread_id = $3, updated_at = now()
		WHERE channel = $1 AND address = $2`, channel, address, threadID)
	if err != nil {
		return fmt.Errorf("set thread of %s chat %s: %w", channel, address, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// MigrateChat re-keys a chat whose group became a supergroup: the subscriber keeps its
// id, topics and deliveries under the new address. If the new address is already a
// subscriber (the supergroup subscribed by itself), the old one is marked gone instead,
// and its pending deliveries move to the existing one unless it already has them.
func (s *Store) MigrateChat(ctx context.Context, channel chat.Channel, oldAddress, newAddress string) (Subscriber, error) {
	var sub Subscriber
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		sub, err = scanSubscriber(tx.QueryRow(ctx, `
			UPDATE subscribers SET address = $3, kind = 'supergroup', updated_at = now()
			WHERE channel = $1 AND address = $2
				AND NOT EXISTS (SELECT 1 FROM subscribers o WHERE o.channel = $1 AND o.address = $3)
			RETURNING `+subscriberColumns, channel, oldAddress, newAddress))
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// The supergroup is a subscriber already: merge into it.
		var oldID int64
		if err := tx.QueryRow(ctx, `SELECT id FROM subscribers WHERE channel = $1 AND address = $2`,
			channel, oldAddress).Scan(&oldID); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		sub, err = scanSubscriber(tx.QueryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers
			WHERE channel = $1 AND address = $2`, channel, newAddress))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE deliveries d SET subscriber_id = $2
			WHERE d.subscriber_id = $1 AND d.status = 'pending'
				AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.subscriber_id = $2 AND e.broadcast_id = d.broadcast_id)`,
			oldID, sub.ID); err != nil {
			return err
		}
		return markGone(ctx, tx, oldID, "migrated to supergroup "+newAddress, ReasonMigrated, "migrated to supergroup "+newAddress)
	})
	if err != nil {
		return Subscriber{}, fmt.Errorf("migrate %s chat %s to %s: %w", channel, oldAddress, newAddress, err)
	}
	return sub, nil
}

// Subscribers lists every subscriber by id.
func (s *Store) Subscribers(ctx context.Context) ([]Subscriber, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+subscriberColumns+` FROM subscribers ORDER BY id`)
	return collected(rows, err, "list subscribers", rowTo(scanSubscriber))
}

// SubscriberCount is how many subscribers a channel has in a status.
type SubscriberCount struct {
	Channel chat.Channel
	Kind    chat.Kind
	Status  SubscriberStatus
	Count   int
}

// SubscriberStats counts subscribers by channel, kind and status.
func (s *Store) SubscriberStats(ctx context.Context) ([]SubscriberCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT channel, kind, status, count(*) FROM subscribers
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	return collected(rows, err, "subscriber stats", func(row pgx.CollectableRow) (SubscriberCount, error) {
		var c SubscriberCount
		err := row.Scan(&c.Channel, &c.Kind, &c.Status, &c.Count)
		return c, err
	})
}

// Topics lists the topics a member can choose: the feeds' topics, then anniversaries
// and announcements.
func (s *Store) Topics(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT topic FROM feeds ORDER BY topic`)
	topics, err := collected(rows, err, "list topics", pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, t := range []string{TopicAnniversaries, TopicAnnouncements} {
		found := false
		for _, x := range topics {
			found = found || x == t
		}
		if !found {
			topics = append(topics, t)
		}
	}
	return topics, nil
}
