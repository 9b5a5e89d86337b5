package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"loa/calendar"
	"loa/store"
)

// Notifier turns the day's anniversaries into broadcasts to the anniversaries topic.
type Notifier struct {
	Store *store.Store
	// Location is the zone in which "today" and the notice time are read (LOA_TIMEZONE).
	// Nil: UTC+7.
	Location *time.Location
	// Hour and Minute are the notice time (LOA_NOTICE_TIME, default 07:00).
	Hour, Minute int
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// Log receives the notices made. Nil: nothing is logged.
	Log *slog.Logger
}

// Tick makes sure today's notices exist once the notice time has passed, and reports
// how many broadcasts it created. Before the notice time it does nothing.
//
// It is meant to be called often (every minute, and when a replica becomes the leader):
// every occurrence of the day (calendar.Occurrences of the enabled events, advance
// notices included) becomes one broadcast whose source key is
// "anniv:<event id>:<date>" ("…:advance" for an advance notice), the date being the day
// the notice goes out. The key makes it idempotent: a notice goes out once, whichever
// tick, process or replica gets there first. So a notice missed while the service was
// down goes out when it comes back the same day, after the notice time, and an event
// added or enabled later in the day is announced at the next tick. A day missed
// entirely is not caught up the next day: yesterday's anniversary is old news, and the
// notice would say "Kỷ niệm …" on the wrong day.
func (n *Notifier) Tick(ctx context.Context) (created int, err error) {
	loc := n.Location
	if loc == nil {
		loc = utcPlus7
	}
	now := time.Now()
	if n.Now != nil {
		now = n.Now()
	}
	now = now.In(loc)
	if now.Before(time.Date(now.Year(), now.Month(), now.Day(), n.Hour, n.Minute, 0, 0, loc)) {
		return 0, nil
	}
	today := calendar.DateIn(now, loc)

	events, err := n.Store.Events(ctx, false)
	if err != nil {
		return 0, fmt.Errorf("anniversary notices for %s: %w", today, err)
	}
	occs := calendar.Occurrences(events, today, today)
	if len(occs) == 0 {
		return 0, nil
	}
	keys := make([]string, len(occs))
	for i, o := range occs {
		keys[i] = NoticeKey(o)
	}
	// Most ticks find every notice made already: look before writing, so that they
	// write nothing (an INSERT … ON CONFLICT DO NOTHING would still use up an id).
	done, err := n.Store.ExistingBroadcasts(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("anniversary notices for %s: %w", today, err)
	}
	for i, o := range occs {
		if done[keys[i]] {
			continue
		}
		id, ok, err := n.Store.CreateBroadcast(ctx, store.NewBroadcast{
			SourceKey: keys[i],
			Kind:      store.KindAnniversary,
			Topic:     store.TopicAnniversaries,
			Title:     calendar.NoticeText(o),
		})
		if err != nil {
			return created, fmt.Errorf("anniversary notices for %s: %w", today, err)
		}
		if ok {
			created++
			n.log().Info("anniversary notice", slog.Int64("broadcast_id", id), slog.String("source_key", keys[i]),
				slog.Int64("event_id", o.Event.ID), slog.String("slug", o.Event.Slug), slog.Bool("advance", o.Advance))
		}
	}
	return created, nil
}

// NoticeKey is the broadcast source key of an occurrence's notice:
// "anniv:<event id>:<date>", plus ":advance" for an advance notice. The date is the day
// the notice goes out.
func NoticeKey(o calendar.Occurrence) string {
	key := fmt.Sprintf("anniv:%d:%s", o.Event.ID, o.Date)
	if o.Advance {
		key += ":advance"
	}
	return key
}

func (n *Notifier) log() *slog.Logger {
	if n.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return n.Log
}

// utcPlus7 is Vietnam's time, which has had no daylight saving time since 1975.
var utcPlus7 = time.FixedZone("ICT", 7*60*60)
