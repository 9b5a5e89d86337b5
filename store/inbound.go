package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
)

// InboxStatus is where an inbound update stands.
type InboxStatus string

// Inbound update statuses.
const (
	// InboxPending: stored, not yet handled (possibly claimed by a worker now).
	InboxPending InboxStatus = "pending"
	// InboxDone: handled, its answer carried out.
	InboxDone InboxStatus = "done"
	// InboxFailed: given up (its handler kept panicking); the reason is kept.
	InboxFailed InboxStatus = "failed"
)

// NewInbound is an update as received, to be stored before it is acknowledged.
type NewInbound struct {
	// UpdateID is the messenger's id of the update: a second delivery of the same id on
	// the same channel is the same update.
	UpdateID string
	// Chat is the chat the update belongs to; a chat's updates are handled in order.
	Chat string
	// Payload is the update as received.
	Payload []byte
}

// Inbound is a claimed update.
type Inbound struct {
	ID       int64
	Channel  chat.Channel
	UpdateID string
	Chat     string
	Payload  []byte
	// Claim fences every later write about this row: it is refused once another claim
	// has taken the row.
	Claim int64
	// Claims counts the times the row was claimed (this one included); Panics the
	// times its handler panicked.
	Claims, Panics int
	// Response is the bot's answer, recorded when the state change committed; nil when
	// the update has not been handled yet.
	Response []byte
}

