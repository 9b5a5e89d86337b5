package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"loa/calendar"
	"loa/config"
	"loa/scheduler"
	"loa/store"
)

// actor names who runs a command in the audit log: the operating system user.
func (e env) actor() string {
	u := e.getenv("USER")
	if u == "" {
		u = "unknown"
	}
	return "cli:" + u
}

// maxAnnouncement bounds an announcement's text (the store's limit too).
const maxAnnouncement = 8000

func (e env) announce(args []string) error {
	fs := flag.NewFlagSet("announce", flag.ContinueOnError)
	text := fs.String("text", "", "the announcement (simple formatting: *bold*, _italic_, [text](https://link))")
	at := fs.String("at", "", `local date and time, "2024-06-05 07:00" or "5/6/2024 07:00" (default: now)`)
	cronExpr := fs.String("cron", "", `recurring, a cron expression in LOA_TIMEZONE, e.g. "0 7 5 6 *"`)
	event := fs.Int64("event", 0, "calendar event id: a greeting sent every year on its day")
	eventTime := fs.String("time", "07:00", "with --event: the time of day")
	topic := fs.String("topic", store.TopicAnnouncements, `audience: the topic's subscribers ("all": every subscriber, even those who muted announcements)`)
	channel := fs.String("channel", "", "audience: only telegram or only zalo (default both)")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	body := strings.TrimSpace(*text)
	switch {
	case body == "":
		return usagef("announce needs --text")
	case !utf8.ValidString(body):
		return usagef("announce: --text is not valid UTF-8")
	case utf8.RuneCountInString(body) > maxAnnouncement:
		return usagef("announce: --text is %d characters; at most %d", utf8.RuneCountInString(body), maxAnnouncement)
	}
	if err := checkTopic(*topic); err != nil {
		return err
	}
	if *channel != "" && *channel != "telegram" && *channel != "zalo" {
		return usagef("announce: --channel %q: want telegram or zalo", *channel)
	}
	given := 0
	for _, s := range []string{*at, *cronExpr} {
		if s != "" {
			given++
		}
	}
	if *event != 0 {
		given++
	}
	if given > 1 {
		return usagef("announce: give one of --at, --cron and --event")
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	na := store.NewAnnouncement{Body: body, Topic: *topic, Channel: *channel, Schedule: store.ScheduleOnce, NextRunAt: now}
	sched := scheduler.Schedule{Kind: store.ScheduleOnce}
	switch {
	case *at != "":
		t, err := parseLocal(*at, cfg)
		if err != nil {
			return err
		}
		if t.Before(now.Add(-time.Minute)) {
			return usagef("announce: --at %s is in the past", *at)
		}
		na.NextRunAt = t
	case *cronExpr != "":
		if _, err := scheduler.ParseCron(*cronExpr); err != nil {
			return usagef("announce: %v", err)
		}
		sched = scheduler.Schedule{Kind: store.ScheduleCron, Cron: *cronExpr}
		na.Schedule, na.Cron = store.ScheduleCron, *cronExpr
	case *event != 0:
		ev, err := st.Event(e.ctx, *event)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("announce: calendar event %d not found (see loa calendar list)", *event)
		}
		if err != nil {
			return err
		}
		sched = scheduler.Schedule{Kind: store.ScheduleEvent, Event: &ev, EventTime: *eventTime}
		na.Schedule, na.EventID, na.EventTime = store.ScheduleEvent, event, *eventTime
	}
	if na.Schedule != store.ScheduleOnce {
		first, err := scheduler.NextRun(sched, now, cfg.Location)
		if err != nil {
			return usagef("announce: %v", err)
		}
		if first == nil {
			return usagef("announce: that schedule never runs")
		}
		na.NextRunAt = *first
	}
	a, err := st.CreateAnnouncement(e.ctx, na, e.actor())
	if err != nil {
		return err
	}
	when := "now (the running service sends it within seconds)"
	if na.NextRunAt.After(now.Add(time.Second)) {
		when = na.NextRunAt.In(cfg.Location).Format("2006-01-02 15:04 MST")
	}
	fmt.Fprintf(e.stdout, "announcement %d scheduled: %s; first run %s; audience: topic %s%s\n",
		a.ID, describe(a), when, a.Topic, channelSuffix(a.Channel))
	return nil
}

