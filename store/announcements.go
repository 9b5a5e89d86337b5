package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"loa/chat"
)

// Schedule is how an announcement repeats (announcements.schedule).
type Schedule string

// Announcement schedules.
const (
	// ScheduleOnce runs once, at NextRunAt.
	ScheduleOnce Schedule = "once"
	// ScheduleCron runs on a cron expression (Announcement.Cron).
	ScheduleCron Schedule = "cron"
	// ScheduleEvent greets a calendar event every year (Announcement.EventID).
	ScheduleEvent Schedule = "event"
)

// AnnouncementStatus is where an announcement is in its life (announcements.status).
type AnnouncementStatus string

// Announcement statuses.
const (
	// AnnouncementDraft is written in the bot and waits for the admin's confirmation.
	AnnouncementDraft AnnouncementStatus = "draft"
	// AnnouncementDiscarded is a draft dropped or replaced before it was confirmed:
	// nothing was said, so it is deleted after a day (Prune), unlike a cancelled
	// announcement, which stays in the record.
	AnnouncementDiscarded AnnouncementStatus = "discarded"
	// AnnouncementScheduled has runs to come.
	AnnouncementScheduled AnnouncementStatus = "scheduled"
	// AnnouncementDone made its last run.
	AnnouncementDone AnnouncementStatus = "done"
	// AnnouncementCancelled was confirmed, then stopped by an admin.
	AnnouncementCancelled AnnouncementStatus = "cancelled"
)

// IsScheduled, IsDone and IsCancelled say which status s is, for templates (a
// renamed constant then breaks the build, not a page).
func (s AnnouncementStatus) IsScheduled() bool { return s == AnnouncementScheduled }

// IsDone: see IsScheduled.
func (s AnnouncementStatus) IsDone() bool { return s == AnnouncementDone }

// IsCancelled: see IsScheduled.
func (s AnnouncementStatus) IsCancelled() bool { return s == AnnouncementCancelled }

// RunStatus is how one run of an announcement went (announcement_runs.status).
type RunStatus string

// Run statuses.
const (
	// RunSent: the run made its broadcast.
	RunSent RunStatus = "sent"
	// RunMissed: the run was past its grace window; recorded, not sent.
	RunMissed RunStatus = "missed"
)

// IsMissed says whether the run was missed (for templates, as IsScheduled).
func (s RunStatus) IsMissed() bool { return s == RunMissed }

// IsOnce and IsEvent say which schedule s is (for templates, as IsScheduled).
func (s Schedule) IsOnce() bool { return s == ScheduleOnce }

// IsEvent: see IsOnce.
func (s Schedule) IsEvent() bool { return s == ScheduleEvent }

// Announcement is an admin's message and when it goes out.
type Announcement struct {
	ID          int64
	Body        string
	Topic       string
	Channel     chat.Channel // "" for every channel
	Schedule    Schedule
	Cron        string
	EventID     *int64
	EventTime   string // HH:MM, for event greetings
	NextRunAt   *time.Time
	Status      AnnouncementStatus
	CreatedBy   string
	CreatedAt   time.Time
	CancelledBy string
	CancelledAt *time.Time
	// Version counts admins' edits (migration 014): an edit names the version it was
	// made from and is refused (ErrStale) when another came first.
	Version int
}

const announcementColumns = `id, body, topic, coalesce(channel, ''), schedule, cron, event_id, event_time,
	next_run_at, status, created_by, created_at, cancelled_by, cancelled_at, version`

func scanAnnouncement(row pgx.Row) (Announcement, error) {
	var a Announcement
	err := row.Scan(&a.ID, &a.Body, &a.Topic, &a.Channel, &a.Schedule, &a.Cron, &a.EventID, &a.EventTime,
		&a.NextRunAt, &a.Status, &a.CreatedBy, &a.CreatedAt, &a.CancelledBy, &a.CancelledAt, &a.Version)
	return a, err
}

// NewAnnouncement is what an admin schedules. The caller validates it and computes the
// first run (scheduler.FirstRun).
type NewAnnouncement struct {
	Body      string
	Topic     string
	Channel   chat.Channel // "" for every channel
	Schedule  Schedule
	Cron      string
	EventID   *int64
	EventTime string
	NextRunAt time.Time
}

