package main

import (
	"fmt"

	"loa/admin"
	"loa/feeds"
)

func broadcastsList(c *call) error {
	list, err := c.ops.Broadcasts(c.ctx, 1000)
	return show(c, list, err, "no broadcasts yet",
		"ID\tSOURCE\tTOPIC\tCREATED\tTOTAL\tSENT\tFAILED\tPENDING\tTITLE", func(b admin.BroadcastView) []any {
			return []any{b.ID, b.Source, b.Topic, b.Created, b.Total, b.Sent, b.Failed, b.Pending, feeds.Summarize(b.Title, 60)}
		})
}

func broadcastsShow(c *call) error {
	b, fails, err := c.ops.Broadcast(c.ctx, c.id)
	if err != nil {
		return c.fail("", err)
	}
	c.say("broadcast %d\n  source:  %s\n  kind:    %s\n  topic:   %s\n  created: %s\n  title:   %s\n",
		b.ID, b.SourceKey, b.Kind, b.Topic, b.CreatedAt.In(c.cfg.Location).Format("2006-01-02 15:04:05"), b.Title)
	if b.Link != "" {
		c.say("  link:    %s\n", b.Link)
	}
	c.say("  deliveries: %d total, %d sent, %d failed, %d cancelled, %d pending\n",
		b.Total, b.Sent, b.Failed, b.Cancelled, b.Pending)
	for _, f := range fails {
		c.say("    %5d  %s: %s\n", f.Count, f.Status, f.Reason)
	}
	return nil
}

var broadcastsCancel = idCommand(func(c *call, id int64) (string, error) {
	stopped, err := c.ops.CancelBroadcast(c.ctx, c.actor(), id)
	return fmt.Sprintf("broadcast %d cancelled; %d pending deliveries stopped", id, stopped), err
})
