package main

import (
	"fmt"
	"os"

	"loa/admin"
	"loa/feeds"
)

func feedsAdd(c *call) error {
	added, err := c.ops.AddFeed(c.ctx, c.actor(), c.pos[0], value(c, "topic", admin.DefaultFeedTopic),
		value(c, "interval", admin.DefaultFeedInterval.String()))
	f := added.Feed
	if added.PrimeErr != nil {
		fmt.Fprintf(c.stderr, "loa: feed %d added, but recording its current items failed (the first poll will): %v\n", f.ID, added.PrimeErr)
	}
	return c.done(err, "feed not added", "added feed %d: %s\n  url: %s\n  topic: %s, every %s\n  %d items recorded as seen, %d announced\n",
		f.ID, orDash(f.Title), feeds.RedactURL(f.URL), f.Topic, f.Interval, added.Recorded, added.Announced)
}

func feedsList(c *call) error {
	list, err := c.ops.Feeds(c.ctx)
	return show(c, list, err, "no feeds; add one with: loa feeds add URL",
		"ID\tTOPIC\tINTERVAL\tENABLED\tLAST POLL\tFAILURES\tTITLE\tURL\tLAST ERROR", func(f admin.FeedView) []any {
			return []any{f.ID, f.Topic, f.Interval, f.Enabled, f.LastPolledAt, f.ConsecutiveFailures, f.Title, f.URL, f.LastError}
		})
}

func feedsEdit(c *call) error {
	ch := admin.FeedChange{Topic: given[string](c, "topic"), Interval: given[string](c, "interval")}
	if ch.Topic == nil && ch.Interval == nil {
		return usagef("feeds edit: nothing to change; give --topic or --interval")
	}
	f, err := c.ops.EditFeed(c.ctx, c.actor(), c.id, 0, ch)
	return c.done(err, "feed not changed", "changed feed %d: topic %s, every %s\n", f.ID, f.Topic, f.Interval)
}

var (
	feedsRemove = idCommand(func(c *call, id int64) (string, error) {
		return fmt.Sprintf("removed feed %d", id), c.ops.RemoveFeed(c.ctx, c.actor(), id)
	})
	feedsEnable = idCommand(func(c *call, id int64) (string, error) {
		_, err := c.ops.EnableFeed(c.ctx, c.actor(), id)
		return fmt.Sprintf("enabled feed %d; it is polled on the next tick", id), err
	})
	feedsDisable = idCommand(func(c *call, id int64) (string, error) {
		_, err := c.ops.DisableFeed(c.ctx, c.actor(), id)
		return fmt.Sprintf("disabled feed %d; loa feeds enable %d brings it back", id, id), err
	})
)

func feedsImport(c *call) error {
	file, err := os.Open(c.pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer file.Close()
	got, err := c.ops.ImportFeeds(c.ctx, c.actor(), file, c.pos[0], value(c, "interval", admin.DefaultFeedInterval.String()))
	if err != nil {
		return c.fail("", err)
	}
	for _, f := range got.Added {
		c.say("added feed %d: %s (%s)\n", f.ID, feeds.RedactURL(f.URL), f.Topic)
	}
	for _, u := range got.Skipped {
		c.say("skipped %s: already configured\n", feeds.RedactURL(u))
	}
	return c.say("imported %d feeds, skipped %d; each is checked on its first poll (see loa feeds list)\n",
		len(got.Added), len(got.Skipped))
}

func feedsExport(c *call) error { return c.ops.ExportFeeds(c.ctx, c.stdout) }