// CreateAnnouncement stores an announcement and records who scheduled it, in one
// transaction.
func (s Audited) CreateAnnouncement(ctx context.Context, na NewAnnouncement) (Announcement, error) {
	return createAnnouncement(ctx, s.pool, na, AnnouncementScheduled, s.by)
}

// CreateDraft stores a one-off announcement written in the bot, to be confirmed
// (ConfirmDraft) before anything goes out. runAt nil means "now, on confirmation".
func (s *Store) CreateDraft(ctx context.Context, body, actor string, runAt *time.Time) (Announcement, error) {
	na := NewAnnouncement{Body: body, Topic: TopicAnnouncements, Schedule: ScheduleOnce}
	if runAt != nil {
		na.NextRunAt = *runAt
	}
	return createAnnouncement(ctx, s.pool, na, AnnouncementDraft, Actor{ID: actor})
}

func createAnnouncement(ctx context.Context, pool *pgxpool.Pool, na NewAnnouncement, status AnnouncementStatus, by Actor) (Announcement, error) {
	var next *time.Time
	if !na.NextRunAt.IsZero() {
		next = &na.NextRunAt
	}
	var a Announcement
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		a, err = scanAnnouncement(tx.QueryRow(ctx, `
			INSERT INTO announcements (body, topic, channel, schedule, cron, event_id, event_time, next_run_at, status, created_by)
			VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8, $10, $9)
			RETURNING `+announcementColumns,
			na.Body, na.Topic, na.Channel, na.Schedule, na.Cron, na.EventID, na.EventTime, next, by.ID, status))
		if err != nil || status == AnnouncementDraft {
			return err
		}
		return audit(ctx, tx, by, "announcement.create", fmt.Sprintf("announcement %d", a.ID),
			fmt.Sprintf("%s, first run %s, topic %s%s", describeSchedule(a), na.NextRunAt.Format(time.RFC3339), a.Topic, channelNote(a.Channel)))
	})
	if err != nil {
		return Announcement{}, fmt.Errorf("create announcement: %w", err)
	}
	return a, nil
}

// ErrAlreadyCancelled is returned when cancelling an announcement cancelled before.
var ErrAlreadyCancelled = errors.New("already cancelled")

// ErrNotDraft is returned when confirming or changing an announcement that is no
// longer a draft (confirmed or discarded already, or never one).
var ErrNotDraft = errors.New("not a draft any more")

// ErrNotAuthor is what a NotAuthorError matches: an admin acted on a draft another
// admin wrote.
var ErrNotAuthor = errors.New("draft belongs to another admin")

// NotAuthorError refuses a change to a draft by anyone but its author. A draft is its
// author's until confirmed: another admin's "send" could otherwise put out a text its
// author was still correcting.
type NotAuthorError struct {
	ID     int64
	Author string // the actor who wrote the draft, "telegram:1001"
}

func (e *NotAuthorError) Error() string {
	return fmt.Sprintf("draft %d belongs to %s", e.ID, e.Author)
}

// Is makes errors.Is(err, ErrNotAuthor) true.
func (e *NotAuthorError) Is(target error) bool { return target == ErrNotAuthor }

// lockDraft locks an announcement that must be a draft of actor: ErrNotDraft when it is
// not (or no longer) a draft, whoever asks; a *NotAuthorError when it is someone else's.
func lockDraft(ctx context.Context, tx pgx.Tx, id int64, actor string) error {
	var status AnnouncementStatus
	var author string
	err := tx.QueryRow(ctx, `SELECT status, created_by FROM announcements WHERE id = $1 FOR UPDATE`, id).
		Scan(&status, &author)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotDraft
	case err != nil:
		return err
	case status != AnnouncementDraft:
		return ErrNotDraft
	case author != actor:
		return &NotAuthorError{ID: id, Author: author}
	}
	return nil
}

// ConfirmDraft schedules a draft to run at runAt (the caller decides: its proposed
// time, or now). Only its author may (NotAuthorError). The confirmation is what the
// audit log records as the creation.
func (s Audited) ConfirmDraft(ctx context.Context, id int64, runAt time.Time) (Announcement, error) {
	var a Announcement
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, id, s.by.ID); err != nil {
			return err
		}
		var err error
		a, err = scanAnnouncement(tx.QueryRow(ctx, `
			UPDATE announcements SET status = 'scheduled', next_run_at = $2
			WHERE id = $1
			RETURNING `+announcementColumns, id, runAt))
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "announcement.create", fmt.Sprintf("announcement %d", a.ID),
			fmt.Sprintf("draft confirmed, once at %s", runAt.Format(time.RFC3339)))
	})
	if err != nil {
		return Announcement{}, fmt.Errorf("confirm announcement %d: %w", id, err)
	}
	return a, nil
}

