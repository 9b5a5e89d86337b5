package admin

import (
	"context"
	"io"
	"slices"
	"strconv"
	"time"

	"loa/calendar"
	"loa/chat"
	"loa/feeds"
	"loa/store"
)

// The views of admins' lists: what each list shows of its objects, with JSON names
// (the CLI's --json output is documented by them). The front ends choose the columns
// and the words; what a value is, and how a rule writes it, is decided here once.

// views is list (read with err) as its views, v of each.
func views[S, V any](list []S, err error, v func(S) V) ([]V, error) {
	out := make([]V, len(list))
	for i, x := range list {
		out[i] = v(x)
	}
	return out, err
}

// EventDate writes an event's day the short way: "5/6", "10/3 âm lịch",
// "17/6 nhuận âm lịch".
func EventDate(ev calendar.Event) string {
	s := strconv.Itoa(ev.Day) + "/" + strconv.Itoa(ev.Month)
	if ev.Kind == calendar.Lunar {
		if ev.Leap {
			s += " nhuận"
		}
		s += " âm lịch"
	}
	return s
}

// EventView is a calendar event in a list, its day written by EventDate.
type EventView struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Kind        string `json:"kind"`
	Day         int    `json:"day"`
	Month       int    `json:"month"`
	Leap        bool   `json:"leap"`
	Date        string `json:"date"`
	FoundedYear int    `json:"founded_year,omitempty"`
	Title       string `json:"title"`
	Category    string `json:"category"`
	AdvanceDays int    `json:"advance_days"`
	Enabled     bool   `json:"enabled"`
	Source      string `json:"source"`
}

// Events lists the enabled events (all: the disabled ones too).
func (o *Ops) Events(ctx context.Context, all bool) ([]EventView, error) {
	events, err := o.Store.Events(ctx, all)
	return views(events, err, func(ev calendar.Event) EventView {
		return EventView{ID: ev.ID, Slug: ev.Slug, Kind: string(ev.Kind), Day: ev.Day, Month: ev.Month,
			Leap: ev.Leap, Date: EventDate(ev), FoundedYear: ev.FoundedYear, Title: ev.Title,
			Category: string(ev.Category), AdvanceDays: ev.AdvanceDays, Enabled: ev.Enabled, Source: ev.Source}
	})
}

// OccurrenceView is a notice of an event (Upcoming), with its text.
type OccurrenceView struct {
	Date        calendar.Date       `json:"date"`
	Anniversary calendar.Date       `json:"anniversary"`
	EventID     int64               `json:"event_id"`
	Slug        string              `json:"slug"`
	Title       string              `json:"title"`
	Category    string              `json:"category"`
	Years       int                 `json:"years,omitempty"`
	Round       string              `json:"round,omitempty"`
	Advance     bool                `json:"advance"`
	Lunar       *calendar.LunarDate `json:"lunar,omitempty"`
	Notice      string              `json:"notice"`
}

// ViewOccurrences is occs as OccurrenceViews.
func ViewOccurrences(occs []calendar.Occurrence) []OccurrenceView {
	out, _ := views(occs, nil, func(o calendar.Occurrence) OccurrenceView {
		return OccurrenceView{Date: o.Date, Anniversary: o.Anniversary, EventID: o.Event.ID, Slug: o.Event.Slug,
			Title: o.Event.Title, Category: string(o.Event.Category), Years: o.Years, Round: o.Round,
			Advance: o.Advance, Lunar: o.Lunar, Notice: calendar.NoticeText(o)}
	})
	return out
}

// NextNotice is the next anniversary notice (not an advance one) of ev from from on,
// within two years.
func NextNotice(ev calendar.Event, from calendar.Date) (calendar.Occurrence, bool) {
	for _, o := range calendar.Occurrences([]calendar.Event{ev}, from, from.AddDays(2*366)) {
		if !o.Advance {
			return o, true
		}
	}
	return calendar.Occurrence{}, false
}

// ExportFeeds writes the feeds as OPML (feeds.WriteOPML), for ImportFeeds: with their
// stored URLs, credentials included, so that it imports back.
func (o *Ops) ExportFeeds(ctx context.Context, w io.Writer) error {
	list, err := o.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	outlines := make([]feeds.Outline, len(list))
	for i, f := range list {
		outlines[i] = feeds.Outline{URL: f.URL, Title: f.Title, Topic: f.Topic}
	}
	return feeds.WriteOPML(w, "loa feeds", outlines)
}

// AnnouncementView is a scheduled announcement in a list, with its runs counted.
type AnnouncementView struct {
	ID        int64                    `json:"id"`
	Text      string                   `json:"text"`
	Topic     string                   `json:"topic"`
	Channel   chat.Channel             `json:"channel,omitempty"`
	Schedule  store.Schedule           `json:"schedule"`
	Cron      string                   `json:"cron,omitempty"`
	EventID   *int64                   `json:"event_id,omitempty"`
	EventTime string                   `json:"event_time,omitempty"`
	NextRun   *time.Time               `json:"next_run"`
	Status    store.AnnouncementStatus `json:"status"`
	CreatedBy string                   `json:"created_by"`
	Sent      int                      `json:"runs_sent"`
	Missed    int                      `json:"runs_missed"`
	Version   int                      `json:"version"`
}

// Announcements lists the announcements still to run (all: the finished and cancelled
// ones too).
func (o *Ops) Announcements(ctx context.Context, all bool) ([]AnnouncementView, error) {
	as, err := o.Store.Announcements(ctx, all)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	counts, err := o.Store.AnnouncementRunsOf(ctx, ids)
	return views(as, err, func(a store.Announcement) AnnouncementView {
		runs := counts[a.ID]
		return AnnouncementView{ID: a.ID, Text: a.Body, Topic: a.Topic, Channel: a.Channel, Schedule: a.Schedule,
			Cron: a.Cron, EventID: a.EventID, EventTime: a.EventTime, NextRun: a.NextRunAt, Status: a.Status,
			CreatedBy: a.CreatedBy, Sent: runs.Sent, Missed: runs.Missed, Version: a.Version}
	})
}

