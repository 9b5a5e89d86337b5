package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loa/admin"
	"loa/broadcast"
	"loa/calendar"
	"loa/store"
)

// Admins' commands. Announcements written in the bot are drafts until an admin
// confirms the preview: nothing goes out without a confirmation.
//
//	/announce <text>                         a draft to send now: preview, then
//	                                         [Gửi ngay] [Hẹn giờ] [Huỷ]
//	/schedule <d/m/yyyy> <HH:MM> [text]      a draft with a time (without text: the
//	                                         admin's latest draft gets the time):
//	                                         preview, then [Xác nhận] [Huỷ]
//	/xacnhan <id>, /huy <id>                 the buttons typed, where there are none
//	/scheduled, /cancel <id>                 the schedule
//	/stats, /broadcast [id]                  the reports (reports.go)
//
// The bot only reads commands and words answers: every change goes through the admin
// operations layer (package admin, as the actor "<channel>:<user id>" via the bot),
// which holds the rules — the announcement check, the date-time grammar (admin.ParseWhen:
// "5/6/2024 7h30"), the id grammar (admin.ParseID), drafts belonging to their author,
// one open draft per admin — and words its refusals (admin.Message); the bot adds what
// to send next.
//
// Who may run the commands and how they are asked for is the command table's
// (commands.go): in a group they answer only when addressed to the bot by name
// ("/stats@loa_bot"), since "/stats" alone may be meant for another bot (a bot without a
// username, as on Zalo, takes every command as its own); anyone but a loa admin is
// refused, and the attempt logged (user and chat, never the text).

// Bounds of the admins' lists.
const (
	// scheduledMax is how many announcements /scheduled lists; the rest are counted.
	scheduledMax = 20
	// recentBroadcasts is how many broadcasts /broadcast lists without a number.
	recentBroadcasts = 5
	// excerptRunes bounds the excerpts of texts in lists.
	excerptRunes = 80
)

// Draft buttons: "a:<action>:<announcement id>"; "Xác nhận" also carries the time it
// confirms, "a:ok:<id>:<unix seconds>", so that what is scheduled is what the button's
// preview said, even if the draft got another time since.
const (
	adminPrefix = "a:"
	actSend     = "send"
	actTime     = "time"
	actDrop     = "drop"
	actConfirm  = "ok"
)

// Layouts of times shown to admins.
const (
	listTimeLayout = "02/01/2006 15:04"
)

// actor is the admin acting through the bot, as the admin layer and the audit log
// name them ("telegram:1001").
func actor(u Update) admin.Actor {
	return admin.Actor{Channel: string(u.Chat.Channel), UserID: u.From.ID, Name: u.From.Name, Via: admin.ViaBot}
}

// ops is the admin operations layer: Bot.Admin, else one on the bot's store, zone and
// clock.
func (b *Bot) ops() *admin.Ops {
	if b.Admin != nil {
		return b.Admin
	}
	return &admin.Ops{Store: b.Store, Location: b.location(), Now: b.Now}
}

// adminLog is the logger for an admin's action.
func (b *Bot) adminLog(u Update) *slog.Logger {
	return b.chatLog(u).With(slog.String("user_id", u.From.ID))
}

// refused answers an operation the admin layer refused, in its words, followed by what
// to send next; any other error is logged and answered with the apology.
func (b *Bot) refused(u Update, op string, err error) Response {
	if !isRefusal(err) {
		return b.failed(u, op, err)
	}
	b.othersDraft(u, err)
	text := admin.Message(err)
	if hint := b.nextStep(err); hint != "" {
		text += " " + hint
	}
	return reply(text)
}

// isRefusal reports whether err is the admin layer refusing what was asked (bad input,
// the state of an object), not a failure.
func isRefusal(err error) bool {
	var fe *admin.FieldError
	var oe *admin.ObjectError
	var ce *admin.ConflictError
	return errors.As(err, &fe) || errors.As(err, &oe) || errors.As(err, &ce)
}

// nextStep is the bot's hint after a refusal: the command to send next.
func (b *Bot) nextStep(err error) string {
	var fe *admin.FieldError
	var oe *admin.ObjectError
	switch {
	case errors.As(err, &fe):
		if fe.Code == admin.CodeInvalid && (fe.Field == admin.FieldAt || fe.Field == admin.FieldTime) {
			return scheduleExampleHint(b.example())
		}
	case errors.Is(err, admin.ErrNotAuthor):
		return writeYourOwnHint
	case errors.Is(err, admin.ErrNotDraft), errors.As(err, &oe) && oe.Object == admin.ObjAnnouncement && errors.Is(err, admin.ErrNotFound):
		return seeScheduledHint
	case errors.As(err, &oe) && oe.Object == admin.ObjDraft && oe.ID == 0:
		return writeDraftHint
	case errors.As(err, &oe) && oe.Object == admin.ObjDraft:
		return checkNumberHint
	}
	return ""
}

