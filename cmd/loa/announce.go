package main

import (
	"fmt"
	"strings"
	"time"

	"loa/admin"
	"loa/chat"
	"loa/store"
)

func (e env) announce(args []string) error {
	fs := newFlags("announce")
	text := fs.String("text", "", "the announcement (simple formatting: *bold*, _italic_, [text](https://link))")
	at := fs.String("at", "", `local date and time, "2024-06-05 07:00", "5/6/2024 07:00" or "5/6/2024 7h30" (default: now)`)
	cronExpr := fs.String("cron", "", `recurring, a cron expression in LOA_TIMEZONE, e.g. "0 7 5 6 *"`)
	event := fs.Int64("event", 0, "calendar event id: a greeting sent every year on its day")
	eventTime := fs.String("time", admin.DefaultEventTime, "with --event: the time of day")
	topic := fs.String("topic", store.TopicAnnouncements, `audience: the topic's subscribers ("all": every subscriber, even those who muted announcements)`)
	channel := fs.String("channel", "", "audience: only telegram or only zalo (default both)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	ann := admin.Announcement{Text: *text, Topic: *topic, Channel: *channel,
		When: admin.When{Cron: *cronExpr, EventID: *event, EventTime: *eventTime}}
	if *at != "" {
		if ann.When.At, err = admin.ParseWhen(*at, s.cfg.Location); err != nil {
			return fail("announce", "", err)
		}
	}
	a, err := s.ops.Schedule(e.ctx, e.actor(), ann)
	if err != nil {
		return fail("announce", "", err)
	}
	when := "now (the running service sends it within seconds)"
	if a.NextRunAt.After(time.Now().Add(time.Second)) {
		when = a.NextRunAt.In(s.cfg.Location).Format("2006-01-02 15:04 MST")
	}
	_, err = fmt.Fprintf(e.stdout, "announcement %d scheduled: %s; first run %s; audience: topic %s%s\n",
		a.ID, describe(a), when, a.Topic, channelSuffix(a.Channel))
	return err
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

func channelSuffix(ch chat.Channel) string {
	if ch == "" {
		return ""
	}
	return ", " + string(ch) + " only"
}

// announcementJSON is an announcement as `announcements list --json` prints it.
type announcementJSON struct {
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

func (e env) announcementsList(args []string) error {
	fs := newFlags("announcements list")
	all := fs.Bool("all", false, "include finished and cancelled announcements")
	asJSON, err := jsonFlag(fs, args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	as, err := s.st.Announcements(e.ctx, *all)
	if err != nil {
		return err
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	counts, err := s.st.AnnouncementRunsOf(e.ctx, ids)
	if err != nil {
		return err
	}
	out := make([]announcementJSON, len(as))
	for i, a := range as {
		runs := counts[a.ID]
		out[i] = announcementJSON{ID: a.ID, Text: a.Body, Topic: a.Topic, Channel: a.Channel, Schedule: a.Schedule,
			Cron: a.Cron, EventID: a.EventID, EventTime: a.EventTime, NextRun: a.NextRunAt, Status: a.Status,
			CreatedBy: a.CreatedBy, Sent: runs.Sent, Missed: runs.Missed, Version: a.Version}
	}
	return show(e, asJSON, out, "no scheduled announcements; schedule one with: loa announce --text T",
		"ID\tSTATUS\tSCHEDULE\tNEXT RUN\tSENT\tMISSED\tAUDIENCE\tTEXT", func(a announcementJSON) []any {
			next := "-"
			if a.NextRun != nil {
				next = a.NextRun.In(s.cfg.Location).Format("2006-01-02 15:04")
			}
			sched := describe(store.Announcement{Schedule: a.Schedule, Cron: a.Cron, EventID: a.EventID, EventTime: a.EventTime})
			return []any{a.ID, a.Status, sched, next, a.Sent, a.Missed, a.Topic + channelSuffix(a.Channel),
				clip(strings.Join(strings.Fields(a.Text), " "), 50)}
		})
}

var announcementsCancel = idCommand("announcements cancel", "announcement", func(e env, s *session, id int64) (string, error) {
	c, err := s.ops.CancelAnnouncement(e.ctx, e.actor(), id)
	return fmt.Sprintf("announcement %d cancelled; %d pending deliveries stopped", id, c.Stopped), err
})