// SetDraftTime proposes a time for a draft; only its author may (NotAuthorError).
func (s *Store) SetDraftTime(ctx context.Context, id int64, runAt time.Time, actor string) (Announcement, error) {
	var a Announcement
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, id, actor); err != nil {
			return err
		}
		var err error
		a, err = scanAnnouncement(tx.QueryRow(ctx, `
			UPDATE announcements SET next_run_at = $2 WHERE id = $1
			RETURNING `+announcementColumns, id, runAt))
		return err
	})
	if err != nil {
		return Announcement{}, fmt.Errorf("set time of draft %d: %w", id, err)
	}
	return a, nil
}

// DiscardDraft drops a draft; only its author may (NotAuthorError). Nothing was sent,
// so nothing is audited.
func (s *Store) DiscardDraft(ctx context.Context, id int64, actor string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, id, actor); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE announcements SET status = 'discarded', cancelled_at = now() WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("discard draft %d: %w", id, err)
	}
	return nil
}

// DiscardDrafts drops every open draft of an admin and returns their ids, oldest first.
func (s *Store) DiscardDrafts(ctx context.Context, actor string) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `
		WITH d AS (
			UPDATE announcements SET status = 'discarded', cancelled_at = now()
			WHERE status = 'draft' AND created_by = $1
			RETURNING id)
		SELECT id FROM d ORDER BY id`, actor)
	return collected(rows, err, fmt.Sprintf("discard drafts of %s", actor), pgx.RowTo[int64])
}

// LatestDraft returns the newest draft of an admin, or ErrNotFound.
func (s *Store) LatestDraft(ctx context.Context, actor string) (Announcement, error) {
	a, err := scanAnnouncement(s.pool.QueryRow(ctx, `SELECT `+announcementColumns+` FROM announcements
		WHERE status = 'draft' AND created_by = $1 ORDER BY id DESC LIMIT 1`, actor))
	if errors.Is(err, pgx.ErrNoRows) {
		return Announcement{}, ErrNotFound
	}
	if err != nil {
		return Announcement{}, fmt.Errorf("latest draft of %s: %w", actor, err)
	}
	return a, nil
}

func describeSchedule(a Announcement) string {
	switch a.Schedule {
	case ScheduleCron:
		return "cron " + a.Cron
	case ScheduleEvent:
		return fmt.Sprintf("every year on event %d at %s", *a.EventID, a.EventTime)
	}
	return string(ScheduleOnce)
}

func channelNote(ch chat.Channel) string {
	if ch == "" {
		return ""
	}
	return ", " + string(ch) + " only"
}

// announcementsListed selects the announcements a list shows: those scheduled, and
// when $1 (all) those finished and cancelled too; never the bot's drafts.
const announcementsListed = `(($1 AND status NOT IN ('draft', 'discarded')) OR status = 'scheduled')`

// announcementOrder is the console's announcements list's order, newest first, on the
// primary key.
var announcementOrder = listOrder{idCol: "id", desc: true}

// AnnouncementPage returns one page of the announcements listed (all: with those
// finished and cancelled), newest first.
func (s *Store) AnnouncementPage(ctx context.Context, all bool, p Page) (Paged[Announcement], error) {
	cond, order, args := announcementOrder.keyset(p, 3)
	rows, err := s.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements
		WHERE `+announcementsListed+` AND `+cond+` ORDER BY `+order+` LIMIT $2`, append([]any{all, p.size() + 1}, args...)...)
	as, err := collected(rows, err, "list announcements", rowTo(scanAnnouncement))
	if err != nil {
		return Paged[Announcement]{}, err
	}
	return pageOf(as, p, func(a Announcement) Cursor { return Cursor{ID: a.ID} }), nil
}

// CountAnnouncements returns how many announcements are listed (all: with those
// finished and cancelled), exactly: one row per announcement an admin confirmed (and
// the bot's drafts, kept a day), so the table stays small.
func (s *Store) CountAnnouncements(ctx context.Context, all bool) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM announcements WHERE `+announcementsListed, all).Scan(&n); err != nil {
		return 0, fmt.Errorf("count announcements: %w", err)
	}
	return n, nil
}

