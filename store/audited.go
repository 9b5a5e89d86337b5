package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Audited is the store's writes on behalf of an admin (package admin decides what is
// allowed; this says how it is written): each records its actor and front end in the
// audit log in the transaction of the change, so the two are written together or not at
// all.
type Audited struct {
	pool *pgxpool.Pool
	by   Actor
}

// As returns the writes made on behalf of by.
func (s *Store) As(by Actor) Audited { return Audited{pool: s.pool, by: by} }

// ErrStale refuses an edit made from a version of the row that another edit has since
// replaced: the admin must see the change first.
var ErrStale = errors.New("changed since it was read")

// ErrNotScheduled refuses to edit an announcement that is not scheduled any more (done,
// cancelled) or never was (a draft).
var ErrNotScheduled = errors.New("not scheduled")

// ErrNoPrivateChat is returned for a test sent to an admin who has no private chat with
// the bot on that channel (never wrote to it, or it can no longer be reached).
var ErrNoPrivateChat = errors.New("no private chat with the bot")

// audienceOf is the fan-out's rule for who receives a broadcast of topic on channel
// (SQL expressions; channel NULL for every channel), over subscribers s: the active
// chats that did not mute the topic, everyone for TopicAll. Paused chats are included:
// their deliveries wait.
func audienceOf(topic, channel string) string {
	return `s.status = 'active'
		AND (` + topic + ` = '` + TopicAll + `' OR NOT (` + topic + ` = ANY (s.muted_topics)))
		AND (` + channel + ` IS NULL OR ` + channel + ` = s.channel)`
}

// AudienceSize counts the chats a broadcast of topic on channel ("" for every channel)
// would be delivered to if it were made now.
func (s *Store) AudienceSize(ctx context.Context, topic, channel string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM subscribers s WHERE `+
		audienceOf("$1::text", "NULLIF($2::text, '')"), topic, channel).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("audience of topic %s: %w", topic, err)
	}
	return n, nil
}

// UpdateAnnouncement replaces a scheduled announcement's text, audience and schedule
// with na's when it is still at version, and records the change with detail. It gives
// ErrNotFound, ErrNotScheduled (done, cancelled, a draft) or ErrStale (edited since).
func (s Audited) UpdateAnnouncement(ctx context.Context, id int64, version int, na NewAnnouncement, detail string) (Announcement, error) {
	var a Announcement
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status string
		var now int
		err := tx.QueryRow(ctx, `SELECT status, version FROM announcements WHERE id = $1 FOR UPDATE`, id).Scan(&status, &now)
		switch {
		case errors.Is(err, pgx.ErrNoRows), err == nil && (status == AnnouncementDraft || status == AnnouncementDiscarded):
			return fmt.Errorf("announcement %d: %w", id, ErrNotFound)
		case err != nil:
			return err
		case status != "scheduled":
			return fmt.Errorf("announcement %d is %s: %w", id, status, ErrNotScheduled)
		case now != version:
			return fmt.Errorf("announcement %d at version %d, not %d: %w", id, now, version, ErrStale)
		}
		a, err = scanAnnouncement(tx.QueryRow(ctx, `
			UPDATE announcements SET body = $2, topic = $3, channel = NULLIF($4, ''), schedule = $5, cron = $6,
				event_id = $7, event_time = $8, next_run_at = $9, version = version + 1
			WHERE id = $1
			RETURNING `+announcementColumns,
			id, na.Body, na.Topic, na.Channel, na.Schedule, na.Cron, na.EventID, na.EventTime, nextRun(na.NextRunAt)))
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "announcement.edit", fmt.Sprintf("announcement %d", id), detail)
	})
	if err != nil {
		return Announcement{}, fmt.Errorf("edit announcement %d: %w", id, err)
	}
	return a, nil
}

// SendTest makes a broadcast of nb delivered to one chat only: the private chat of the
// user userID on channel, which must exist and not be gone (ErrNoPrivateChat). The chat's
// subscription is left as it is (a test neither subscribes an admin nor needs one), and
// the audit log records it as a test. nb.SourceKey must be unique ("test:…").
func (s Audited) SendTest(ctx context.Context, channel, userID string, nb NewBroadcast) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var sub int64
		err := tx.QueryRow(ctx, `SELECT id FROM subscribers
			WHERE channel = $1 AND address = $2 AND kind = 'private' AND status <> $3`,
			channel, userID, StatusGone).Scan(&sub)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoPrivateChat
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO broadcasts (source_key, kind, topic, title, summary, link, channel)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING id`, nb.SourceKey, nb.Kind, nb.Topic, nb.Title, nb.Summary, nb.Link, channel).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO deliveries (broadcast_id, subscriber_id, channel) VALUES ($1, $2, $3)`,
			id, sub, channel); err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "announcement.test", fmt.Sprintf("broadcast %d", id),
			fmt.Sprintf("test sent to %s:%s only", channel, userID))
	})
	if err != nil {
		return 0, fmt.Errorf("send test to %s:%s: %w", channel, userID, err)
	}
	return id, nil
}

// nextRun returns t, or nil for the zero time.
func nextRun(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
