package main

import (
	"fmt"
	"strings"
	"time"

	"loa/admin"
	"loa/chat"
	"loa/feeds"
	"loa/store"
)

func announce(c *call) error {
	text, at, cron := c.str("text", ""), c.str("at", ""), c.str("cron", "")
	event, eventTime := c.fs.Int64("event", 0, ""), c.str("time", admin.DefaultEventTime)
	topic, channel := c.str("topic", store.TopicAnnouncements), c.str("channel", "")
	if err := c.open(); err != nil {
		return err
	}
	ann := admin.Announcement{Text: *text, Topic: *topic, Channel: *channel,
		When: admin.When{Cron: *cron, EventID: *event, EventTime: *eventTime}}
	var err error
	if *at != "" {
		if ann.When.At, err = admin.ParseWhen(*at, c.cfg.Location); err != nil {
			return c.fail("", err)
		}
	}
	a, err := c.ops.Schedule(c.ctx, c.actor(), ann)
	if err != nil {
		return c.fail("", err)
	}
	when := "now (the running service sends it within seconds)"
	if a.NextRunAt.After(time.Now().Add(time.Second)) {
		when = a.NextRunAt.In(c.cfg.Location).Format("2006-01-02 15:04 MST")
	}
	return c.say("announcement %d scheduled: %s; first run %s; audience: topic %s%s\n",
		a.ID, describe(a.Schedule, a.Cron, a.EventID, a.EventTime), when, a.Topic, channelSuffix(a.Channel))
}

// describe writes an announcement's schedule.
func describe(sched store.Schedule, cron string, eventID *int64, eventTime string) string {
	switch sched {
	case store.ScheduleCron:
		return "recurring (" + cron + ")"
	case store.ScheduleEvent:
		return fmt.Sprintf("every year on calendar event %d at %s", *eventID, eventTime)
	}
	return "once"
}

func channelSuffix(ch chat.Channel) string {
	if ch == "" {
		return ""
	}
	return ", " + string(ch) + " only"
}

func announcementsList(c *call) error {
	all := c.flag("all")
	return list(c, func() ([]admin.AnnouncementView, error) { return c.ops.Announcements(c.ctx, *all) },
		"no scheduled announcements; schedule one with: loa announce --text T",
		"ID\tSTATUS\tSCHEDULE\tNEXT RUN\tSENT\tMISSED\tAUDIENCE\tTEXT", func(a admin.AnnouncementView) []any {
			return []any{a.ID, a.Status, describe(a.Schedule, a.Cron, a.EventID, a.EventTime), a.NextRun, a.Sent, a.Missed,
				a.Topic + channelSuffix(a.Channel), feeds.Summarize(strings.Join(strings.Fields(a.Text), " "), 50)}
		})
}

var announcementsCancel = idCommand("announcement", func(c *call, id int64) (string, error) {
	x, err := c.ops.CancelAnnouncement(c.ctx, c.actor(), id)
	return fmt.Sprintf("announcement %d cancelled; %d pending deliveries stopped", id, x.Stopped), err
})
