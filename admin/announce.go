package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loa/broadcast"
	"loa/calendar"
	"loa/chat"
	"loa/scheduler"
	"loa/store"
)

// Bounds and defaults of announcements.
const (
	// MaxText bounds an announcement's text, in characters (the store's limit too).
	MaxText = 8000
	// MaxTopic bounds a topic's name: topics become buttons and command arguments.
	MaxTopic = 32
	// DefaultEventTime is the time of day of a yearly greeting on an event's day.
	DefaultEventTime = "07:00"
	// MaxPlanRuns bounds the runs a plan lists.
	MaxPlanRuns = 50
)

// CheckText is the one check of an announcement's text: valid UTF-8 without NUL, not
// formatting marks alone (broadcast.PlainMarkup), at most MaxText characters. The text
// is checked as given; callers trim it first.
func CheckText(text string) error {
	switch {
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return &FieldError{Field: FieldText, Code: CodeInvalid, Reason: "not valid text (invalid UTF-8 or NUL)"}
	case strings.TrimSpace(broadcast.PlainMarkup(text)) == "":
		return &FieldError{Field: FieldText, Code: CodeRequired}
	}
	if n := utf8.RuneCountInString(text); n > MaxText {
		return &FieldError{Field: FieldText, Code: CodeTooLong, N: n, Limit: MaxText}
	}
	return nil
}

// CheckTopic accepts a topic's name: 1 to 32 letters (Vietnamese included), digits,
// spaces, '-', '_' and '/', without leading or trailing space. store.TopicAll is allowed:
// an announcement's audience "everyone".
func CheckTopic(t string) error {
	if t == "" {
		return &FieldError{Field: FieldTopic, Code: CodeRequired}
	}
	if utf8.RuneCountInString(t) > MaxTopic || strings.TrimSpace(t) != t {
		return fieldErr(FieldTopic, CodeInvalid, t, "want 1 to 32 characters, no leading or trailing space")
	}
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && !strings.ContainsRune(" -_/", r) {
			return fieldErr(FieldTopic, CodeInvalid, t, "use letters, digits, spaces, '-', '_' and '/' only")
		}
	}
	return nil
}

// CheckFeedTopic is CheckTopic for a feed, which may not use store.TopicAll: fan-out
// sends "all" to every subscriber whatever they muted.
func CheckFeedTopic(t string) error {
	if t == store.TopicAll {
		return &FieldError{Field: FieldTopic, Code: CodeReserved, Value: t}
	}
	return CheckTopic(t)
}

// Announcement is what an admin writes: the text, its audience, when it goes out.
type Announcement struct {
	// Text with simple formatting (*bold*, _italic_, [text](https://link)); an event
	// greeting may say {years}, {date} and {founded}.
	Text string
	// Topic is the audience: that topic's subscribers ("" is store.TopicAnnouncements);
	// store.TopicAll is everyone, even those who muted announcements.
	Topic string
	// Channel limits it to one messenger ("" for both).
	Channel string
	When    When
}

// When is when an announcement goes out: at most one of At, Cron, Repeat and EventID;
// none is now.
type When struct {
	// At is a one-off's time (ParseWhen reads what admins type).
	At time.Time
	// Cron is a recurring schedule, a cron expression in LOA_TIMEZONE (an advanced
	// option: forms use Repeat).
	Cron string
	// Repeat is a recurring schedule chosen in a form.
	Repeat *Repeat
	// EventID makes a greeting every year on that calendar event's day, at EventTime
	// (ParseClock's forms; "" is DefaultEventTime).
	EventID   int64
	EventTime string
}

// Plan is a checked announcement: what would be stored, its next runs and how many chats
// it would reach now.
type Plan struct {
	New store.NewAnnouncement
	// Event is the calendar event of a yearly greeting.
	Event *calendar.Event
	// Runs are the next runs, up to the number asked for; one for "now".
	Runs []time.Time
	// Now: it goes out at once.
	Now bool
	// Audience counts the chats the fan-out would reach if it ran now.
	Audience int
}

// Plan checks an announcement and says what it would do: its next runs (up to runs,
// at most MaxPlanRuns) and its audience. Nothing is written.
func (o *Ops) Plan(ctx context.Context, ann Announcement, runs int) (Plan, error) {
	p, err := o.plan(ctx, ann, max(1, min(runs, MaxPlanRuns)))
	if err != nil {
		return Plan{}, err
	}
	p.Audience, err = o.Store.AudienceSize(ctx, p.New.Topic, p.New.Channel)
	return p, err
}

