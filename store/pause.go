package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
)

// PauseReason says why a chat is paused.
type PauseReason string

// Pause reasons.
const (
	// PauseNoRights: the chat restricted the bot (Telegram "not enough rights to send
	// …", "need administrator rights"): the chat exists, its admins may give the right
	// back.
	PauseNoRights PauseReason = "no_rights"
)

// PauseSubscriber records that a claimed delivery could not be sent because its chat
// took the bot's right to post: the delivery goes back to pending, due at once and
// without counting the attempt (it waits for the chat, not for a retry), and the
// subscriber is paused, so that the claim passes its deliveries over until
// ResumeChat or ResumeSubscriber. paused is true, with the time of the pause, only for
// the call that paused the chat (not for a chat paused already), so the admins are
// alerted once per pause. Fenced by the claim (ErrClaimLost).
func (s *Store) PauseSubscriber(ctx context.Context, deliveryID, claim, subscriberID int64, reason PauseReason, detail string) (paused bool, at time.Time, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := held(tx.Exec(ctx, `
			UPDATE deliveries SET due_at = now(), last_error = $3, leased_by = '', attempts = attempts - 1
			WHERE `+claimHeld, deliveryID, claim, detail)); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			UPDATE subscribers SET paused_at = now(), pause_reason = $2, updated_at = now()
			WHERE id = $1 AND paused_at IS NULL
			RETURNING paused_at`, subscriberID, string(reason)).Scan(&at)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // paused already, by another send or replica
		}
		paused = err == nil
		return err
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("pause subscriber %d (delivery %d): %w", subscriberID, deliveryID, err)
	}
	return paused, at, nil
}

// ResumeChat lifts the pause of the chat at address (its rights are back): its
// deliveries are claimed again, oldest first. It reports whether the chat was paused;
// a chat that is not a subscriber is not an error (false).
func (s *Store) ResumeChat(ctx context.Context, channel chat.Channel, address string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE subscribers SET paused_at = NULL, pause_reason = '', updated_at = now()
		WHERE channel = $1 AND address = $2 AND paused_at IS NOT NULL`, channel, address)
	if err != nil {
		return false, fmt.Errorf("resume %s chat %s: %w", channel, address, err)
	}
	return tag.RowsAffected() > 0, nil
}

// ResumeSubscriber lifts the pause of subscriber id (an admin re-enabled it) and
// returns it as it now is, with whether it was paused. It is audited
// ("subscriber.resume", whether or not it was paused). ErrNotFound for an unknown id.
func (s Audited) ResumeSubscriber(ctx context.Context, id int64) (sub Subscriber, wasPaused bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var paused *time.Time
		var reason string
		if err := tx.QueryRow(ctx, `SELECT paused_at, pause_reason FROM subscribers WHERE id = $1 FOR UPDATE`, id).Scan(&paused, &reason); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		wasPaused = paused != nil
		sub, err = scanSubscriber(tx.QueryRow(ctx, `UPDATE subscribers SET paused_at = NULL, pause_reason = '',
			updated_at = CASE WHEN paused_at IS NULL THEN updated_at ELSE now() END
			WHERE id = $1 RETURNING `+subscriberColumns, id))
		if err != nil {
			return err
		}
		detail := "was not paused"
		if wasPaused {
			detail = "was paused (" + reason + ")"
		}
		return audit(ctx, tx, s.by, "subscriber.resume", fmt.Sprintf("subscriber %d", id), detail)
	})
	if err != nil {
		return Subscriber{}, false, fmt.Errorf("resume subscriber %d: %w", id, err)
	}
	return sub, wasPaused, nil
}

// ExpirePausedDeliveries fails, with ReasonMaxAge, the pending deliveries of a
// channel's paused chats that were created at least maxAge ago (by the database's
// clock), and returns how many. The claim passes a paused chat's deliveries over, so
// the dispatcher's own max-age check never sees them: this sweep keeps the promise
// that nothing waits longer than LOA_DELIVERY_MAX_AGE. It starts from the paused
// subscribers (a partial index, few rows) and reads each one's pending deliveries
// through deliveries_subscriber_pending_idx, so its cost follows the paused chats,
// not the backlog. A delivery being sent at that moment (leased) is left to its
// sender.
func (s *Store) ExpirePausedDeliveries(ctx context.Context, channel chat.Channel, maxAge time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE deliveries d SET status = 'failed', reason = $3, finished_at = now(), leased_by = '',
			last_error = 'chat paused (' || s.pause_reason || ') longer than the delivery max age'
		FROM subscribers s
		WHERE s.paused_at IS NOT NULL AND s.channel = $1
			AND d.subscriber_id = s.id AND d.status = 'pending'
			AND d.created_at <= now() - $2::interval AND d.due_at <= now()`, channel, maxAge, ReasonMaxAge)
	if err != nil {
		return 0, fmt.Errorf("expire paused %s deliveries: %w", channel, err)
	}
	return tag.RowsAffected(), nil
}
