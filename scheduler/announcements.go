package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"loa/calendar"
	"loa/store"
)

// DefaultGrace is how late a run may still be made after the service was down.
const DefaultGrace = time.Hour

// Schedule is when an announcement runs, as an admin gave it.
type Schedule struct {
	Kind store.Schedule
	// At is the run of a one-off announcement.
	At time.Time
	// Cron is a robfig/cron expression (five fields, or @daily and friends), read in
	// the configured zone.
	Cron string
	// Event and EventTime ("07:00") make a yearly greeting on the event's day.
	Event     *calendar.Event
	EventTime string
}

// ParseCron checks a cron expression and returns its schedule.
func ParseCron(expr string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("cron expression %q: %v (want five fields: minute hour day-of-month month day-of-week, e.g. \"0 7 5 6 *\")", expr, err)
	}
	return s, nil
}

// parseClock reads HH:MM.
func parseClock(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, fmt.Errorf("time of day %q: want HH:MM, e.g. 07:00", s)
	}
	return t.Hour(), t.Minute(), nil
}

// NextRun returns the schedule's first run strictly after after, in loc, or nil when
// there is none (a one-off already past after).
func NextRun(s Schedule, after time.Time, loc *time.Location) (*time.Time, error) {
	switch s.Kind {
	case store.ScheduleOnce:
		if s.At.After(after) {
			return &s.At, nil
		}
		return nil, nil
	case store.ScheduleCron:
		cs, err := ParseCron(s.Cron)
		if err != nil {
			return nil, err
		}
		next := cs.Next(after.In(loc))
		if next.IsZero() {
			return nil, nil // an expression that never fires (30 February)
		}
		return &next, nil
	case store.ScheduleEvent:
		if s.Event == nil {
			return nil, errors.New("event greeting without an event")
		}
		h, m, err := parseClock(s.EventTime)
		if err != nil {
			return nil, err
		}
		from := calendar.DateIn(after, loc)
		// A year and a bit always holds the next occurrence, solar or lunar.
		for _, o := range calendar.Occurrences([]calendar.Event{*s.Event}, from, from.AddDays(400)) {
			if o.Advance {
				continue
			}
			at := time.Date(o.Date.Year, o.Date.Month, o.Date.Day, h, m, 0, 0, loc)
			if at.After(after) {
				return &at, nil
			}
		}
		return nil, nil
	}
	return nil, fmt.Errorf("unknown schedule %q", s.Kind)
}

// FillPlaceholders writes an event greeting for one occurrence: {years} (the N-th
// anniversary), {date} (d/m/yyyy of the day) and {founded} (d/m/yyyy of the founding, for
// solar events; the year for lunar ones).
func FillPlaceholders(body string, ev calendar.Event, day calendar.Date) string {
	years := ""
	if ev.FoundedYear > 0 {
		years = strconv.Itoa(day.Year - ev.FoundedYear)
		if ev.Kind == calendar.Lunar {
			years = strconv.Itoa(day.Lunar().Year - ev.FoundedYear)
		}
	}
	founded := ""
	if ev.FoundedYear > 0 {
		founded = strconv.Itoa(ev.FoundedYear)
		if ev.Kind == calendar.Solar {
			founded = fmt.Sprintf("%d/%d/%d", ev.Day, ev.Month, ev.FoundedYear)
		}
	}
	return strings.NewReplacer("{years}", years, "{date}", day.DMY(), "{founded}", founded).Replace(body)
}

// Announcer makes the runs of admins' announcements that are due: each run becomes one
// broadcast, once, whatever the replicas and restarts (the run's row and the broadcast's
// source key are unique). A run missed while the service was down is made late within
// Grace; later than that it is recorded as missed and the admins are told.
type Announcer struct {
	Store    *store.Store
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Grace is how late a run may still be made (default DefaultGrace).
	Grace time.Duration
	// Event looks up a calendar event for yearly greetings.
	Event func(ctx context.Context, id int64) (calendar.Event, error)
	// Alert tells the admins; key makes one alert of several raisings (nil: log only).
	Alert func(ctx context.Context, key, text string)

	mu sync.Mutex
	// heldUntil holds back an announcement whose run panicked, by the clock Now.
	heldUntil map[int64]time.Time
}

// panicHold is how long an announcement whose run panicked is held back before it is
// tried again: the bug stays, but the log gets one stack a minute, not one a tick.
const panicHold = time.Minute