func (o *Ops) plan(ctx context.Context, ann Announcement, runs int) (Plan, error) {
	text := strings.TrimSpace(ann.Text)
	if err := CheckText(text); err != nil {
		return Plan{}, err
	}
	topic := ann.Topic
	if topic == "" {
		topic = store.TopicAnnouncements
	}
	if err := CheckTopic(topic); err != nil {
		return Plan{}, err
	}
	if err := CheckChannel(ann.Channel, true); err != nil {
		return Plan{}, err
	}
	w := ann.When
	var given []Field
	if !w.At.IsZero() {
		given = append(given, FieldAt)
	}
	if w.Cron != "" {
		given = append(given, FieldCron)
	}
	if w.Repeat != nil {
		given = append(given, FieldRepeat)
	}
	if w.EventID != 0 {
		given = append(given, FieldEvent)
	}
	if len(given) > 1 {
		return Plan{}, &FieldError{Field: given[1], Code: CodeConflicting, Other: given[0]}
	}
	now := o.now()
	p := Plan{New: store.NewAnnouncement{Body: text, Topic: topic, Channel: chat.Channel(ann.Channel), Schedule: store.ScheduleOnce}}
	var sched scheduler.Schedule
	switch {
	case !w.At.IsZero():
		// A time in the current minute is now: what an admin who typed it meant.
		if w.At.Before(now.Truncate(time.Minute)) {
			return Plan{}, &FieldError{Field: FieldAt, Code: CodePast, Time: w.At.In(o.loc()), Now: now.In(o.loc())}
		}
		p.New.NextRunAt = w.At
		p.Runs, p.Now = []time.Time{w.At}, !w.At.After(now)
		return p, nil
	case w.Cron != "" || w.Repeat != nil:
		expr, field := w.Cron, FieldCron
		if w.Repeat != nil {
			var err error
			if expr, err = w.Repeat.Cron(); err != nil {
				return Plan{}, err
			}
			field = FieldRepeat
		}
		if _, err := scheduler.ParseCron(expr); err != nil {
			return Plan{}, fieldErr(field, CodeInvalid, expr, err.Error())
		}
		sched = scheduler.Schedule{Kind: store.ScheduleCron, Cron: expr}
		p.New.Schedule, p.New.Cron = store.ScheduleCron, expr
	case w.EventID != 0:
		ev, err := o.Store.Event(ctx, w.EventID)
		if errors.Is(err, store.ErrNotFound) {
			return Plan{}, fieldErr(FieldEvent, CodeNotFound, strconv.FormatInt(w.EventID, 10), fmt.Sprintf("calendar event %d not found", w.EventID))
		}
		if err != nil {
			return Plan{}, err
		}
		clock := w.EventTime
		if clock == "" {
			clock = DefaultEventTime
		}
		h, m, err := ParseClock(clock)
		if err != nil {
			return Plan{}, err
		}
		clock = FormatClock(h, m)
		id := ev.ID
		p.Event = &ev
		sched = scheduler.Schedule{Kind: store.ScheduleEvent, Event: &ev, EventTime: clock}
		p.New.Schedule, p.New.EventID, p.New.EventTime = store.ScheduleEvent, &id, clock
	default:
		p.New.NextRunAt = now
		p.Runs, p.Now = []time.Time{now}, true
		return p, nil
	}
	after := now
	for len(p.Runs) < runs {
		next, err := scheduler.NextRun(sched, after, o.loc())
		if err != nil {
			return Plan{}, fieldErr(given[0], CodeInvalid, "", err.Error())
		}
		if next == nil {
			break
		}
		p.Runs = append(p.Runs, *next)
		after = *next
	}
	if len(p.Runs) == 0 {
		return Plan{}, &FieldError{Field: given[0], Code: CodeNever}
	}
	p.New.NextRunAt = p.Runs[0]
	return p, nil
}

// Schedule checks an announcement and stores it: sent now (by the running service,
// within seconds), once at a time, recurring, or every year on an event's day.
func (o *Ops) Schedule(ctx context.Context, a Actor, ann Announcement) (store.Announcement, error) {
	p, err := o.plan(ctx, ann, 1)
	if err != nil {
		return store.Announcement{}, err
	}
	return o.as(a).CreateAnnouncement(ctx, p.New)
}

// EditAnnouncement replaces a scheduled announcement's text, audience and schedule,
// from the version the admin saw (0: the current one). Its next run is computed again
// from now.
func (o *Ops) EditAnnouncement(ctx context.Context, a Actor, id int64, version int, ann Announcement) (store.Announcement, error) {
	cur, version, err := editableAnnouncement.from(ctx, o, id, version)
	if err != nil {
		return store.Announcement{}, err
	}
	p, err := o.plan(ctx, ann, 1)
	if err != nil {
		return store.Announcement{}, err
	}
	detail := editDetail(version+1, announcementChanges(cur, p.New))
	out, err := o.as(a).UpdateAnnouncement(ctx, id, version, p.New, detail)
	if ce := editableAnnouncement.staleConflict(ctx, o, id, version, err); ce != nil {
		return store.Announcement{}, ce
	}
	if err != nil {
		return store.Announcement{}, objectErr(ObjAnnouncement, id, err)
	}
	return out, nil
}