// Announcements lists announcements by id; finished and cancelled ones only when all.
func (s *Store) Announcements(ctx context.Context, all bool) ([]Announcement, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements
		WHERE `+announcementsListed+` ORDER BY id`, all)
	return collected(rows, err, "list announcements", rowTo(scanAnnouncement))
}

// Announcement returns one announcement.
func (s *Store) Announcement(ctx context.Context, id int64) (Announcement, error) {
	a, err := scanAnnouncement(s.pool.QueryRow(ctx, `SELECT `+announcementColumns+` FROM announcements WHERE id = $1`, id))
	return found(a, err, "announcement", id)
}

// CancelAnnouncement stops an announcement's future runs and the pending deliveries of
// the broadcasts it already made, and records who did it. It returns how many pending
// deliveries were stopped.
func (s Audited) CancelAnnouncement(ctx context.Context, id int64) (int64, error) {
	var stopped int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status AnnouncementStatus
		err := tx.QueryRow(ctx, `SELECT status FROM announcements WHERE id = $1 FOR UPDATE`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("announcement %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		switch status {
		case AnnouncementCancelled:
			return fmt.Errorf("announcement %d is %w", id, ErrAlreadyCancelled)
		case AnnouncementDraft, AnnouncementDiscarded:
			return fmt.Errorf("announcement %d is a draft that was never confirmed: %w", id, ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `UPDATE announcements SET status = 'cancelled', next_run_at = NULL,
			cancelled_by = $2, cancelled_at = now() WHERE id = $1`, id, s.by.ID); err != nil {
			return err
		}
		stopped, err = stopPending(ctx, tx, s.by, cancelAnnouncement, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cancel announcement %d: %w", id, err)
	}
	return stopped, nil
}

// A cancelScope is what an admin cancels: its name, and the condition that picks, by
// its id ($1), the broadcasts whose pending deliveries stop with it.
type cancelScope struct{ noun, broadcasts string }

var (
	cancelAnnouncement = cancelScope{"announcement",
		`broadcast_id IN (SELECT broadcast_id FROM announcement_runs WHERE announcement_id = $1 AND broadcast_id IS NOT NULL)`}
	cancelBroadcast = cancelScope{"broadcast", `broadcast_id = $1`}
)

// stopPending cancels the pending deliveries in scope of the cancelled thing id and
// audits the cancel in the same transaction. It returns how many it stopped.
func stopPending(ctx context.Context, tx pgx.Tx, by Actor, scope cancelScope, id int64) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'cancelled', reason = $2, last_error = $3, finished_at = now()
		WHERE status = 'pending' AND `+scope.broadcasts, id, ReasonBroadcastCancelled, scope.noun+" cancelled")
	if err != nil {
		return 0, err
	}
	stopped := tag.RowsAffected()
	return stopped, audit(ctx, tx, by, scope.noun+".cancel", fmt.Sprintf("%s %d", scope.noun, id),
		fmt.Sprintf("%d pending deliveries stopped", stopped))
}