// othersDraft logs an attempt on another admin's draft (err refused it), and reports
// whether it was one.
func (b *Bot) othersDraft(u Update, err error) bool {
	var na *store.NotAuthorError
	if !errors.As(err, &na) {
		return false
	}
	b.adminLog(u).Warn("draft refused: another admin's draft", slog.Int64("announcement_id", na.ID),
		slog.String("author", na.Author))
	return true
}

// announce stores a draft to send now and shows its preview.
func (b *Bot) announce(ctx context.Context, u Update, r request) Response {
	return b.newDraft(ctx, u, r.args, nil)
}

// newDraft stores a draft (the admin layer drops the admin's earlier ones) and shows
// its preview. A text that says nothing gets the command's usage.
func (b *Bot) newDraft(ctx context.Context, u Update, text string, runAt *time.Time) Response {
	d, err := b.ops().CreateDraft(ctx, actor(u), text, runAt)
	var fe *admin.FieldError
	switch {
	case errors.As(err, &fe) && fe.Field == admin.FieldText && fe.Code == admin.CodeRequired:
		if runAt != nil {
			return reply(scheduleUsageText(b.example()))
		}
		return reply(announceUsageText)
	case err != nil:
		return b.refused(u, "create draft", err)
	}
	b.adminLog(u).Info("announcement draft created", slog.Int64("announcement_id", d.ID),
		slog.Bool("scheduled", runAt != nil))
	return b.preview(d.Announcement, d.Dropped)
}

// preview shows a draft as members will see it, with what to do next: buttons where
// there are buttons, else the commands to type.
func (b *Bot) preview(a store.Announcement, dropped []int64) Response {
	caps := b.Capabilities
	content := &broadcast.Content{Kind: store.KindAnnouncement, Topic: a.Topic, Summary: a.Body}
	r := Reply{Preview: content}
	if a.NextRunAt == nil {
		r.Text = announcePreviewText(caps, a.ID, dropped, b.example())
		r.Buttons = sendButtons(a.ID, true)
	} else {
		r.Text = schedulePreviewText(caps, a.ID, b.longWhen(*a.NextRunAt), dropped)
		r.Buttons = [][]Button{{
			{Text: confirmButton, Data: confirmData(a.ID, *a.NextRunAt)},
			{Text: dropButton, Data: adminData(actDrop, a.ID)},
		}}
	}
	if !caps.Buttons {
		r.Buttons = nil // the caption says what to type
	}
	return Response{Replies: []Reply{r}}
}

// sendButtons are the buttons of a draft to send now; withTime adds "Hẹn giờ".
func sendButtons(id int64, withTime bool) [][]Button {
	row := []Button{{Text: sendNowButton, Data: adminData(actSend, id)}}
	if withTime {
		row = append(row, Button{Text: timeButton, Data: adminData(actTime, id)})
	}
	return [][]Button{append(row, Button{Text: dropButton, Data: adminData(actDrop, id)})}
}

func adminData(action string, id int64) string {
	return adminPrefix + action + ":" + strconv.FormatInt(id, 10)
}

func confirmData(id int64, at time.Time) string {
	return adminData(actConfirm, id) + ":" + strconv.FormatInt(at.Unix(), 10)
}

// parseAdminData reads a draft button's data; ok is false for anything the bot does
// not make.
func parseAdminData(data string) (action string, id int64, at time.Time, ok bool) {
	rest, found := strings.CutPrefix(data, adminPrefix)
	if !found {
		return "", 0, time.Time{}, false
	}
	parts := strings.Split(rest, ":")
	action = parts[0]
	switch {
	case action == actConfirm && len(parts) == 3:
		sec, err := admin.ParseID(parts[2])
		if err != nil {
			return "", 0, time.Time{}, false
		}
		at = time.Unix(sec, 0)
		if at.Year() > 9999 {
			return "", 0, time.Time{}, false
		}
	case (action == actSend || action == actTime || action == actDrop) && len(parts) == 2:
	default:
		return "", 0, time.Time{}, false
	}
	id, err := admin.ParseID(parts[1])
	if err != nil || adminData(action, id) != adminPrefix+action+":"+parts[1] {
		return "", 0, time.Time{}, false // "a:send:012": not what the bot writes
	}
	return action, id, at, true
}