// editableAnnouncement: announcements are edited from the version the admin saw; a
// draft, or a discarded one, is not an announcement to edit (not found).
var editableAnnouncement = editable[store.Announcement]{ObjAnnouncement,
	func(s *store.Store, ctx context.Context, id int64) (store.Announcement, error) {
		a, err := s.Announcement(ctx, id)
		if err == nil && (a.Status == store.AnnouncementDraft || a.Status == store.AnnouncementDiscarded) {
			return store.Announcement{}, store.ErrNotFound
		}
		return a, err
	},
	func(a store.Announcement) int { return a.Version }}

// announcementChanges names the fields an edit changes.
func announcementChanges(cur store.Announcement, n store.NewAnnouncement) []Field {
	var fs []Field
	if cur.Body != n.Body {
		fs = append(fs, FieldText)
	}
	if cur.Topic != n.Topic {
		fs = append(fs, FieldTopic)
	}
	if cur.Channel != n.Channel {
		fs = append(fs, FieldChannel)
	}
	if cur.Schedule != n.Schedule || cur.Cron != n.Cron || cur.EventTime != n.EventTime ||
		(cur.EventID == nil) != (n.EventID == nil) || (cur.EventID != nil && *cur.EventID != *n.EventID) ||
		(n.Schedule == store.ScheduleOnce && (cur.NextRunAt == nil || !cur.NextRunAt.Equal(n.NextRunAt))) {
		fs = append(fs, FieldWhen)
	}
	return fs
}

// Cancelled is what a cancel did.
type Cancelled struct {
	// Stopped counts the pending deliveries stopped.
	Stopped int64
	// WasDone: every run had been made already.
	WasDone bool
	// WasDraft: it was the admin's draft, discarded (nothing had gone out).
	WasDraft bool
}

// CancelAnnouncement stops an announcement's future runs and the pending deliveries of
// the broadcasts it made. A draft is discarded instead (only its author may).
func (o *Ops) CancelAnnouncement(ctx context.Context, a Actor, id int64) (Cancelled, error) {
	cur, err := o.Store.Announcement(ctx, id)
	if err == nil && cur.Status == store.AnnouncementDiscarded { // a dropped draft: never an announcement
		err = store.ErrNotFound
	}
	if err != nil {
		return Cancelled{}, objectErr(ObjAnnouncement, id, err)
	}
	if cur.Status == store.AnnouncementDraft {
		return Cancelled{WasDraft: true}, o.DiscardDraft(ctx, a, id)
	}
	stopped, err := o.as(a).CancelAnnouncement(ctx, id)
	if err != nil {
		return Cancelled{}, objectErr(ObjAnnouncement, id, err)
	}
	return Cancelled{Stopped: stopped, WasDone: cur.Status == store.AnnouncementDone}, nil
}

// CancelBroadcast stops a broadcast's pending deliveries and says how many.
func (o *Ops) CancelBroadcast(ctx context.Context, a Actor, id int64) (int64, error) {
	n, err := o.as(a).CancelBroadcast(ctx, id)
	return n, objectErr(ObjBroadcast, id, err)
}

// SendTest sends an announcement's text to the acting admin alone, in their private chat
// with the bot on their messenger, as members would see it (an event greeting filled in
// for its next day). The admin is not subscribed by it; the audit log marks it as a
// test. Without such a chat (the admin never wrote to the bot there, or acts from the
// CLI) it gives ErrNoPrivateChat. It returns the test's broadcast.
func (o *Ops) SendTest(ctx context.Context, a Actor, ann Announcement) (int64, error) {
	text := strings.TrimSpace(ann.Text)
	if err := CheckText(text); err != nil {
		return 0, err
	}
	topic := ann.Topic
	if topic == "" {
		topic = store.TopicAnnouncements
	}
	if ann.When.EventID != 0 {
		p, err := o.plan(ctx, Announcement{Text: text, Topic: topic, When: When{EventID: ann.When.EventID, EventTime: ann.When.EventTime}}, 1)
		if err != nil {
			return 0, err
		}
		text = scheduler.FillPlaceholders(text, *p.Event, calendar.DateIn(p.Runs[0], o.loc()))
	}
	if CheckChannel(a.Channel, false) != nil {
		return 0, &ObjectError{Object: ObjAdmin, Name: a.String(), Err: ErrNoPrivateChat}
	}
	key := fmt.Sprintf("test:%s:%d", a, o.now().UnixNano())
	id, err := o.as(a).SendTest(ctx, chat.Channel(a.Channel), a.UserID, store.NewBroadcast{
		SourceKey: key, Kind: store.KindAnnouncement, Topic: topic, Summary: text})
	if errors.Is(err, store.ErrNoPrivateChat) {
		return 0, &ObjectError{Object: ObjAdmin, Name: a.String(), Err: ErrNoPrivateChat}
	}
	return id, err
}