// DueAnnouncements returns the scheduled announcements whose next run has come.
func (s *Store) DueAnnouncements(ctx context.Context, now time.Time) ([]Announcement, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements
		WHERE status = 'scheduled' AND next_run_at <= $1 ORDER BY next_run_at, id`, now)
	return collected(rows, err, "due announcements", rowTo(scanAnnouncement))
}

// AnnouncementRun is one run of an announcement to record.
type AnnouncementRun struct {
	AnnouncementID int64
	RunAt          time.Time
	// Missed: the run is past its grace window; it is recorded, not sent.
	Missed bool
	// Broadcast is what the run says (ignored when Missed).
	Broadcast NewBroadcast
	// Next is the following run, or nil when there is none (the announcement is done).
	Next *time.Time
}

// RecordAnnouncementRun makes one run of an announcement, in one transaction: the run
// row, its broadcast and deliveries, and the announcement's next run. A run that another
// replica already made (the announcement's next run is no longer RunAt) changes nothing
// and returns made == false. Under a leader fence it commits only while the term lasts
// (ErrNotLeader otherwise).
func (s *Store) RecordAnnouncementRun(ctx context.Context, r AnnouncementRun) (broadcastID int64, made bool, err error) {
	err = s.leaderTx(ctx, func(tx pgx.Tx) error {
		var next *time.Time
		var status AnnouncementStatus
		err := tx.QueryRow(ctx, `SELECT next_run_at, status FROM announcements WHERE id = $1 FOR UPDATE`,
			r.AnnouncementID).Scan(&next, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("announcement %d: %w", r.AnnouncementID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if status != AnnouncementScheduled || next == nil || !next.Equal(r.RunAt) {
			return nil // made (or cancelled) meanwhile
		}
		runStatus, detail := RunSent, ""
		var bid *int64
		if r.Missed {
			runStatus, detail = RunMissed, "past the grace window"
		} else {
			var id int64
			err := tx.QueryRow(ctx, `
				INSERT INTO broadcasts (source_key, kind, topic, title, summary, link, channel)
				VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''))
				ON CONFLICT (source_key) DO NOTHING
				RETURNING id`, r.Broadcast.SourceKey, r.Broadcast.Kind, r.Broadcast.Topic, r.Broadcast.Title,
				r.Broadcast.Summary, r.Broadcast.Link, r.Broadcast.Channel).Scan(&id)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if err == nil {
				if _, err := fanOut(ctx, tx, []int64{id}); err != nil {
					return err
				}
				bid, broadcastID = &id, id
				detail = fmt.Sprintf("broadcast %d", id)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO announcement_runs (announcement_id, run_at, status, broadcast_id)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, r.AnnouncementID, r.RunAt, runStatus, bid); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE announcements SET next_run_at = $2,
			status = CASE WHEN $2::timestamptz IS NULL THEN 'done' ELSE status END WHERE id = $1`,
			r.AnnouncementID, r.Next); err != nil {
			return err
		}
		made = true
		return audit(ctx, tx, Service, "announcement."+string(runStatus), fmt.Sprintf("announcement %d", r.AnnouncementID),
			fmt.Sprintf("run %s: %s", r.RunAt.Format(time.RFC3339), detail))
	})
	if err != nil {
		return 0, false, fmt.Errorf("run announcement %d at %s: %w", r.AnnouncementID, r.RunAt.Format(time.RFC3339), err)
	}
	return broadcastID, made, nil
}

// RunCount is how an announcement's runs went.
type RunCount struct {
	Sent, Missed int
}

// AnnouncementRuns counts an announcement's runs.
func (s *Store) AnnouncementRuns(ctx context.Context, id int64) (RunCount, error) {
	rcs, err := s.AnnouncementRunsOf(ctx, []int64{id})
	if err != nil {
		return RunCount{}, fmt.Errorf("runs of announcement %d: %w", id, err)
	}
	return rcs[id], nil
}

// AnnouncementRunsOf counts the runs of the announcements ids in one query (a list of
// announcements). An announcement without runs is missing from the map: its zero
// RunCount is right.
func (s *Store) AnnouncementRunsOf(ctx context.Context, ids []int64) (map[int64]RunCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT announcement_id, count(*) FILTER (WHERE status = 'sent'),
			count(*) FILTER (WHERE status = 'missed')
		FROM announcement_runs WHERE announcement_id = ANY($1) GROUP BY announcement_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("runs of announcements: %w", err)
	}
	rcs := make(map[int64]RunCount, len(ids))
	var id int64
	var rc RunCount
	_, err = pgx.ForEachRow(rows, []any{&id, &rc.Sent, &rc.Missed}, func() error {
		rcs[id] = rc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("runs of announcements: %w", err)
	}
	return rcs, nil
}

// CancelBroadcast stops a broadcast's pending deliveries and records who did it. It
// returns how many were stopped.
func (s Audited) CancelBroadcast(ctx context.Context, id int64) (int64, error) {
	var stopped int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE broadcasts SET cancelled_at = coalesce(cancelled_at, now()) WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("broadcast %d: %w", id, ErrNotFound)
		}
		stopped, err = stopPending(ctx, tx, s.by, cancelBroadcast, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cancel broadcast %d: %w", id, err)
	}
	return stopped, nil
}
