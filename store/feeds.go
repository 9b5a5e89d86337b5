package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/feeds"
)

// ErrFeedExists is returned when a feed with the same URL is already configured.
var ErrFeedExists = errors.New("a feed with this URL already exists")

// Feed is a configured feed and its polling state.
type Feed struct {
	ID                  int64
	URL                 string
	Title               string
	Topic               string
	Interval            time.Duration
	Enabled             bool
	DisabledReason      string
	ETag                string
	LastModified        string
	TTL                 time.Duration
	Primed              bool
	LastPolledAt        *time.Time
	LastSuccessAt       *time.Time
	LastError           string
	ConsecutiveFailures int
	NextPollAt          time.Time
	CreatedAt           time.Time
	// Version counts admins' edits of the topic and interval (migration 014).
	Version int
}

const feedColumns = `id, url, title, topic, poll_interval, enabled, disabled_reason, etag,
	last_modified, ttl, primed, last_polled_at, last_success_at, last_error,
	consecutive_failures, next_poll_at, created_at, version`

func scanFeed(row pgx.Row) (Feed, error) {
	var f Feed
	err := row.Scan(&f.ID, &f.URL, &f.Title, &f.Topic, &f.Interval, &f.Enabled, &f.DisabledReason,
		&f.ETag, &f.LastModified, &f.TTL, &f.Primed, &f.LastPolledAt, &f.LastSuccessAt,
		&f.LastError, &f.ConsecutiveFailures, &f.NextPollAt, &f.CreatedAt, &f.Version)
	return f, err
}

// insertFeed adds a feed, or nothing (no row returned) when its URL is taken.
const insertFeed = `
	INSERT INTO feeds (url, title, topic, poll_interval)
	VALUES ($1, $2, $3, $4)
	ON CONFLICT (url) DO NOTHING
	RETURNING ` + feedColumns

// NewFeed is what an admin gives to add a feed.
type NewFeed struct {
	URL      string
	Title    string
	Topic    string
	Interval time.Duration
}

// ErrReservedTopic refuses a feed on TopicAll: fan-out sends "all" to every subscriber
// whatever they muted, which is for an admin's urgent announcement, never for every
// article of a feed.
var ErrReservedTopic = errors.New(`topic "all" is reserved for announcements to every subscriber`)

// AddFeed stores a new feed, due for its first (priming) poll at once, unaudited (tests,
// seeding): an admin's goes through As(by).AddFeed. A caller that has already fetched
// the feed records that fetch with RecordPoll, which primes it.
func (s *Store) AddFeed(ctx context.Context, nf NewFeed) (Feed, error) {
	return addFeed(ctx, s.pool, nf)
}

func addFeed(ctx context.Context, q querier, nf NewFeed) (Feed, error) {
	if nf.Topic == TopicAll {
		return Feed{}, ErrReservedTopic
	}
	f, err := scanFeed(q.QueryRow(ctx, insertFeed, nf.URL, nf.Title, nf.Topic, nf.Interval))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, ErrFeedExists
	}
	if err != nil {
		return Feed{}, fmt.Errorf("add feed: %w", err)
	}
	return f, nil
}

// Feeds lists every feed by id.
func (s *Store) Feeds(ctx context.Context) ([]Feed, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+feedColumns+` FROM feeds ORDER BY id`)
	return collected(rows, err, "list feeds", rowTo(scanFeed))
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (Feed, error) {
	f, err := scanFeed(s.pool.QueryRow(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, id))
	return found(f, err, "feed", id)
}

// RemoveFeed deletes a feed and the items seen in it, and records who did it.
// Broadcasts already made from its items stay (their item reference is cleared).
func (s Audited) RemoveFeed(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var url string
		err := tx.QueryRow(ctx, `DELETE FROM feeds WHERE id = $1 RETURNING url`, id).Scan(&url)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("feed %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "feed.remove", feedTarget(id), feeds.RedactURL(url))
	})
	if err != nil {
		return fmt.Errorf("remove feed %d: %w", id, err)
	}
	return nil
}

// feedTarget names a feed in the audit log.
func feedTarget(id int64) string { return fmt.Sprintf("feed %d", id) }

// ClaimDueFeeds returns up to limit enabled feeds due at now, and moves each one's next
// poll to now+lease so that no other scheduler claims it while it is being polled. The
// poll's outcome then sets the real next poll time; a poller that dies mid-poll leaves
// the feed to be polled again when the lease ends.
func (s *Store) ClaimDueFeeds(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Feed, error) {
	rows, err := s.pool.Query(ctx, `
		UPDATE feeds SET next_poll_at = $1::timestamptz + $2::interval
		WHERE id IN (
			SELECT id FROM feeds
			WHERE enabled AND next_poll_at <= $1
			ORDER BY next_poll_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING `+feedColumns, now, lease, limit)
	return collected(rows, err, "claim due feeds", rowTo(scanFeed))
}

