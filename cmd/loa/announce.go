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
	ann := admin.Announcement{Text: value(c, "text", ""), Topic: value(c, "topic", store.TopicAnnouncements),
		Channel: value(c, "channel", ""), When: admin.When{Cron: value(c, "cron", ""),
			EventID: int64(value(c, "event", 0)), EventTime: value(c, "time", admin.DefaultEventTime)}}
	var err error
	if at := value(c, "at", ""); at != "" {
		if ann.When.At, err = admin.ParseWhen(at, c.cfg.Location); err != nil {
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
	list, err := c.ops.Announcements(c.ctx, value(c, "all", false))
	return show(c, list, err, "no scheduled announcements; schedule one with: loa announce --text T",
		"ID\tSTATUS\tSCHEDULE\tNEXT RUN\tSENT\tMISSED\tAUDIENCE\tTEXT", func(a admin.AnnouncementView) []any {
			return []any{a.ID, a.Status, describe(a.Schedule, a.Cron, a.EventID, a.EventTime), a.NextRun, a.Sent, a.Missed,
				a.Topic + channelSuffix(a.Channel), feeds.Summarize(strings.Join(strings.Fields(a.Text), " "), 50)}
		})
}

var announcementsCancel = idCommand(func(c *call, id int64) (string, error) {
	x, err := c.ops.CancelAnnouncement(c.ctx, c.actor(), id)
	return fmt.Sprintf("announcement %d cancelled; %d pending deliveries stopped", id, x.Stopped), err
})