// parseLocal reads a local date and time in LOA_TIMEZONE.
func parseLocal(s string, cfg config.Config) (time.Time, error) {
	s = strings.TrimSpace(s)
	datePart, timePart, _ := strings.Cut(s, " ")
	d, err := calendar.ParseDate(datePart)
	if err != nil {
		return time.Time{}, usagef("%q: want a local date and time such as \"2024-06-05 07:00\" or \"5/6/2024 07:00\"", s)
	}
	h, m := 0, 0
	if timePart = strings.TrimSpace(timePart); timePart != "" {
		t, err := time.Parse("15:04", timePart)
		if err != nil {
			return time.Time{}, usagef("%q: the time must be HH:MM", s)
		}
		h, m = t.Hour(), t.Minute()
	}
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, cfg.Location), nil
}

func describe(a store.Announcement) string {
	switch a.Schedule {
	case store.ScheduleCron:
		return "recurring (" + a.Cron + ")"
	case store.ScheduleEvent:
		return fmt.Sprintf("every year on calendar event %d at %s", *a.EventID, a.EventTime)
	}
	return "once"
}

func channelSuffix(ch string) string {
	if ch == "" {
		return ""
	}
	return ", " + ch + " only"
}

func (e env) announcements(args []string) error {
	return dispatch("announcements", args,
		sub{"list", e.announcementsList},
		sub{"cancel", e.announcementsCancel},
	)
}

// announcementJSON is an announcement as `announcements list --json` prints it.
type announcementJSON struct {
	ID        int64      `json:"id"`
	Text      string     `json:"text"`
	Topic     string     `json:"topic"`
	Channel   string     `json:"channel,omitempty"`
	Schedule  string     `json:"schedule"`
	Cron      string     `json:"cron,omitempty"`
	EventID   *int64     `json:"event_id,omitempty"`
	EventTime string     `json:"event_time,omitempty"`
	NextRun   *time.Time `json:"next_run"`
	Status    string     `json:"status"`
	CreatedBy string     `json:"created_by"`
	Sent      int        `json:"runs_sent"`
	Missed    int        `json:"runs_missed"`
}