// adminButton answers a pressed draft button.
func (b *Bot) adminButton(ctx context.Context, u Update) Response {
	if !b.isAdmin(ctx, u) {
		b.chatLog(u).Warn("admin button refused: not an admin", slog.String("user_id", u.From.ID))
		return Response{CallbackText: adminButtonRefusedToast}
	}
	action, id, at, ok := parseAdminData(u.Callback.Data)
	if !ok {
		return Response{CallbackText: adminButtonOutdated}
	}
	done := func(toast, text string, buttons [][]Button) Response {
		r := Response{CallbackText: toast}
		if u.Callback.MessageID != "" {
			r.Edit = &Reply{Text: text, Buttons: buttons}
		}
		return r
	}
	ops, a := b.ops(), actor(u)
	var err error
	switch action {
	case actSend:
		now := b.now()
		if _, err = ops.ConfirmDraft(ctx, a, id, &now); err == nil {
			b.adminLog(u).Info("announcement confirmed", slog.Int64("announcement_id", id), slog.Time("run_at", now))
			return done(sentNowToast, sentNowText(id), nil)
		}
	case actConfirm:
		if _, err = ops.ConfirmDraft(ctx, a, id, &at); err == nil {
			b.adminLog(u).Info("announcement confirmed", slog.Int64("announcement_id", id), slog.Time("run_at", at))
			return done(scheduledToast, scheduledText(id, b.longWhen(at)), nil)
		}
	case actDrop:
		if err = ops.DiscardDraft(ctx, a, id); err == nil {
			b.adminLog(u).Info("announcement draft discarded", slog.Int64("announcement_id", id))
			return done(discardedToast, discardedText(id), nil)
		}
	default: // actTime: says how to time the draft; /schedule then times the latest
		d, rerr := b.Store.Announcement(ctx, id)
		switch {
		case isNotFound(rerr) || (rerr == nil && d.Status != store.AnnouncementDraft):
			return Response{CallbackText: draftHandledToast}
		case rerr != nil:
			return b.failed(u, "show draft", rerr)
		case d.CreatedBy != a.String(): // nothing changes here: the admin layer's rule, read early
			b.othersDraft(u, &store.NotAuthorError{ID: id, Author: d.CreatedBy})
			return Response{CallbackText: otherAdminDraftToast}
		}
		return done(timeHelpToast, timeHelpText(id, b.example()), sendButtons(id, false))
	}
	var fe *admin.FieldError
	switch {
	case errors.Is(err, admin.ErrNotDraft), errors.Is(err, admin.ErrNotFound):
		return Response{CallbackText: draftHandledToast}
	case b.othersDraft(u, err):
		return Response{CallbackText: otherAdminDraftToast}
	case errors.As(err, &fe) && fe.Code == admin.CodePast:
		return Response{CallbackText: pastButtonToast}
	}
	return b.failed(u, "draft button", err)
}

// schedule gives a time to a new draft (with text) or to the admin's latest draft.
func (b *Bot) schedule(ctx context.Context, u Update, r request) Response {
	date, rest := nextField(r.args)
	clock, text := nextField(rest)
	if date == "" {
		return reply(scheduleUsageText(b.example()))
	}
	at, err := b.parseWhen(date, clock)
	if err != nil {
		return b.refused(u, "schedule", err)
	}
	if text != "" {
		return b.newDraft(ctx, u, text, &at)
	}
	d, err := b.ops().TimeDraft(ctx, actor(u), at)
	if err != nil {
		return b.refused(u, "set draft time", err)
	}
	b.adminLog(u).Info("announcement draft timed", slog.Int64("announcement_id", d.ID), slog.Time("run_at", at))
	return b.preview(d, nil)
}

// parseWhen reads /schedule's date and time of day, in either order, in the admin
// layer's grammar (admin.ParseWhen). Both are needed: a date alone would be its
// midnight, which nobody means.
func (b *Bot) parseWhen(date, clock string) (time.Time, error) {
	if clock == "" {
		_, _, err := admin.ParseClock(clock)
		return time.Time{}, err
	}
	return admin.ParseWhen(date+" "+clock, b.location())
}

