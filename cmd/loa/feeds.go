package main

import (
	"flag"
	"fmt"
	"os"

	"loa/admin"
	"loa/feeds"
)

func (e env) feedsAdd(args []string) error {
	fs := newFlags("feeds add")
	topic := fs.String("topic", admin.DefaultFeedTopic, "topic members subscribe to")
	interval := fs.String("interval", admin.DefaultFeedInterval.String(), "poll interval (at least 1s)")
	pos, err := parseArgs(fs, args, "URL")
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	added, err := s.ops.AddFeed(e.ctx, e.actor(), pos[0], *topic, *interval)
	if err != nil {
		return fail("feeds add", "feed not added", err)
	}
	f := added.Feed
	if added.PrimeErr != nil {
		fmt.Fprintf(e.stderr, "loa: feed %d added, but recording its current items failed (the first poll will): %v\n", f.ID, added.PrimeErr)
	}
	fmt.Fprintf(e.stdout, "added feed %d: %s\n  url: %s\n  topic: %s, every %s\n  %d items recorded as seen, %d announced\n",
		f.ID, orDash(f.Title), feeds.RedactURL(f.URL), f.Topic, f.Interval, added.Recorded, added.Announced)
	return nil
}

// feedJSON is a feed as `feeds list --json` prints it.
type feedJSON = admin.FeedView

func (e env) feedsList(args []string) error {
	asJSON, err := jsonFlag(newFlags("feeds list"), args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	out, err := s.ops.Feeds(e.ctx)
	if err != nil {
		return err
	}
	return show(e, asJSON, out, "no feeds; add one with: loa feeds add URL",
		"ID\tTOPIC\tINTERVAL\tENABLED\tLAST POLL\tFAILURES\tTITLE\tURL\tLAST ERROR", func(f feedJSON) []any {
			last := "never"
			if f.LastPolledAt != nil {
				last = f.LastPolledAt.In(s.cfg.Location).Format("2006-01-02 15:04:05")
			}
			return []any{f.ID, f.Topic, f.Interval, yesNo(f.Enabled), last, f.ConsecutiveFailures, orDash(f.Title),
				f.URL, orDash(f.LastError)}
		})
}

func (e env) feedsEdit(args []string) error {
	fs := newFlags("feeds edit")
	topic := fs.String("topic", "", "topic members subscribe to")
	interval := fs.String("interval", "", "poll interval (at least 1s)")
	id, err := idArgs(fs, args, "feed")
	if err != nil {
		return err
	}
	var c admin.FeedChange
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "topic":
			c.Topic = topic
		case "interval":
			c.Interval = interval
		}
	})
	if c.Topic == nil && c.Interval == nil {
		return usagef("feeds edit: nothing to change; give --topic or --interval")
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	f, err := s.ops.EditFeed(e.ctx, e.actor(), id, 0, c)
	if err != nil {
		return fail("feeds edit", "feed not changed", err)
	}
	_, err = fmt.Fprintf(e.stdout, "changed feed %d: topic %s, every %s\n", f.ID, f.Topic, f.Interval)
	return err
}

var (
	feedsRemove = idCommand("feeds remove", "feed", func(e env, s *session, id int64) (string, error) {
		return fmt.Sprintf("removed feed %d", id), s.ops.RemoveFeed(e.ctx, e.actor(), id)
	})
	feedsEnable = idCommand("feeds enable", "feed", func(e env, s *session, id int64) (string, error) {
		_, err := s.ops.EnableFeed(e.ctx, e.actor(), id)
		return fmt.Sprintf("enabled feed %d; it is polled on the next tick", id), err
	})
	feedsDisable = idCommand("feeds disable", "feed", func(e env, s *session, id int64) (string, error) {
		_, err := s.ops.DisableFeed(e.ctx, e.actor(), id)
		return fmt.Sprintf("disabled feed %d; loa feeds enable %d brings it back", id, id), err
	})
)

func (e env) feedsImport(args []string) error {
	fs := newFlags("feeds import")
	interval := fs.String("interval", admin.DefaultFeedInterval.String(), "poll interval for the imported feeds")
	pos, err := parseArgs(fs, args, "FILE.opml")
	if err != nil {
		return err
	}
	if _, err := admin.ParseInterval(*interval); err != nil {
		return fail("feeds import", "", err)
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer file.Close()
	s, err := e.open()
	if err != nil {
		return err
	}
	got, err := s.ops.ImportFeeds(e.ctx, e.actor(), file, pos[0], *interval)
	if err != nil {
		return fail("feeds import", "", err)
	}
	for _, f := range got.Added {
		fmt.Fprintf(e.stdout, "added feed %d: %s (%s)\n", f.ID, feeds.RedactURL(f.URL), f.Topic)
	}
	for _, u := range got.Skipped {
		fmt.Fprintf(e.stdout, "skipped %s: already configured\n", feeds.RedactURL(u))
	}
	_, err = fmt.Fprintf(e.stdout, "imported %d feeds, skipped %d; each is checked on its first poll (see loa feeds list)\n",
		len(got.Added), len(got.Skipped))
	return err
}

func (e env) feedsExport(args []string) error {
	if _, err := parseArgs(newFlags("feeds export"), args); err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	list, err := s.st.Feeds(e.ctx)
	if err != nil {
		return err
	}
	// The stored URLs, credentials included: the OPML must import back.
	outlines := make([]feeds.Outline, len(list))
	for i, f := range list {
		outlines[i] = feeds.Outline{URL: f.URL, Title: f.Title, Topic: f.Topic}
	}
	return feeds.WriteOPML(e.stdout, "loa feeds", outlines)
}