// Draft is a draft just written, with the admin's earlier drafts it replaced.
type Draft struct {
	store.Announcement
	Dropped []int64
}

// CreateDraft stores an announcement written in the bot, to be confirmed after its
// preview (ConfirmDraft): nothing goes out before. runAt nil means "now, on
// confirmation". An admin has one open draft: the earlier ones are discarded, so that a
// stale preview's confirmation cannot send a text since corrected.
func (o *Ops) CreateDraft(ctx context.Context, a Actor, text string, runAt *time.Time) (Draft, error) {
	text = strings.TrimSpace(text)
	if err := CheckText(text); err != nil {
		return Draft{}, err
	}
	if runAt != nil {
		if err := o.checkFuture(*runAt); err != nil {
			return Draft{}, err
		}
	}
	dropped, err := o.Store.DiscardDrafts(ctx, a.String())
	if err != nil {
		return Draft{}, err
	}
	d, err := o.Store.CreateDraft(ctx, text, a.String(), runAt)
	return Draft{Announcement: d, Dropped: dropped}, err
}

// TimeDraft gives the admin's latest draft a time (ObjectError ErrNotFound for
// ObjDraft 0 when they have none).
func (o *Ops) TimeDraft(ctx context.Context, a Actor, at time.Time) (store.Announcement, error) {
	if err := o.checkFuture(at); err != nil {
		return store.Announcement{}, err
	}
	d, err := o.Store.LatestDraft(ctx, a.String())
	if err != nil {
		return store.Announcement{}, objectErr(ObjDraft, 0, err)
	}
	out, err := o.Store.SetDraftTime(ctx, d.ID, at, a.String())
	return out, objectErr(ObjDraft, d.ID, err)
}

// ConfirmDraft schedules a draft; only its author may (ErrNotAuthor). at nil is its
// proposed time, or now when it has none; a time that has passed is refused, but one in
// the current minute is now, as in Plan (the bot's "Gửi ngay" passes its own now, which
// is a moment behind this one).
func (o *Ops) ConfirmDraft(ctx context.Context, a Actor, id int64, at *time.Time) (store.Announcement, error) {
	d, err := o.draft(ctx, a, id)
	if err != nil {
		return store.Announcement{}, err
	}
	now := o.now()
	runAt := now
	switch {
	case at != nil && at.Before(now.Truncate(time.Minute)):
		return store.Announcement{}, &FieldError{Field: FieldAt, Code: CodePast, Time: at.In(o.loc()), Now: now.In(o.loc())}
	case at != nil && at.After(now):
		runAt = *at
	case at != nil: // in the current minute: now
	case d.NextRunAt != nil:
		if err := o.checkFuture(*d.NextRunAt); err != nil {
			return store.Announcement{}, err
		}
		runAt = *d.NextRunAt
	}
	out, err := o.as(a).ConfirmDraft(ctx, id, runAt)
	return out, objectErr(ObjDraft, id, err)
}

// DiscardDraft drops a draft; only its author may (ErrNotAuthor).
func (o *Ops) DiscardDraft(ctx context.Context, a Actor, id int64) error {
	if _, err := o.draft(ctx, a, id); err != nil {
		return err
	}
	return objectErr(ObjDraft, id, o.Store.DiscardDraft(ctx, id, a.String()))
}

// draft reads a draft a may act on: ErrNotFound, ErrNotDraft (handled already) or
// ErrNotAuthor otherwise.
func (o *Ops) draft(ctx context.Context, a Actor, id int64) (store.Announcement, error) {
	d, err := o.Store.Announcement(ctx, id)
	switch {
	case err != nil:
		return d, objectErr(ObjDraft, id, err)
	case d.Status != store.AnnouncementDraft:
		return d, &ObjectError{Object: ObjDraft, ID: id, Err: ErrNotDraft}
	case d.CreatedBy != a.String():
		return d, &ObjectError{Object: ObjDraft, ID: id, Err: &store.NotAuthorError{ID: id, Author: d.CreatedBy}}
	}
	return d, nil
}

// checkFuture refuses a time that has passed.
func (o *Ops) checkFuture(t time.Time) error {
	if now := o.now(); !t.After(now) {
		return &FieldError{Field: FieldAt, Code: CodePast, Time: t.In(o.loc()), Now: now.In(o.loc())}
	}
	return nil
}
