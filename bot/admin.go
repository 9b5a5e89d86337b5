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
//	/stats, /broadcast [id]                  the reports
//
// A draft is its author's until confirmed: another admin can neither send, time nor
// drop it (the store refuses with a NotAuthorError and the bot says whose it is), so no
// one puts out a text its author is still correcting.
//
// One admin has one open draft: a new one drops their earlier drafts, so a stale
// preview's "Gửi ngay" cannot send a text the admin has since corrected (it answers
// "already handled"), and /schedule without text always means the draft just shown.
//
// Who may run them and how they are asked for is the command table's (commands.go):
// in a group they answer only when addressed to the bot by name ("/stats@loa_bot"),
// since "/stats" alone may be meant for another bot (a bot without a username, as on
// Zalo, takes every command as its own); anyone but a loa admin is refused, and the
// attempt logged (user and chat, never the text).

// Bounds of the admins' commands.
const (
	// maxAnnouncementRunes bounds an announcement's text, as the CLI does.
	maxAnnouncementRunes = 8000
	// scheduledMax is how many announcements /scheduled lists; the rest are counted.
	scheduledMax = 20
	// recentBroadcasts is how many broadcasts /broadcast lists without a number.
	recentBroadcasts = 5
	// excerptRunes bounds the excerpts of texts in lists.
	excerptRunes = 80
	// reasonRunes bounds a delivery's error as recorded, shown when it has no name.
	reasonRunes = 160
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
	clockLayout    = "15:04"
)

// actor names the admin in the audit log: "telegram:1001".
func actor(u Update) string { return u.Channel + ":" + u.From.ID }

// adminLog is the logger for an admin's action.
func (b *Bot) adminLog(u Update) *slog.Logger {
	return b.chatLog(u).With(slog.String("user_id", u.From.ID))
}

// announce stores a draft to send now and shows its preview.
func (b *Bot) announce(ctx context.Context, u Update, r request) Response {
	body := r.args
	if body == "" {
		return reply(announceUsageText)
	}
	if problem := checkBody(body); problem != "" {
		return reply(problem)
	}
	return b.newDraft(ctx, u, body, nil)
}

// checkBody returns what is wrong with an announcement's text, or "".
func checkBody(body string) string {
	switch {
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		return invalidTextText
	case strings.TrimSpace(broadcast.PlainMarkup(body)) == "":
		return announceUsageText
	case utf8.RuneCountInString(body) > maxAnnouncementRunes:
		return tooLongText(utf8.RuneCountInString(body), maxAnnouncementRunes)
	}
	return ""
}

// newDraft drops the admin's earlier drafts, stores the new one and shows its preview.
func (b *Bot) newDraft(ctx context.Context, u Update, body string, runAt *time.Time) Response {
	dropped, err := b.dropDrafts(ctx, actor(u))
	if err != nil {
		return b.failed(u, "drop earlier drafts", err)
	}
	a, err := b.Store.CreateDraft(ctx, body, actor(u), runAt)
	if err != nil {
		return b.failed(u, "create draft", err)
	}
	b.adminLog(u).Info("announcement draft created", slog.Int64("announcement_id", a.ID),
		slog.Bool("scheduled", runAt != nil))
	return b.preview(a, dropped)
}

// dropDrafts discards the admin's open drafts and returns their ids, oldest first.
func (b *Bot) dropDrafts(ctx context.Context, who string) ([]int64, error) {
	return b.Store.DiscardDrafts(ctx, who)
}