func (e env) announcementsList(args []string) error {
	fs := flag.NewFlagSet("announcements list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	all := fs.Bool("all", false, "include finished and cancelled announcements")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := st.Announcements(e.ctx, *all)
	if err != nil {
		return err
	}
	out := make([]announcementJSON, len(as))
	for i, a := range as {
		runs, err := st.AnnouncementRuns(e.ctx, a.ID)
		if err != nil {
			return err
		}
		out[i] = announcementJSON{ID: a.ID, Text: a.Body, Topic: a.Topic, Channel: a.Channel, Schedule: a.Schedule,
			Cron: a.Cron, EventID: a.EventID, EventTime: a.EventTime, NextRun: a.NextRunAt, Status: a.Status,
			CreatedBy: a.CreatedBy, Sent: runs.Sent, Missed: runs.Missed}
	}
	if *asJSON {
		return e.printJSON(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "no scheduled announcements; schedule one with: loa announce --text T")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSCHEDULE\tNEXT RUN\tSENT\tMISSED\tAUDIENCE\tTEXT")
	for i, a := range as {
		next := "-"
		if a.NextRunAt != nil {
			next = a.NextRunAt.In(cfg.Location).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", a.ID, a.Status, describe(a), next, out[i].Sent, out[i].Missed,
			a.Topic+channelSuffix(a.Channel), clip(strings.Join(strings.Fields(a.Body), " "), 50))
	}
	return tw.Flush()
}

func (e env) announcementsCancel(args []string) error {
	id, err := positiveID("announcements cancel", "announcement", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	stopped, err := st.CancelAnnouncement(e.ctx, id, e.actor())
	if err != nil {
		return notFoundHint(err, "announcements")
	}
	fmt.Fprintf(e.stdout, "announcement %d cancelled; %d pending deliveries stopped\n", id, stopped)
	return nil
}

// positiveID parses the single ID argument of a command.
func positiveID(cmd, what string, args []string) (int64, error) {
	pos, err := parseArgs(flag.NewFlagSet(cmd, flag.ContinueOnError), args, "ID")
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not a%s %s id", cmd, pos[0], article(what), what)
	}
	return id, nil
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

func (e env) admins(args []string) error {
	return dispatch("admins", args,
		sub{"add", func(a []string) error { return e.adminsChange("add", a) }},
		sub{"remove", func(a []string) error { return e.adminsChange("remove", a) }},
		sub{"list", e.adminsList},
	)
}

// adminsChange adds or removes an admin kept in the database.
func (e env) adminsChange(op string, args []string) error {
	fs := flag.NewFlagSet("admins "+op, flag.ContinueOnError)
	name := fs.String("name", "", "who this is (for the list)")
	pos, err := parseArgs(fs, args, "CHANNEL", "USER_ID")
	if err != nil {
		return err
	}
	ch, uid := pos[0], strings.TrimSpace(pos[1])
	if ch != "telegram" && ch != "zalo" {
		return usagef("admins %s: channel %q: want telegram or zalo", op, ch)
	}
	if _, err := strconv.ParseInt(uid, 10, 64); ch == "telegram" && err != nil {
		return usagef("admins %s: a Telegram user id is a number, got %q", op, uid)
	}
	if uid == "" || len(uid) > 64 {
		return usagef("admins %s: user id must be 1 to 64 characters", op)
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if op == "add" {
		if _, err := st.As(store.ActorOf(e.actor())).AddAdmin(e.ctx, store.Admin{Channel: ch, UserID: uid, Name: *name}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s user %s is now an admin\n", ch, uid)
		return nil
	}
	if err := st.As(store.ActorOf(e.actor())).RemoveAdmin(e.ctx, ch, uid); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s user %s is not an admin in the database (admins in LOA_ADMINS are removed there)", ch, uid)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "%s user %s is no longer an admin\n", ch, uid)
	return nil
}

// adminsList prints the admins of LOA_ADMINS and of the database.
func (e env) adminsList(args []string) error {
	asJSON, err := listFlags("admins list", args)
	if err != nil {
		return err
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := st.Admins(e.ctx)
	if err != nil {
		return err
	}
	type row struct {
		Channel string `json:"channel"`
		UserID  string `json:"user_id"`
		Name    string `json:"name,omitempty"`
		Source  string `json:"source"`
	}
	var out []row
	for _, id := range cfg.Admins {
		out = append(out, row{"telegram", strconv.FormatInt(id, 10), "", "LOA_ADMINS"})
	}
	for _, a := range as {
		out = append(out, row{a.Channel, a.UserID, a.Name, "database"})
	}
	if asJSON {
		if out == nil {
			out = []row{}
		}
		return e.printJSON(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "no admins; set LOA_ADMINS or run: loa admins add telegram USER_ID")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tUSER ID\tNAME\tSOURCE")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Channel, r.UserID, orDash(r.Name), r.Source)
	}
	return tw.Flush()
}

func (e env) audit(args []string) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 100, "how many entries, newest first")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *limit <= 0 {
		return usagef("audit: --limit must be above 0")
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	es, err := st.AuditLog(e.ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			At     time.Time `json:"at"`
			Actor  string    `json:"actor"`
			Action string    `json:"action"`
			Target string    `json:"target"`
			Detail string    `json:"detail,omitempty"`
		}
		out := make([]row, len(es))
		for i, x := range es {
			out[i] = row{x.At, x.Actor, x.Action, x.Target, x.Detail}
		}
		return e.printJSON(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHO\tACTION\tTARGET\tDETAIL")
	for _, x := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.At.In(cfg.Location).Format("2006-01-02 15:04:05"), x.Actor, x.Action, x.Target, x.Detail)
	}
	return tw.Flush()
}

func (e env) broadcastsCancel(args []string) error {
	id, err := positiveID("broadcasts cancel", "broadcast", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	stopped, err := st.CancelBroadcast(e.ctx, id, e.actor())
	if err != nil {
		return notFoundHint(err, "broadcasts")
	}
	fmt.Fprintf(e.stdout, "broadcast %d cancelled; %d pending deliveries stopped\n", id, stopped)
	return nil
}
