package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"loa/chat"
)

// DeliveryStatus is where a delivery is (deliveries.status).
type DeliveryStatus string

// Delivery statuses.
const (
	// DeliveryPending waits to be sent, or is being sent under a claim.
	DeliveryPending DeliveryStatus = "pending"
	// DeliverySent went out.
	DeliverySent DeliveryStatus = "sent"
	// DeliveryFailed did not go out and will not (Reason says why).
	DeliveryFailed DeliveryStatus = "failed"
	// DeliveryCancelled was stopped before it went out (Reason says why).
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// NewBroadcast is something to say to the subscribers of a topic.
type NewBroadcast struct {
	// SourceKey says what this is, once: item:<id>, anniv:<event>:<date>,
	// ann:<id>:<run time>. A second broadcast with the same key is not created.
	SourceKey string
	Kind      BroadcastKind
	Topic     string
	Title     string
	Summary   string
	Link      string
	// Channel limits the broadcast to one channel; "" for all.
	Channel chat.Channel
}

// CreateBroadcast creates a broadcast and its deliveries in one transaction. created is
// false, and nothing is written, when a broadcast with the same source key exists.
//
// Under a leader fence (a calendar notice made by the leader) it commits only if this
// replica still leads.
func (s *Store) CreateBroadcast(ctx context.Context, nb NewBroadcast) (id int64, created bool, err error) {
	err = s.leaderTx(ctx, func(tx pgx.Tx) error {
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
// muted) and channel, when the broadcast names one. The order of insertion does not
// matter: the claim lets through only each subscriber's oldest pending delivery, so
// each receives broadcasts in the order they were made.
//
// The broadcasts are new, inserted in the caller's transaction, so no delivery of
// theirs can exist yet: no ON CONFLICT. Speculative insertion cost a unique-index probe
// and a WAL record per row (605,000 WAL records instead of 506,000 for 100,000 rows,
// about a fifth of the time); the unique index still guards against a duplicate.
func fanOut(ctx context.Context, tx pgx.Tx, broadcastIDs []int64) (int64, error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO deliveries (broadcast_id, subscriber_id, channel)
		SELECT b.id, s.id, s.channel
		FROM broadcasts b
		JOIN subscribers s ON `+audienceOf("b.topic", "b.channel")+`
		WHERE b.id = ANY ($1)`, broadcastIDs)
	if err != nil {
		return 0, fmt.Errorf("fan out: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Reason says why a delivery ended as it did, as a short stable code stored in
// deliveries.reason and counted by (status, reason); the full text stays in last_error.
// It is set together with the status in every statement that ends a delivery.
type Reason string

// Reasons. ReasonNone goes with pending and sent deliveries.
const (
	ReasonNone Reason = ""
	// The chat cannot be reached any more (the delivery failed, the subscriber is gone).
	ReasonBlocked      Reason = "blocked"
	ReasonDeactivated  Reason = "deactivated"
	ReasonKicked       Reason = "kicked"
	ReasonChatNotFound Reason = "chat_not_found"
	// ReasonNotFoundRepeatedly: the chat answered "not found" on several sends in a row
	// over at least a day while other chats were reached (ChatNotFound).
	ReasonNotFoundRepeatedly Reason = "not_found_repeatedly"
	// ReasonMigrated: the group became a supergroup that already subscribed; the old
	// group's pending deliveries were cancelled (the supergroup has its own).
	ReasonMigrated Reason = "migrated"
	// The messenger refused this message, the chat is fine.
	ReasonTooLong  Reason = "too_long"
	ReasonRejected Reason = "rejected"
	// ReasonMaxAge: still failing transiently, or still waiting in a paused chat, when
	// LOA_DELIVERY_MAX_AGE had passed.
	ReasonMaxAge Reason = "max_age"
	// Cancelled on purpose: an admin cancelled the broadcast (or its announcement), or
	// the subscriber stopped or went away before this delivery's turn.
	ReasonBroadcastCancelled Reason = "broadcast_cancelled"
	ReasonSubscriberGone     Reason = "subscriber_gone"
	ReasonUnauthorized       Reason = "unauthorized"
	// ReasonPanic: sending it panicked MaxPanics times.
	ReasonPanic Reason = "panic"
	// ReasonLegacy marks rows finished before reasons were recorded (migration 006).
	ReasonLegacy Reason = "legacy"
)

// ErrClaimLost is returned by a write made under a claim that no longer holds the
// delivery: the lease ran out and another claim (this replica's or another's) took it,
// or its outcome was recorded already. The write changed nothing; the caller must not
// go on sending the delivery.
var ErrClaimLost = errors.New("delivery claim lost")

// Delivery is a claimed delivery with what the sender needs: the chat and the content.
type Delivery struct {
	ID           int64
	BroadcastID  int64
	SubscriberID int64
	// Claim is the token of the claim that returned the delivery; every write that
	// records its outcome names it (see ErrClaimLost).
	Claim int64
	// Attempts counts this one.
	Attempts  int
	PartsSent int
	// Panics counts the earlier attempts that panicked.
	Panics    int
	CreatedAt time.Time

	Channel  chat.Channel
	Address  string
	ChatKind chat.Kind
	ThreadID int64

	Kind    BroadcastKind
	Topic   string
	Title   string
	Summary string
	Link    string
}

// claimQuery is ClaimDeliveries' statement ($1 channel, $2 limit, $3 lease, $4 owner),
// named so that a test can EXPLAIN it.
//
// Its cost follows the live work, never the history: candidates are read in due order
// from deliveries_due_idx, which holds pending rows only, and the walk stops at the
// limit. Rows passed over on the way are live too: the next deliveries of chats whose
// current one is in flight or waiting for a retry, or whose spacing has not passed.
// Ordering by due time sends older broadcasts first (fan-out makes them due when they
// are created); each chat's own order comes from the subquery, which lets through only
// the oldest pending delivery of each subscriber, found in
// deliveries_subscriber_pending_idx, which gives it without a sort. A paused chat
// (subscribers.paused_at, migration 012) is passed over like one whose spacing has not
// passed: a filter on the subscriber row the join reads anyway.
//
// The statement runs with enable_sort off (claimSettings). After a fan-out the
// planner's statistics usually still say "no pending rows": autovacuum's analyze
// rarely runs on a table of millions, and the pending rows are a sliver of it. The two
// partial indexes of pending rows then look equally cheap for the subquery, and the
// planner sometimes picked deliveries_due_idx, scanning the whole backlog once per
// candidate (50,000 rows for a claim of 25 out of 2,000; NOT EXISTS, min() and ORDER BY
// … LIMIT 1 forms all did it, depending on the sample ANALYZE drew). Without sorts the
// only plan left walks deliveries_due_idx in order for the candidates and looks each
// subscriber up in its own index.
//
// Leases and pacing are judged by the database's clock (now()), the one clock all
// replicas share, so a replica whose clock runs ahead cannot take a delivery another
// still holds. Each claim takes a fresh token from delivery_claims.
const claimQuery = `
		WITH due AS (
			SELECT d.id
			FROM deliveries d
			JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.status = 'pending' AND d.channel = $1 AND d.due_at <= now()
				AND s.next_send_at <= now() AND s.paused_at IS NULL
				AND d.broadcast_id = (
					SELECT e.broadcast_id FROM deliveries e
					WHERE e.subscriber_id = d.subscriber_id AND e.status = 'pending'
					ORDER BY e.broadcast_id LIMIT 1)
			ORDER BY d.due_at
			LIMIT $2
			FOR UPDATE OF d SKIP LOCKED
		)
		UPDATE deliveries d SET due_at = now() + $3::interval, leased_by = $4, attempts = d.attempts + 1,
			claim = nextval('delivery_claims')
		FROM due, broadcasts b, subscribers s
		WHERE d.id = due.id AND b.id = d.broadcast_id AND s.id = d.subscriber_id
		RETURNING d.id, d.broadcast_id, d.subscriber_id, d.claim, d.attempts, d.parts_sent, d.panics, d.created_at,
			s.channel, s.address, s.kind, s.thread_id, b.kind, b.topic, b.title, b.summary, b.link`

// claimSettings is set for claimQuery's transaction (see claimQuery).
const claimSettings = `SET LOCAL enable_sort = off`

// claimArgs are claimQuery's arguments.
func claimArgs(channel chat.Channel, lease time.Duration, limit int, owner string) []any {
	return []any{channel, limit, lease, owner}
}

// ClaimDeliveries leases up to limit due deliveries of a channel to owner for lease,
// by the database's clock. A delivery is due when its due time has come, its chat's
// pacing allows a message (next_send_at), and no older delivery to the same subscriber
// is still pending, so that each subscriber receives broadcasts in order and one chat
// never has two messages in flight. SKIP LOCKED lets replicas claim side by side
// without waiting.
func (s *Store) ClaimDeliveries(ctx context.Context, channel chat.Channel, lease time.Duration, limit int, owner string) ([]Delivery, error) {
	var ds []Delivery
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, claimSettings); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, claimQuery, claimArgs(channel, lease, limit, owner)...)
		if err != nil {
			return err
		}
		ds, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Delivery, error) {
			var d Delivery
			err := row.Scan(&d.ID, &d.BroadcastID, &d.SubscriberID, &d.Claim, &d.Attempts, &d.PartsSent, &d.Panics, &d.CreatedAt,
				&d.Channel, &d.Address, &d.ChatKind, &d.ThreadID, &d.Kind, &d.Topic, &d.Title, &d.Summary, &d.Link)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return ds, nil
}

// ReserveSlots reserves n consecutive send slots of the channel's global rate, spacing
// apart, and returns how long from now the first may be used. Replicas reserve from the
// same row, so together they never exceed the rate; the slots are kept and compared in
// the database's clock and only a wait leaves it, so a replica's skewed clock cannot
// bunch its sends with another's.
func (s *Store) ReserveSlots(ctx context.Context, channel chat.Channel, n int, spacing time.Duration) (time.Duration, error) {
	var wait float64
	err := s.pool.QueryRow(ctx, `
		UPDATE channel_state SET next_slot_at = greatest(next_slot_at, now()) + $2 * $3::interval
		WHERE channel = $1
		RETURNING extract(epoch FROM next_slot_at - $2 * $3::interval - now())::float8`, channel, n, spacing).Scan(&wait)
	if err != nil {
		return 0, fmt.Errorf("reserve send slots: %w", err)
	}
	return max(time.Duration(wait*float64(time.Second)), 0), nil
}

// ReserveChat books a message to the chat at address outside the engine (a reply to a
// member's command) in the chat's pacing that broadcasts keep (subscribers.next_send_at,
// by the database's clock): it returns how long to wait until the chat may receive it,
// and keeps the chat free for spacing after that, so the next broadcast to the chat
// does not follow the reply too closely. A chat that is not a subscriber has no pacing
// here (0).
func (s *Store) ReserveChat(ctx context.Context, channel chat.Channel, address string, spacing time.Duration) (time.Duration, error) {
	var wait float64
	err := s.pool.QueryRow(ctx, `
		UPDATE subscribers SET next_send_at = greatest(next_send_at, now()) + $3::interval
		WHERE channel = $1 AND address = $2
		RETURNING extract(epoch FROM next_send_at - $3::interval - now())::float8`, channel, address, spacing).Scan(&wait)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reserve a reply to %s chat: %w", channel, err)
	}
	return max(time.Duration(wait*float64(time.Second)), 0), nil
}

// ChatSent records that a message outside the engine (a reply) reached the chat at
// address: its next broadcast may follow after spacing from now, by the database's
// clock, as MarkSent does for a broadcast.
func (s *Store) ChatSent(ctx context.Context, channel chat.Channel, address string, spacing time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE subscribers SET next_send_at = greatest(next_send_at, now() + $3::interval)
		WHERE channel = $1 AND address = $2`, channel, address, spacing)
	if err != nil {
		return fmt.Errorf("pace %s chat after a reply: %w", channel, err)
	}
	return nil
}

// PauseChannel stops every replica's sending on the channel until the given time (a
// 429's retry_after, a revoked token). A pause never shortens an earlier, longer one.
func (s *Store) PauseChannel(ctx context.Context, channel chat.Channel, until time.Time, reason string) error {
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
func (s *Store) ResumeChannel(ctx context.Context, channel chat.Channel) error {
	_, err := s.pool.Exec(ctx, `UPDATE channel_state SET paused_until = 'epoch', pause_reason = '' WHERE channel = $1`, channel)
	if err != nil {
		return fmt.Errorf("resume %s: %w", channel, err)
	}
	return nil
}

// ChannelPause returns until when the channel is paused (a time in the past when it is
// not) and why.
func (s *Store) ChannelPause(ctx context.Context, channel chat.Channel) (until time.Time, reason string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT paused_until, pause_reason FROM channel_state WHERE channel = $1`, channel).Scan(&until, &reason)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("read %s pause: %w", channel, err)
	}
	return until, reason, nil
}

// claimHeld is the condition of every write made under a claim ($1 the delivery, $2
// the claim): the claim still holds the delivery, and the delivery is not finished (a
// cancel, or a subscriber gone, ends it without a new claim).
//
// "Not finished" is written as NOT IN the finished statuses, not as status =
// 'pending', on purpose: the latter lets the planner read the row through one of the
// partial indexes of pending rows instead of the primary key, and with the statistics
// a big table usually has (taken when nothing was pending) those look empty. It did:
// each MarkSent scanned the whole backlog, 338 ms apiece with 71,000 pending rows and 3M
// finished. The NOT IN form does not imply the indexes' predicate, so only the primary
// key can serve it.
const claimHeld = `id = $1 AND claim = $2 AND status NOT IN ('sent', 'failed', 'cancelled')`

// held turns the outcome of a write made under a claim into ErrClaimLost when it
// changed nothing: the claim no longer holds the delivery.
func held(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.RowsAffected() == 0 {
		return ErrClaimLost
	}
	return err
}

// fenced is held for a write made on its own, its error naming the write and the
// delivery.
func fenced(what string, id int64, tag pgconn.CommandTag, err error) error {
	if err := held(tag, err); err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	return nil
}

// execer is what a pool and a transaction have in common for a write.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// failClaimed gives a claimed delivery up with a reason code and the detail, fenced by
// the claim (ErrClaimLost).
func failClaimed(ctx context.Context, q execer, id, claim int64, reason Reason, detail string) error {
	return held(q.Exec(ctx, `
		UPDATE deliveries SET status = 'failed', reason = $3, last_error = $4, finished_at = now(), leased_by = ''
		WHERE `+claimHeld, id, claim, reason, detail))
}

// markSentQuery is MarkSent's statement ($1 delivery, $2 claim, $3 parts, $4 the chat's
// spacing), named so that a test can EXPLAIN it.
// sentHeld is claimHeld for the final outcome of a send: a delivery that a bulk cancel
// (its broadcast cancelled, its subscriber gone or stopped) caught while its message was
// on the way is still held by that claim, since the message reached the chat: recorded
// as sent, what the messenger accepted is what the store says was sent. A newer claim
// still fences it (claim differs), and a part of a longer message is not let through
// (MarkPartSent keeps claimHeld), so no further part goes out after a cancel.
const sentHeld = `id = $1 AND claim = $2 AND (status NOT IN ('sent', 'failed', 'cancelled')
		OR (status = 'cancelled' AND reason IN ('broadcast_cancelled', 'subscriber_gone')))`

const markSentQuery = `
		WITH d AS (
			UPDATE deliveries SET status = 'sent', reason = '', sent_at = now(), finished_at = now(), parts_sent = $3,
				last_error = '', leased_by = ''
			WHERE ` + sentHeld + `
			RETURNING subscriber_id)
		UPDATE subscribers SET next_send_at = greatest(next_send_at, now() + $4::interval),
			not_found_count = 0, not_found_since = NULL
		WHERE id = (SELECT subscriber_id FROM d)`

// MarkSent records a delivery as sent (all its parts) and lets its chat receive the
// next message after chatSpacing, by the database's clock. It is fenced by the claim:
// ErrClaimLost when the claim no longer holds the delivery.
func (s *Store) MarkSent(ctx context.Context, id, claim int64, parts int, chatSpacing time.Duration) error {
	tag, err := s.pool.Exec(ctx, markSentQuery, id, claim, parts, chatSpacing)
	return fenced("mark delivery sent", id, tag, err)
}

// MarkPartSent records that the first parts of a long message were accepted, so a retry
// resumes after them, and renews the claim's lease for the next part. Fenced by the
// claim (ErrClaimLost).
func (s *Store) MarkPartSent(ctx context.Context, id, claim int64, parts int, lease time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries SET parts_sent = $3, due_at = now() + $4::interval
		WHERE `+claimHeld, id, claim, parts, lease)
	return fenced("mark delivery part sent", id, tag, err)
}

// RenewLease extends the claim's lease to lease from now, by the database's clock, so
// that a long send or a long message keeps its delivery. Fenced by the claim
// (ErrClaimLost: too late, the delivery was claimed again).
func (s *Store) RenewLease(ctx context.Context, id, claim int64, lease time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries SET due_at = now() + $3::interval
		WHERE `+claimHeld, id, claim, lease)
	return fenced("renew delivery lease", id, tag, err)
}

// RetryDelivery puts a claimed delivery back, to be tried again after wait (by the
// database's clock). countAttempt false undoes the claim's attempt count (a rate limit,
// a pause or a shutdown is not the delivery's failure). Fenced by the claim
// (ErrClaimLost).
func (s *Store) RetryDelivery(ctx context.Context, id, claim int64, wait time.Duration, lastError string, countAttempt bool) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE deliveries SET due_at = now() + $3::interval, last_error = $4, leased_by = '',
			attempts = attempts - CASE WHEN $5 THEN 0 ELSE 1 END
		WHERE `+claimHeld, id, claim, wait, lastError, countAttempt)
	return fenced("retry delivery", id, tag, err)
}

// FailDelivery gives a claimed delivery up with a reason code and the detail. Fenced by
// the claim (ErrClaimLost).
func (s *Store) FailDelivery(ctx context.Context, id, claim int64, reason Reason, detail string) error {
	if err := failClaimed(ctx, s.pool, id, claim, reason, detail); err != nil {
		return fmt.Errorf("fail delivery %d: %w", id, err)
	}
	return nil
}

// SubscriberGone fails a claimed delivery because its chat cannot be reached any more
// (reason: blocked, deactivated, kicked, chat_not_found), marks the subscriber gone with
// the reason, and cancels its other pending deliveries (subscriber_gone). Fenced by the
// claim: when it is lost nothing changes (ErrClaimLost), and the delivery's new holder
// will meet the same answer.
func (s *Store) SubscriberGone(ctx context.Context, deliveryID, claim, subscriberID int64, reason Reason, detail string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := failClaimed(ctx, tx, deliveryID, claim, reason, detail); err != nil {
			return err
		}
		return unreachable(ctx, tx, subscriberID, reason)
	})
	if err != nil {
		return fmt.Errorf("subscriber %d gone (delivery %d): %w", subscriberID, deliveryID, err)
	}
	return nil
}

