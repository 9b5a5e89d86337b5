package main

import (
	"fmt"
	"strings"

	"loa/admin"
	"loa/feeds"
)

func subscribersList(c *call) error {
	list, err := c.ops.Subscribers(c.ctx)
	return show(c, list, err, "no subscribers yet",
		"ID\tCHANNEL\tADDRESS\tKIND\tSTATUS\tTOPICS\tTITLE", func(x admin.SubscriberView) []any {
			status := string(x.Status)
			if x.StatusReason != "" {
				status += " (" + x.StatusReason + ")"
			}
			if x.Paused != "" {
				status += ", paused (" + x.Paused + ")"
			}
			return []any{x.ID, x.Channel, x.Address, x.Kind, status, strings.Join(x.Topics, ","), feeds.Summarize(x.Title, 40)}
		})
}

func subscribersStats(c *call) error {
	counts, err := c.ops.SubscriberCounts(c.ctx)
	total := admin.CountView{Status: "total"}
	for _, x := range counts {
		total.Count += x.Count
	}
	if !value(c, "json", false) {
		counts = append(counts, total) // the table's last line
	}
	return show(c, counts, err, "", "CHANNEL\tKIND\tSTATUS\tCOUNT", func(x admin.CountView) []any {
		return []any{x.Channel, x.Kind, x.Status, x.Count}
	})
}

// subscribersResume lifts a chat's pause (the bot lost its right to post there, and an
// admin says it is back): its waiting deliveries go out.
var subscribersResume = idCommand(func(c *call, id int64) (string, error) {
	sub, err := c.ops.ResumeSubscriber(c.ctx, c.actor(), id)
	if err == nil && !sub.WasPaused {
		return fmt.Sprintf("subscriber %d (%s %s) was not paused", id, sub.Channel, sub.Address), nil
	}
	return fmt.Sprintf("subscriber %d (%s %s) resumed; its waiting deliveries go out now", id, sub.Channel, sub.Address), err
})