// Tick makes every due run. It returns how many broadcasts it created. A run that
// panics is recovered and logged with its stack, and its announcement held back for a
// minute; the other announcements go on.
func (a *Announcer) Tick(ctx context.Context) (int, error) {
	now := a.Now()
	due, err := a.Store.DueAnnouncements(ctx, now)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, ann := range due {
		if a.held(ann.ID, now) {
			continue
		}
		n, err := a.runSafely(ctx, ann, now)
		made += n
		if errors.Is(err, store.ErrNotLeader) {
			a.Log.Info("no longer the leader: announcement run discarded", slog.Int64("announcement_id", ann.ID))
			return made, nil
		}
		if err != nil {
			a.Log.Error("announcement run", slog.Int64("announcement_id", ann.ID), slog.String("error", err.Error()))
		}
	}
	return made, nil
}

// runSafely is run with a panic turned into an error and a hold on the announcement.
func (a *Announcer) runSafely(ctx context.Context, ann store.Announcement, now time.Time) (made int, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.Log.Error("announcement run panicked", slog.Int64("announcement_id", ann.ID), slog.Any("panic", r),
				slog.Duration("retry_in", panicHold), slog.String("stack", string(debug.Stack())))
			a.mu.Lock()
			if a.heldUntil == nil {
				a.heldUntil = map[int64]time.Time{}
			}
			a.heldUntil[ann.ID] = now.Add(panicHold)
			a.mu.Unlock()
			err = nil
		}
	}()
	return a.run(ctx, ann, now)
}

// held reports whether announcement id is held back after a panic.
func (a *Announcer) held(id int64, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	until, ok := a.heldUntil[id]
	if ok && !now.Before(until) {
		delete(a.heldUntil, id)
		return false
	}
	return ok
}

// run makes the due runs of one announcement, oldest first.
func (a *Announcer) run(ctx context.Context, ann store.Announcement, now time.Time) (int, error) {
	sched := Schedule{Kind: ann.Schedule, Cron: ann.Cron, EventTime: ann.EventTime}
	var ev calendar.Event
	if ann.Schedule == store.ScheduleEvent {
		if a.Event == nil {
			return 0, errors.New("event greetings need the calendar (Announcer.Event is not set)")
		}
		var err error
		if ev, err = a.Event(ctx, *ann.EventID); err != nil {
			return 0, fmt.Errorf("event %d: %w", *ann.EventID, err)
		}
		sched.Event = &ev
	}
	grace := a.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	made := 0
	runAt := *ann.NextRunAt
	for runAt.Before(now) || runAt.Equal(now) {
		missed := now.Sub(runAt) > grace
		// After a missed run, go on from the first run still inside the grace window:
		// an outage of a day costs one "missed" record, not one per minute of cron.
		from := runAt
		if missed {
			from = now.Add(-grace)
		}
		next, err := NextRun(sched, from, a.Location)
		if err != nil {
			return made, err
		}
		body := ann.Body
		if ann.Schedule == store.ScheduleEvent {
			body = FillPlaceholders(body, ev, calendar.DateIn(runAt, a.Location))
		}
		bid, ok, err := a.Store.RecordAnnouncementRun(ctx, store.AnnouncementRun{
			AnnouncementID: ann.ID,
			RunAt:          runAt,
			Missed:         missed,
			Next:           next,
			Broadcast: store.NewBroadcast{
				SourceKey: fmt.Sprintf("ann:%d:%s", ann.ID, runAt.UTC().Format(time.RFC3339)),
				Kind:      store.KindAnnouncement,
				Topic:     ann.Topic,
				Summary:   body,
				Channel:   ann.Channel,
			},
		})
		if err != nil {
			return made, err
		}
		if !ok {
			return made, nil // another replica made it
		}
		log := a.Log.With(slog.Int64("announcement_id", ann.ID), slog.Time("run_at", runAt))
		if missed {
			log.Warn("announcement run missed: past the grace window", slog.Duration("late", now.Sub(runAt)))
			if a.Alert != nil {
				a.Alert(ctx, fmt.Sprintf("missed:%d:%d", ann.ID, runAt.Unix()), fmt.Sprintf("Thông báo số %d lẽ ra được gửi lúc %s nhưng hệ thống không chạy; đã quá %s nên không gửi bù.",
					ann.ID, runAt.In(a.Location).Format("15:04 02/01/2006"), grace))
			}
		} else {
			made++
			log.Info("announcement sent", slog.Int64("broadcast_id", bid))
		}
		if next == nil {
			break
		}
		runAt = *next
	}
	return made, nil
}