// NotFoundRun is when a chat answering "not found" counts as gone: after Count
// answers in a row (counted ones, see ChatNotFound) spread over at least Span.
type NotFoundRun struct {
	Count int
	Span  time.Duration
}

// ChatNotFound fails a claimed delivery whose chat answered "not found" (reason
// ReasonRejected, the answer in detail) and, when counted, adds the answer to the
// subscriber's run of them (begun at `at` if none). A run of run.Count answers spread
// over at least run.Span marks the subscriber gone with ReasonNotFoundRepeatedly and
// cancels its other pending deliveries, as SubscriberGone does; it reports gone.
// counted is false when the caller has no sign that the channel works (no send to
// another chat got through lately): such an answer says nothing about this chat, and
// leaves the run as it was. A send that gets through (MarkSent) ends the run. Fenced by
// the claim (ErrClaimLost).
func (s *Store) ChatNotFound(ctx context.Context, deliveryID, claim, subscriberID int64, at time.Time, counted bool,
	run NotFoundRun, detail string) (gone bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		gone = false // a retried transaction starts afresh
		if err := failClaimed(ctx, tx, deliveryID, claim, ReasonRejected, detail); err != nil {
			return err
		}
		if !counted {
			return nil
		}
		err := tx.QueryRow(ctx, `
			UPDATE subscribers SET not_found_count = not_found_count + 1,
				not_found_since = coalesce(not_found_since, $2)
			WHERE id = $1 AND status = 'active'
			RETURNING not_found_count >= $3 AND $2 - not_found_since >= $4::interval`,
			subscriberID, at, run.Count, run.Span).Scan(&gone)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // stopped or gone meanwhile
		}
		if err != nil || !gone {
			return err
		}
		return unreachable(ctx, tx, subscriberID, ReasonNotFoundRepeatedly)
	})
	if err != nil {
		return false, fmt.Errorf("chat of subscriber %d not found (delivery %d): %w", subscriberID, deliveryID, err)
	}
	return gone, nil
}