// confirmTyped is "Gửi ngay" or "Xác nhận" typed: /xacnhan <id> schedules the draft at
// its proposed time, or now when it has none.
func (b *Bot) confirmTyped(ctx context.Context, u Update, r request) Response {
	id, err := admin.ParseID(r.args)
	if err != nil {
		return reply(confirmUsageText)
	}
	a, err := b.ops().ConfirmDraft(ctx, actor(u), id, nil)
	var fe *admin.FieldError
	switch {
	case errors.As(err, &fe) && fe.Code == admin.CodePast:
		return reply(admin.Message(err) + " " + rescheduleHint)
	case err != nil:
		return b.refused(u, "confirm draft", err)
	}
	b.adminLog(u).Info("announcement confirmed", slog.Int64("announcement_id", id), slog.Time("run_at", *a.NextRunAt))
	if !a.NextRunAt.After(b.now()) {
		return reply(sentNowText(id))
	}
	return reply(scheduledText(id, b.longWhen(*a.NextRunAt)))
}

// discardTyped is "Huỷ" typed: /huy <id>.
func (b *Bot) discardTyped(ctx context.Context, u Update, r request) Response {
	id, err := admin.ParseID(r.args)
	if err != nil {
		return reply(discardUsageText)
	}
	if err := b.ops().DiscardDraft(ctx, actor(u), id); err != nil {
		return b.refused(u, "discard draft", err)
	}
	b.adminLog(u).Info("announcement draft discarded", slog.Int64("announcement_id", id))
	return reply(discardedText(id))
}

// scheduled lists the scheduled announcements, by id.
func (b *Bot) scheduled(ctx context.Context, u Update, _ request) Response {
	as, err := b.Store.Announcements(ctx, false)
	if err != nil {
		return b.failed(u, "list announcements", err)
	}
	if len(as) == 0 {
		return reply(noScheduledText)
	}
	shown := as[:min(len(as), scheduledMax)]
	lines := make([]string, len(shown))
	for i, a := range shown {
		next := noNextRunText
		if a.NextRunAt != nil {
			next = b.listTime(*a.NextRunAt)
		}
		lines[i] = scheduledLine(a.ID, next, b.describeSchedule(ctx, u, a), audienceText(a.Topic, a.Channel),
			excerpt(broadcast.PlainMarkup(a.Body)))
	}
	return reply(scheduledListText(lines, len(as), len(as)-len(shown)))
}

// describeSchedule says when an announcement runs, in words.
func (b *Bot) describeSchedule(ctx context.Context, u Update, a store.Announcement) string {
	switch a.Schedule {
	case store.ScheduleCron:
		return scheduleCronText(a.Cron)
	case store.ScheduleEvent:
		if a.EventID == nil {
			return scheduleEventText("?", a.EventTime)
		}
		name := eventNumberText(*a.EventID)
		ev, err := b.Store.Event(ctx, *a.EventID)
		switch {
		case err == nil:
			name = "“" + ev.Title + "”"
		case !isNotFound(err):
			// The list is still worth showing with the event's number.
			b.chatLog(u).Warn("event of an announcement", slog.Int64("event_id", *a.EventID),
				slog.String("error", err.Error()))
		}
		return scheduleEventText(name, a.EventTime)
	}
	return scheduleOnceText
}

// cancel stops an announcement's future runs and its broadcasts' pending deliveries;
// a draft is simply dropped.
func (b *Bot) cancel(ctx context.Context, u Update, r request) Response {
	id, err := admin.ParseID(r.args)
	if err != nil {
		return reply(cancelUsageText)
	}
	c, err := b.ops().CancelAnnouncement(ctx, actor(u), id)
	switch {
	case err != nil:
		return b.refused(u, "cancel announcement", err)
	case c.WasDraft:
		b.adminLog(u).Info("announcement draft discarded", slog.Int64("announcement_id", id))
		return reply(discardedText(id))
	}
	b.adminLog(u).Info("announcement cancelled", slog.Int64("announcement_id", id), slog.Int64("stopped", c.Stopped))
	return reply(cancelledText(id, c.WasDone, c.Stopped))
}

// excerpt is s on one line, at most excerptRunes characters.
func excerpt(s string) string { return shorten(s, excerptRunes) }

// shorten is s on one line, at most n characters.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return emptyExcerptText
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + excerptEllipsis
}

// longWhen writes a time for a sentence, in the bot's zone: "07:00, thứ Tư, ngày 5/6/2024".
func (b *Bot) longWhen(t time.Time) string { return calendar.LongTime(t.In(b.location())) }

// listTime writes a time in a list: "05/06/2024 07:00".
func (b *Bot) listTime(t time.Time) string {
	return t.In(b.location()).Format(listTimeLayout)
}

// example is a date and time to copy in help texts: tomorrow at 07:00.
func (b *Bot) example() string {
	d := calendar.DateIn(b.now(), b.location()).AddDays(1)
	return time.Date(d.Year, d.Month, d.Day, 7, 0, 0, 0, b.location()).Format(listTimeLayout)
}