// ReleaseFeed hands back a claimed feed whose poll was abandoned (the service is
// stopping, or its leader's term ended), due at due, instead of leaving it claimed
// until the claim's lease ends: a new leader polls it at once. Under a leader fence it
// applies only while the term lasts (ErrNotLeader otherwise).
func (s *Store) ReleaseFeed(ctx context.Context, id int64, due time.Time) error {
	err := s.leaderTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE feeds SET next_poll_at = $2 WHERE id = $1 AND next_poll_at > $2`, id, due)
		return err
	})
	if err != nil {
		return fmt.Errorf("release feed %d: %w", id, err)
	}
	return nil
}

// PollFailure is what a failed poll records.
type PollFailure struct {
	FeedID   int64
	PolledAt time.Time
	Err      string
	// NextPollAt is when to try again (the caller's backoff).
	NextPollAt time.Time
	// MaxFailures disables the feed when this failure is the MaxFailures-th in a row
	// (0: never).
	MaxFailures int
}

// RecordPollFailure counts a failed poll and schedules the next one. It reports whether
// the feed has just been disabled because it failed too often. Under a leader fence it
// commits only while the term lasts (ErrNotLeader otherwise).
func (s *Store) RecordPollFailure(ctx context.Context, pf PollFailure) (disabled bool, err error) {
	var enabled bool
	err = s.leaderTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			UPDATE feeds SET
				last_polled_at = $2,
				last_error = $3::text,
				consecutive_failures = consecutive_failures + 1,
				next_poll_at = $4,
				enabled = ($5 = 0 OR consecutive_failures + 1 < $5),
				disabled_reason = CASE WHEN $5 > 0 AND consecutive_failures + 1 >= $5
					THEN format('disabled after %s consecutive failures; last: %s', consecutive_failures + 1, $3)
					ELSE disabled_reason END,
				updated_at = now()
			WHERE id = $1 AND enabled
			RETURNING enabled`,
			pf.FeedID, pf.PolledAt, pf.Err, pf.NextPollAt, pf.MaxFailures).Scan(&enabled)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		// Removed or disabled while it was being polled: nothing to record.
		return false, fmt.Errorf("feed %d: %w", pf.FeedID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("record poll failure of feed %d: %w", pf.FeedID, err)
	}
	return !enabled, nil
}

// EnableFeed re-enables a feed (after an admin fixed what made it fail) and makes it due
// at once, with its failure count reset, and records who did it.
func (s Audited) EnableFeed(ctx context.Context, id int64) (Feed, error) {
	return s.setFeed(ctx, id, 0, "feed.enable", "",
		`enabled = true, disabled_reason = '', consecutive_failures = 0, next_poll_at = now()`)
}

// DisableFeed stops polling a feed until EnableFeed, with reason kept as the feed's
// disabled reason, and records who did it.
func (s Audited) DisableFeed(ctx context.Context, id int64, reason string) (Feed, error) {
	return s.setFeed(ctx, id, 0, "feed.disable", reason, `enabled = false, disabled_reason = $2`, reason)
}

// UpdateFeed changes a feed's topic and poll interval when the feed is still at
// version, and records the change with detail; ErrStale when it was edited since. A
// shorter interval takes effect at once (the next poll comes no later than now plus the
// new interval).
func (s Audited) UpdateFeed(ctx context.Context, id int64, version int, topic string, interval time.Duration, detail string) (Feed, error) {
	if topic == TopicAll {
		return Feed{}, ErrReservedTopic
	}
	return s.setFeed(ctx, id, version, "feed.edit", detail,
		`topic = $2, poll_interval = $3, next_poll_at = least(next_poll_at, now() + $3), version = version + 1`,
		topic, interval)
}

// setFeed applies set (assignments; $1 is the id, args are $2…) to a feed and records
// action with detail, in one transaction. A version above 0 must be the feed's
// (ErrStale otherwise).
func (s Audited) setFeed(ctx context.Context, id int64, version int, action, detail, set string, args ...any) (Feed, error) {
	var f Feed
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var now int
		err := tx.QueryRow(ctx, `SELECT version FROM feeds WHERE id = $1 FOR UPDATE`, id).Scan(&now)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("feed %d: %w", id, ErrNotFound)
		case err != nil:
			return err
		case version > 0 && version != now:
			return fmt.Errorf("feed %d at version %d, not %d: %w", id, now, version, ErrStale)
		}
		if f, err = scanFeed(tx.QueryRow(ctx, `UPDATE feeds SET `+set+`, updated_at = now()
			WHERE id = $1 RETURNING `+feedColumns, append([]any{id}, args...)...)); err != nil {
			return err
		}
		return audit(ctx, tx, s.by, action, feedTarget(id), detail)
	})
	if err != nil {
		return Feed{}, fmt.Errorf("%s %d: %w", action, id, err)
	}
	return f, nil
}

// AddFeed stores a new feed as Store.AddFeed does and records who added it.
func (s Audited) AddFeed(ctx context.Context, nf NewFeed) (Feed, error) {
	var f Feed
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if f, err = addFeed(ctx, tx, nf); err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "feed.add", feedTarget(f.ID), feeds.RedactURL(f.URL)+", topic "+f.Topic)
	})
	return f, err
}

// AddFeeds adds several feeds in one transaction (an OPML import) with one audit entry
// naming source: either every new one is added or none. URLs already configured are
// skipped and returned.
func (s Audited) AddFeeds(ctx context.Context, nfs []NewFeed, source string) (added []Feed, skipped []string, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, nf := range nfs {
			f, err := addFeed(ctx, tx, nf)
			if errors.Is(err, ErrFeedExists) {
				skipped = append(skipped, nf.URL)
				continue
			}
			if err != nil {
				return fmt.Errorf("add feed %s: %w", feeds.RedactURL(nf.URL), err)
			}
			added = append(added, f)
		}
		return audit(ctx, tx, s.by, "feed.import", source, fmt.Sprintf("%d added, %d skipped", len(added), len(skipped)))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("add feeds: %w", err)
	}
	return added, skipped, nil
}