// preview shows a draft as members will see it, with what to do next: buttons where
// there are buttons, else the commands to type.
func (b *Bot) preview(a store.Announcement, dropped []int64) Response {
	caps := b.Capabilities
	content := &broadcast.Content{Kind: "announcement", Topic: a.Topic, Summary: a.Body}
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
		sec, okT := parseID(parts[2])
		if !okT {
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
	id, ok = parseID(parts[1])
	if !ok || adminData(action, id) != adminPrefix+action+":"+parts[1] {
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
	switch action {
	case actSend:
		err := b.confirm(ctx, u, id, b.now())
		switch {
		case errors.Is(err, store.ErrNotDraft):
			return Response{CallbackText: draftHandledToast}
		case b.othersDraft(u, id, err):
			return Response{CallbackText: otherAdminDraftToast}
		case err != nil:
			return b.failed(u, "confirm draft", err)
		}
		return done(sentNowToast, sentNowText(id), nil)
	case actConfirm:
		if !at.After(b.now()) {
			return Response{CallbackText: pastButtonToast}
		}
		err := b.confirm(ctx, u, id, at)
		switch {
		case errors.Is(err, store.ErrNotDraft):
			return Response{CallbackText: draftHandledToast}
		case b.othersDraft(u, id, err):
			return Response{CallbackText: otherAdminDraftToast}
		case err != nil:
			return b.failed(u, "confirm draft", err)
		}
		return done(scheduledToast, scheduledText(id, b.longWhen(at)), nil)
	case actDrop:
		err := b.discard(ctx, u, id)
		switch {
		case errors.Is(err, store.ErrNotDraft):
			return Response{CallbackText: draftHandledToast}
		case b.othersDraft(u, id, err):
			return Response{CallbackText: otherAdminDraftToast}
		case err != nil:
			return b.failed(u, "discard draft", err)
		}
		return done(discardedToast, discardedText(id), nil)
	default: // actTime: /schedule without text sets the time of the admin's latest draft
		a, err := b.Store.Announcement(ctx, id)
		switch {
		case isNotFound(err) || (err == nil && a.Status != "draft"):
			return Response{CallbackText: draftHandledToast}
		case err != nil:
			return b.failed(u, "show draft", err)
		case a.CreatedBy != actor(u): // nothing changes here: the store's rule, read early
			b.othersDraft(u, id, &store.NotAuthorError{ID: id, Author: a.CreatedBy})
			return Response{CallbackText: otherAdminDraftToast}
		}
		return done(timeHelpToast, timeHelpText(id, b.example()), sendButtons(id, false))
	}
}

// othersDraft reports whether err refused a change to another admin's draft, and logs
// the attempt.
func (b *Bot) othersDraft(u Update, id int64, err error) bool {
	var na *store.NotAuthorError
	if !errors.As(err, &na) {
		return false
	}
	b.adminLog(u).Warn("draft refused: another admin's draft", slog.Int64("announcement_id", id),
		slog.String("author", na.Author))
	return true
}

// confirm schedules a draft at runAt; store.ErrNotDraft when it is not a draft any more,
// a *store.NotAuthorError when it is another admin's.
func (b *Bot) confirm(ctx context.Context, u Update, id int64, runAt time.Time) error {
	if _, err := b.Store.ConfirmDraft(ctx, id, runAt, actor(u)); err != nil {
		return err
	}
	b.adminLog(u).Info("announcement confirmed", slog.Int64("announcement_id", id),
		slog.Time("run_at", runAt))
	return nil
}

// discard drops a draft; store.ErrNotDraft when it is not a draft any more, a
// *store.NotAuthorError when it is another admin's.
func (b *Bot) discard(ctx context.Context, u Update, id int64) error {
	if err := b.Store.DiscardDraft(ctx, id, actor(u)); err != nil {
		return err
	}
	b.adminLog(u).Info("announcement draft discarded", slog.Int64("announcement_id", id))
	return nil
}

// schedule gives a time to a new draft (with text) or to the admin's latest draft.
func (b *Bot) schedule(ctx context.Context, u Update, r request) Response {
	first, rest := nextField(r.args)
	second, rest := nextField(rest)
	if first == "" {
		return reply(scheduleUsageText(b.example()))
	}
	at, ok := b.parseWhen(first, second)
	if !ok {
		return reply(badWhenText(b.example()))
	}
	if now := b.now(); !at.After(now) {
		return reply(pastTimeText(b.longWhen(at), b.longWhen(now)))
	}
	if rest != "" {
		if problem := checkBody(rest); problem != "" {
			return reply(problem)
		}
		return b.newDraft(ctx, u, rest, &at)
	}
	d, err := b.Store.LatestDraft(ctx, actor(u))
	switch {
	case isNotFound(err):
		return reply(noDraftText)
	case err != nil:
		return b.failed(u, "latest draft", err)
	}
	a, err := b.Store.SetDraftTime(ctx, d.ID, at, actor(u))
	switch {
	case errors.Is(err, store.ErrNotDraft):
		return reply(draftHandledText(d.ID))
	case b.othersDraft(u, d.ID, err): // LatestDraft is the admin's own: cannot happen
		return reply(otherAdminDraftText(d.ID))
	case err != nil:
		return b.failed(u, "set draft time", err)
	}
	b.adminLog(u).Info("announcement draft timed", slog.Int64("announcement_id", a.ID), slog.Time("run_at", at))
	return b.preview(a, nil)
}

// parseWhen reads a local date and time of day, in either order: "5/6/2024 07:00",
// "05/06/2024 7h30", "2024-06-05 07:00".
func (b *Bot) parseWhen(date, clock string) (time.Time, bool) {
	d, err := calendar.ParseDate(date)
	h, m, ok := parseClock(clock)
	if err != nil || !ok {
		if d, err = calendar.ParseDate(clock); err != nil {
			return time.Time{}, false
		}
		if h, m, ok = parseClock(date); !ok {
			return time.Time{}, false
		}
	}
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, b.location()), true
}

// parseClock reads a time of day: "07:00", "7:00", "7h30", "7h" (as it is often
// written in Vietnam).
func parseClock(s string) (hour, minute int, ok bool) {
	hs, ms, found := strings.Cut(strings.ToLower(s), ":")
	if !found {
		if hs, ms, found = strings.Cut(strings.ToLower(s), "h"); !found {
			return 0, 0, false
		}
		if ms == "" {
			ms = "00"
		}
	}
	if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !allDigits(hs) || !allDigits(ms) {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(hs)
	minute, _ = strconv.Atoi(ms)
	return hour, minute, hour < 24 && minute < 60
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// confirmTyped is "Gửi ngay" or "Xác nhận" typed: /xacnhan <id> schedules the draft at
// its proposed time, or now when it has none.
func (b *Bot) confirmTyped(ctx context.Context, u Update, r request) Response {
	id, ok := parseID(r.args)
	if !ok {
		return reply(confirmUsageText)
	}
	a, err := b.Store.Announcement(ctx, id)
	switch {
	case isNotFound(err):
		return reply(draftNotFoundText(id))
	case err != nil:
		return b.failed(u, "confirm draft", err)
	case a.Status != "draft":
		return reply(draftHandledText(id))
	}
	now := b.now()
	runAt := now
	if a.NextRunAt != nil {
		if runAt = *a.NextRunAt; !runAt.After(now) {
			return reply(pastDraftText(id, b.longWhen(runAt)))
		}
	}
	err = b.confirm(ctx, u, id, runAt)
	switch {
	case errors.Is(err, store.ErrNotDraft):
		return reply(draftHandledText(id))
	case b.othersDraft(u, id, err):
		return reply(otherAdminDraftText(id))
	case err != nil:
		return b.failed(u, "confirm draft", err)
	case a.NextRunAt == nil:
		return reply(sentNowText(id))
	}
	return reply(scheduledText(id, b.longWhen(runAt)))
}

// discardTyped is "Huỷ" typed: /huy <id>.
func (b *Bot) discardTyped(ctx context.Context, u Update, r request) Response {
	id, ok := parseID(r.args)
	if !ok {
		return reply(discardUsageText)
	}
	err := b.discard(ctx, u, id)
	switch {
	case errors.Is(err, store.ErrNotDraft):
		// Never a draft, or not one any more: say which.
		if _, err := b.Store.Announcement(ctx, id); isNotFound(err) {
			return reply(draftNotFoundText(id))
		} else if err != nil {
			return b.failed(u, "discard draft", err)
		}
		return reply(draftHandledText(id))
	case b.othersDraft(u, id, err):
		return reply(otherAdminDraftText(id))
	case err != nil:
		return b.failed(u, "discard draft", err)
	}
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
		lines[i] = scheduledLine(a.ID, next, b.describeSchedule(ctx, u, a), audienceText(a.Topic, string(a.Channel)),
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
	id, ok := parseID(r.args)
	if !ok {
		return reply(cancelUsageText)
	}
	a, err := b.Store.Announcement(ctx, id)
	switch {
	case isNotFound(err):
		return reply(cancelNotFoundText(id))
	case err != nil:
		return b.failed(u, "cancel announcement", err)
	case a.Status == "cancelled":
		return reply(alreadyCancelledText(id))
	case a.Status == store.AnnouncementDiscarded: // a dropped draft: never an announcement
		return reply(cancelNotFoundText(id))
	case a.Status == "draft":
		return b.discardTyped(ctx, u, r)
	}
	stopped, err := b.Store.CancelAnnouncement(ctx, id, actor(u))
	if errors.Is(err, store.ErrAlreadyCancelled) { // a cancellation that raced with ours
		return reply(alreadyCancelledText(id))
	}
	if err != nil {
		return b.failed(u, "cancel announcement", err)
	}
	b.adminLog(u).Info("announcement cancelled", slog.Int64("announcement_id", id), slog.Int64("stopped", stopped))
	return reply(cancelledText(id, a.Status == "done", stopped))
}

// stats shows the subscribers by channel and status, and this week's activity.
func (b *Bot) stats(ctx context.Context, u Update, _ request) Response {
	counts, err := b.Store.SubscriberStats(ctx)
	if err != nil {
		return b.failed(u, "subscriber stats", err)
	}
	monday := weekStart(b.now(), b.location())
	act, err := b.Store.ActivitySince(ctx, monday)
	if err != nil {
		return b.failed(u, "activity", err)
	}
	type tally struct {
		active, stopped, gone int
		kinds                 map[string]int
	}
	var channels []string
	by := map[string]*tally{}
	for _, c := range counts {
		t := by[string(c.Channel)]
		if t == nil {
			t = &tally{kinds: map[string]int{}}
			by[string(c.Channel)] = t
			channels = append(channels, string(c.Channel))
		}
		switch c.Status {
		case store.StatusActive:
			t.active += c.Count
			t.kinds[kindWord(string(c.Kind))] += c.Count
		case store.StatusStopped:
			t.stopped += c.Count
		default:
			t.gone += c.Count
		}
	}
	var sb strings.Builder
	sb.WriteString(statsHeader + "\n\n" + subscribersHeader)
	if len(channels) == 0 {
		sb.WriteString("\n" + noSubscribersText)
	}
	for _, ch := range channels {
		t := by[ch]
		var kinds []string
		for _, k := range []string{kindPrivateText, kindGroupText, kindChannelText} {
			if n := t.kinds[k]; n > 0 {
				kinds = append(kinds, number(n)+" "+k)
			}
		}
		sb.WriteString("\n" + statsChannelLine(ch, t.active, kinds, t.stopped, t.gone))
	}
	sb.WriteString("\n\n" + statsWeekText(longDate(calendar.DateIn(monday, b.location())),
		act.Broadcasts, act.Sent, act.Failed, act.Pending, act.Cancelled))
	return reply(sb.String())
}

// kindWord names a kind of chat in /stats: supergroups are groups to their members.
func kindWord(kind string) string {
	switch kind {
	case kindPrivate:
		return kindPrivateText
	case kindChannel:
		return kindChannelText
	}
	return kindGroupText
}

// weekStart is Monday 00:00 of now's ISO week, in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, loc)
}

// broadcast shows the progress of one broadcast, or lists the latest ones.
func (b *Bot) broadcast(ctx context.Context, u Update, r request) Response {
	if r.args == "" {
		return b.recentBroadcasts(ctx, u)
	}
	id, ok := parseID(r.args)
	if !ok {
		return reply(broadcastUsageText)
	}
	bs, fails, err := b.Store.BroadcastDetail(ctx, id)
	switch {
	case isNotFound(err):
		return reply(broadcastNotFoundText(id))
	case err != nil:
		return b.failed(u, "broadcast detail", err)
	}
	var sb strings.Builder
	sb.WriteString(broadcastHead(bs.ID, string(bs.Kind), b.listTime(bs.CreatedAt), announcementOf(bs.SourceKey)))
	sb.WriteString("\n" + broadcastTitle(bs.Broadcast))
	if bs.Link != "" {
		sb.WriteString("\n" + bs.Link)
	}
	sb.WriteString("\n\n" + broadcastProgress(bs.Total, bs.Sent, bs.Failed, bs.Pending, bs.Cancelled))
	if len(fails) > 0 {
		sb.WriteString("\n\n" + failuresHeader)
		for _, f := range fails {
			sb.WriteString("\n• " + number(f.Count) + " " + failureStatus(string(f.Status)) + ": " + reasonText(string(f.Reason)))
		}
	}
	return reply(sb.String())
}

// recentBroadcasts lists the newest broadcasts with their progress, so that an admin
// finds the number /broadcast wants.
func (b *Bot) recentBroadcasts(ctx context.Context, u Update) Response {
	bs, err := b.Store.BroadcastStats(ctx, recentBroadcasts)
	if err != nil {
		return b.failed(u, "broadcast stats", err)
	}
	if len(bs) == 0 {
		return reply(noBroadcastsText)
	}
	lines := make([]string, len(bs))
	for i, s := range bs {
		lines[i] = recentBroadcastLine(s.ID, string(s.Kind), b.listTime(s.CreatedAt), s.Sent, s.Total, broadcastTitle(s.Broadcast))
	}
	return reply(recentBroadcastsHead + "\n\n" + strings.Join(lines, "\n\n") + "\n\n" +
		recentBroadcastsFoot + strconv.FormatInt(bs[0].ID, 10))
}

// broadcastTitle is a broadcast's title, else an excerpt of what it says.
func broadcastTitle(bc store.Broadcast) string {
	if t := strings.Join(strings.Fields(bc.Title), " "); t != "" {
		return excerpt(t)
	}
	body := bc.Summary
	if bc.Kind == "announcement" {
		body = broadcast.PlainMarkup(body)
	}
	return excerpt(body)
}

// announcementOf returns the announcement a broadcast is a run of (source key
// "ann:<id>:<run time>"), or 0.
func announcementOf(sourceKey string) int64 {
	rest, ok := strings.CutPrefix(sourceKey, "ann:")
	if !ok {
		return 0
	}
	idText, _, _ := strings.Cut(rest, ":")
	id, _ := parseID(idText)
	return id
}

// reasonText explains why a delivery did not go out: the usual reasons in words, any
// other as recorded (shortened).
func reasonText(reason string) string {
	if name, ok := reasonNames[reason]; ok {
		return name
	}
	if why, ok := strings.CutPrefix(reason, "subscriber gone: "); ok {
		return goneReason(reasonText(why))
	}
	return shorten(reason, reasonRunes)
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

// parseID reads a positive number, "12" or "#12".
func parseID(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if s == "" || !allDigits(s) {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// longWhen writes a time for a sentence: "07:00, thứ Tư, ngày 5/6/2024".
func (b *Bot) longWhen(t time.Time) string {
	t = t.In(b.location())
	return t.Format(clockLayout) + ", " + longDate(calendar.DateIn(t, b.location()))
}

// listTime writes a time in a list: "05/06/2024 07:00".
func (b *Bot) listTime(t time.Time) string {
	return t.In(b.location()).Format(listTimeLayout)
}

// example is a date and time to copy in help texts: tomorrow at 07:00.
func (b *Bot) example() string {
	d := calendar.DateIn(b.now(), b.location()).AddDays(1)
	return time.Date(d.Year, d.Month, d.Day, 7, 0, 0, 0, b.location()).Format(listTimeLayout)
}