// AddInbound stores updates received on channel, skipping those already stored (a
// redelivery, whether done, claimed or pending), and returns how many were new. When it
// returns nil the updates are durable and may be acknowledged to the messenger.
func (s *Store) AddInbound(ctx context.Context, channel chat.Channel, us []NewInbound) (int, error) {
	if len(us) == 0 {
		return 0, nil
	}
	ids := make([]string, len(us))
	chats := make([]string, len(us))
	payloads := make([][]byte, len(us))
	for i, u := range us {
		ids[i], chats[i], payloads[i] = u.UpdateID, u.Chat, u.Payload
	}
	// WITH ORDINALITY keeps the messenger's order in the ids, which order each chat.
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO inbox (channel, update_id, chat, payload)
		SELECT $1, u.id, u.chat, u.payload
		FROM unnest($2::text[], $3::text[], $4::bytea[]) WITH ORDINALITY AS u(id, chat, payload, n)
		ORDER BY u.n
		ON CONFLICT (channel, update_id) DO NOTHING`, channel, ids, chats, payloads)
	if err != nil {
		return 0, fmt.Errorf("store %d %s updates: %w", len(us), channel, err)
	}
	return int(tag.RowsAffected()), nil
}

// ClaimInbound claims up to limit updates of channel for lease, by the database's
// clock: for each chat, its oldest pending update, when that is due and not claimed by
// anyone (or its claim lapsed). A chat's next update therefore waits while an older
// one is claimed, backing off or pending, which keeps each chat in order across
// replicas; different chats are claimed together.
func (s *Store) ClaimInbound(ctx context.Context, channel chat.Channel, limit int, lease time.Duration) ([]Inbound, error) {
	// The head of each chat is read from the partial index of pending rows; the
	// conditions on i are checked again on the locked row (READ COMMITTED re-evaluates
	// them), so a row another replica claimed meanwhile is skipped.
	rows, err := s.pool.Query(ctx, `
		WITH heads AS (
			SELECT DISTINCT ON (chat) id
			FROM inbox
			WHERE channel = $1 AND status = 'pending'
			ORDER BY chat, id
		), pick AS (
			SELECT i.id
			FROM inbox i JOIN heads h ON h.id = i.id
			WHERE i.status = 'pending' AND i.due_at <= now()
				AND (i.leased_until IS NULL OR i.leased_until <= now())
			ORDER BY i.id
			LIMIT $2
			FOR UPDATE OF i SKIP LOCKED
		)
		UPDATE inbox SET leased_until = now() + $3::interval, claim = nextval('inbox_claims'), claims = claims + 1
		FROM pick
		WHERE inbox.id = pick.id
		RETURNING inbox.id, inbox.channel, inbox.update_id, inbox.chat, inbox.payload, inbox.claim,
			inbox.claims, inbox.panics, inbox.response`, channel, limit, lease)
	return collected(rows, err, fmt.Sprintf("claim %s updates", channel), func(row pgx.CollectableRow) (Inbound, error) {
		var u Inbound
		err := row.Scan(&u.ID, &u.Channel, &u.UpdateID, &u.Chat, &u.Payload, &u.Claim, &u.Claims, &u.Panics, &u.Response)
		return u, err
	})
}

// RenewInbound extends a claim to lease from now, while its update is still being
// handled; false when the claim is gone.
func (s *Store) RenewInbound(ctx context.Context, id, claim int64, lease time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE inbox SET leased_until = now() + $3::interval
		WHERE id = $1 AND claim = $2 AND status = 'pending'`, id, claim, lease)
	if err != nil {
		return false, fmt.Errorf("renew inbound update %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// InboundHandled records that the update's state change has committed, with the
// answer still to be carried out; false when the claim is gone (the row was claimed
// again after this one lapsed).
func (s *Store) InboundHandled(ctx context.Context, id, claim int64, response []byte) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE inbox SET response = $3
		WHERE id = $1 AND claim = $2 AND status = 'pending'`, id, claim, response)
	if err != nil {
		return false, fmt.Errorf("record inbound update %d handled: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FinishInbound marks an update done (or, with a reason, failed), which frees its
// chat's next update; false when the claim is gone.
func (s *Store) FinishInbound(ctx context.Context, id, claim int64, status InboxStatus, reason string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE inbox SET status = $3, reason = $4, finished_at = now(), leased_until = NULL
		WHERE id = $1 AND claim = $2 AND status = 'pending'`, id, claim, status, reason)
	if err != nil {
		return false, fmt.Errorf("finish inbound update %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseInbound hands a claimed update back, to be claimed again after the given
// wait (0: at once; its chat's later updates keep waiting behind it). panicked counts
// the release as a panic of its handler.
func (s *Store) ReleaseInbound(ctx context.Context, id, claim int64, after time.Duration, panicked bool) error {
	_, err := s.pool.Exec(ctx, `UPDATE inbox SET leased_until = NULL, due_at = now() + $3::interval,
			panics = panics + CASE WHEN $4 THEN 1 ELSE 0 END
		WHERE id = $1 AND claim = $2 AND status = 'pending'`, id, claim, after, panicked)
	if err != nil {
		return fmt.Errorf("release inbound update %d: %w", id, err)
	}
	return nil
}

// InboundStatus returns an update's status and reason, for tests and diagnostics.
func (s *Store) InboundStatus(ctx context.Context, channel chat.Channel, updateID string) (InboxStatus, string, error) {
	var st InboxStatus
	var reason string
	err := s.pool.QueryRow(ctx, `SELECT status, reason FROM inbox WHERE channel = $1 AND update_id = $2`,
		channel, updateID).Scan(&st, &reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("read inbound update %s: %w", updateID, err)
	}
	return st, reason, nil
}

// ForgetInbound deletes updates finished more than keep ago (by the database's clock)
// and returns how many. A redelivery of a forgotten update would be handled again:
// messengers redeliver within minutes, so a week is plenty. It deletes in batches, so
// it never holds many rows locked at once.
func (s *Store) ForgetInbound(ctx context.Context, keep time.Duration) (int64, error) {
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, `DELETE FROM inbox WHERE id IN (
			SELECT id FROM inbox WHERE status <> 'pending' AND finished_at < now() - $1::interval LIMIT 5000)`, keep)
		if err != nil {
			return total, fmt.Errorf("forget inbound updates: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < 5000 {
			return total, nil
		}
	}
}