// DeliveryPanicked records that sending a claimed delivery panicked: the delivery is
// released, due again after wait, or failed with ReasonPanic when this is its
// maxPanics-th panic. It reports whether the delivery failed. Fenced by the claim
// (ErrClaimLost).
func (s *Store) DeliveryPanicked(ctx context.Context, id, claim int64, wait time.Duration, maxPanics int, detail string) (failed bool, err error) {
	err = s.pool.QueryRow(ctx, `
		UPDATE deliveries SET panics = panics + 1, last_error = $5, leased_by = '', due_at = now() + $3::interval,
			status = CASE WHEN panics + 1 >= $4 THEN 'failed' ELSE status END,
			reason = CASE WHEN panics + 1 >= $4 THEN $6 ELSE reason END,
			finished_at = CASE WHEN panics + 1 >= $4 THEN now() ELSE finished_at END
		WHERE `+claimHeld+`
		RETURNING status = 'failed'`, id, claim, wait, maxPanics, detail, ReasonPanic).Scan(&failed)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("record panic of delivery %d: %w", id, ErrClaimLost)
	}
	if err != nil {
		return false, fmt.Errorf("record panic of delivery %d: %w", id, err)
	}
	return failed, nil
}

// PendingDeliveries counts pending deliveries by channel (the queue depth).
func (s *Store) PendingDeliveries(ctx context.Context) (map[chat.Channel]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT channel, count(*) FROM deliveries WHERE status = 'pending' GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("count pending deliveries: %w", err)
	}
	defer rows.Close()
	out := map[chat.Channel]int{}
	for rows.Next() {
		var ch chat.Channel
		var n int
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, fmt.Errorf("count pending deliveries: %w", err)
		}
		out[ch] = n
	}
	return out, rows.Err()
}