// BroadcastView is a broadcast in a list, with its deliveries counted.
type BroadcastView struct {
	ID        int64               `json:"id"`
	Source    string              `json:"source"`
	Kind      store.BroadcastKind `json:"kind"`
	Topic     string              `json:"topic"`
	Title     string              `json:"title"`
	Link      string              `json:"link,omitempty"`
	Created   time.Time           `json:"created"`
	Total     int                 `json:"total"`
	Sent      int                 `json:"sent"`
	Failed    int                 `json:"failed"`
	Cancelled int                 `json:"cancelled"`
	Pending   int                 `json:"pending"`
}

// Broadcasts lists the newest limit broadcasts.
func (o *Ops) Broadcasts(ctx context.Context, limit int) ([]BroadcastView, error) {
	bs, err := o.Store.BroadcastStats(ctx, limit)
	return views(bs, err, func(b store.BroadcastStat) BroadcastView {
		return BroadcastView{ID: b.ID, Source: b.SourceKey, Kind: b.Kind, Topic: b.Topic, Title: b.Title,
			Link: b.Link, Created: b.CreatedAt, Total: b.Total, Sent: b.Sent, Failed: b.Failed,
			Cancelled: b.Cancelled, Pending: b.Pending}
	})
}

// Broadcast is one broadcast, with its failed and cancelled deliveries counted by
// reason (ObjectError ErrNotFound for an unknown id).
func (o *Ops) Broadcast(ctx context.Context, id int64) (store.BroadcastStat, []store.FailureCount, error) {
	b, fails, err := o.Store.BroadcastDetail(ctx, id)
	return b, fails, objectErr(ObjBroadcast, id, err)
}

// SubscriberView is a subscribed chat in a list, with the topics it receives.
type SubscriberView struct {
	ID           int64                  `json:"id"`
	Channel      chat.Channel           `json:"channel"`
	Address      string                 `json:"address"`
	Kind         chat.Kind              `json:"kind"`
	Title        string                 `json:"title,omitempty"`
	ThreadID     int64                  `json:"thread_id,omitempty"`
	Status       store.SubscriberStatus `json:"status"`
	StatusReason string                 `json:"status_reason,omitempty"`
	Topics       []string               `json:"topics"`
	// Paused is the pause reason while the chat is paused ("no_rights").
	Paused string `json:"paused,omitempty"`
}

// Subscribers lists every subscribed chat.
func (o *Ops) Subscribers(ctx context.Context) ([]SubscriberView, error) {
	subs, err := o.Store.Subscribers(ctx)
	if err != nil {
		return nil, err
	}
	topics, err := o.Store.Topics(ctx)
	return views(subs, err, func(x store.Subscriber) SubscriberView {
		// A subscriber receives every topic but the muted ones.
		received := slices.DeleteFunc(slices.Clone(topics), func(t string) bool { return slices.Contains(x.MutedTopics, t) })
		v := SubscriberView{ID: x.ID, Channel: x.Channel, Address: x.Address, Kind: x.Kind, Title: x.Title,
			ThreadID: x.ThreadID, Status: x.Status, StatusReason: x.StatusReason, Topics: append([]string{}, received...)}
		if x.PausedAt != nil {
			v.Paused = x.PauseReason
		}
		return v
	})
}

// CountView is a number of subscribers of one channel, kind and status.
type CountView struct {
	Channel chat.Channel           `json:"channel"`
	Kind    chat.Kind              `json:"kind"`
	Status  store.SubscriberStatus `json:"status"`
	Count   int                    `json:"count"`
}

// SubscriberCounts counts the subscribers by channel, kind and status.
func (o *Ops) SubscriberCounts(ctx context.Context) ([]CountView, error) {
	counts, err := o.Store.SubscriberStats(ctx)
	return views(counts, err, func(c store.SubscriberCount) CountView { return CountView{c.Channel, c.Kind, c.Status, c.Count} })
}

// Where an admin comes from (AdminView.Source).
const (
	SourceEnv      = "LOA_ADMINS"
	SourceDatabase = "database"
)

// AdminView is an admin in a list: from LOA_ADMINS (Telegram ids) or the database.
type AdminView struct {
	Channel chat.Channel `json:"channel"`
	UserID  string       `json:"user_id"`
	Name    string       `json:"name,omitempty"`
	Source  string       `json:"source"`
}

// AdminList lists the admins of LOA_ADMINS, then those of the database.
func (o *Ops) AdminList(ctx context.Context) ([]AdminView, error) {
	out := []AdminView{}
	for _, id := range o.Admins {
		out = append(out, AdminView{chat.Telegram, strconv.FormatInt(id, 10), "", SourceEnv})
	}
	as, err := o.Store.Admins(ctx)
	for _, a := range as {
		out = append(out, AdminView{a.Channel, a.UserID, a.Name, SourceDatabase})
	}
	return out, err
}

// AuditView is an entry of the audit log.
type AuditView struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Via    string    `json:"via"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail,omitempty"`
}

// Audit lists the audit log's entries that f picks, newest first.
func (o *Ops) Audit(ctx context.Context, f store.AuditFilter) ([]AuditView, error) {
	es, err := o.Store.AuditEntries(ctx, f)
	return views(es, err, func(x store.AuditEntry) AuditView {
		return AuditView{x.At, x.Actor, string(x.Via), x.Action, x.Target, x.Detail}
	})
}
