package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"loa/app"
	"loa/config"
	"loa/feeds"
	"loa/scheduler"
	"loa/store"
)

// Defaults for new feeds.
const (
	defaultTopic    = "news"
	defaultInterval = 5 * time.Minute
)

func (e env) feeds(args []string) error {
	return dispatch("feeds", args,
		sub{"add", e.feedsAdd},
		sub{"list", e.feedsList},
		sub{"remove", e.feedsRemove},
		sub{"enable", e.feedsEnable},
		sub{"import", e.feedsImport},
		sub{"export", e.feedsExport},
	)
}

// checkFeedURL accepts absolute http(s) URLs only.
func checkFeedURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usagef("%q is not an http:// or https:// URL", feeds.RedactURL(raw))
	}
	return u.String(), nil
}

// checkTopic accepts a short name of letters (Vietnamese included), digits, spaces, '-',
// '_' and '/': topics become buttons and command arguments in chat.
func checkTopic(t string) error {
	if t == "" || len([]rune(t)) > 32 || strings.TrimSpace(t) != t {
		return usagef("topic %q: want 1 to 32 characters, no leading or trailing space", t)
	}
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && !strings.ContainsRune(" -_/", r) {
			return usagef("topic %q: use letters, digits, spaces, '-', '_' and '/' only", t)
		}
	}
	return nil
}

// checkFeedTopic is checkTopic for a feed: "all" is reserved for announcements to
// every subscriber, which must not happen by accident to every article of a feed.
func checkFeedTopic(t string) error {
	if t == store.TopicAll {
		return usagef("topic %q is reserved for announcements to every subscriber; choose another", t)
	}
	return checkTopic(t)
}

// parseInterval reads a poll interval such as 90s, 5m or 1h; at least a second.
func parseInterval(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, usagef("interval %q: want a duration of at least 1s, such as 30s, 5m or 1h", s)
	}
	return d, nil
}

func newFetcher(cfg config.Config) *feeds.Fetcher {
	return feeds.NewFetcher(feeds.FetcherOptions{
		UserAgent: app.UserAgent(version),
		MaxBytes:  cfg.FeedMaxBytes,
		Timeout:   cfg.FeedTimeout,
	})
}

func (e env) feedsAdd(args []string) error {
	fs := flag.NewFlagSet("feeds add", flag.ContinueOnError)
	topic := fs.String("topic", defaultTopic, "topic members subscribe to")
	interval := fs.String("interval", defaultInterval.String(), "poll interval (at least 1s)")
	pos, err := parseArgs(fs, args, "URL")
	if err != nil {
		return err
	}
	raw, err := checkFeedURL(pos[0])
	if err != nil {
		return err
	}
	if err := checkFeedTopic(*topic); err != nil {
		return err
	}
	every, err := parseInterval(*interval)
	if err != nil {
		return err
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()

	// Fetch once: refuse what is not a feed before anything is written.
	now := time.Now()
	res, err := newFetcher(cfg).Fetch(e.ctx, feeds.Request{URL: raw}, now)
	if err != nil {
		return fmt.Errorf("feed not added: %w", err)
	}
	if res.Redirected {
		raw = res.URL
	}
	f, err := st.AddFeed(e.ctx, store.NewFeed{URL: raw, Title: res.Feed.Title, Topic: *topic, Interval: every})
	if errors.Is(err, store.ErrFeedExists) {
		return fmt.Errorf("feed not added: %s is already configured (see loa feeds list)", feeds.RedactURL(raw))
	}
	if err != nil {
		return err
	}
	// Prime it with this fetch: its items are recorded as seen (LOA_FEED_BACKLOG of them
	// announced), so the first poll only announces what appears after now.
	poller := &scheduler.Poller{Store: st, Backlog: cfg.FeedBacklog, MaxAnnounce: cfg.FeedMaxAnnounce,
		MaxPerDay: cfg.FeedMaxPerDay, Location: cfg.Location}
	out, err := poller.Record(e.ctx, f, res, now)
	if err != nil {
		// The feed is added; its first poll will prime it instead.
		fmt.Fprintf(e.stderr, "loa: feed %d added, but recording its current items failed (the first poll will): %v\n", f.ID, err)
	}
	fmt.Fprintf(e.stdout, "added feed %d: %s\n  url: %s\n  topic: %s, every %s\n  %d items recorded as seen, %d announced\n",
		f.ID, orDash(res.Feed.Title), feeds.RedactURL(raw), f.Topic, f.Interval, out.New, len(out.Broadcasts))
	return nil
}

// feedJSON is a feed as `feeds list --json` prints it: the URL redacted
// (feeds.RedactURL), like every URL loa shows; `feeds export` has the stored one.
type feedJSON struct {
	ID                  int64      `json:"id"`
	URL                 string     `json:"url"`
	Title               string     `json:"title"`
	Topic               string     `json:"topic"`
	Interval            string     `json:"interval"`
	IntervalSeconds     float64    `json:"interval_seconds"`
	Enabled             bool       `json:"enabled"`
	DisabledReason      string     `json:"disabled_reason,omitempty"`
	LastPolledAt        *time.Time `json:"last_polled_at"`
	LastSuccessAt       *time.Time `json:"last_success_at"`
	LastError           string     `json:"last_error"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	NextPollAt          time.Time  `json:"next_poll_at"`
}

func (e env) feedsList(args []string) error {
	fs := flag.NewFlagSet("feeds list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Feeds(e.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]feedJSON, len(list))
		for i, f := range list {
			out[i] = feedJSON{
				ID: f.ID, URL: feeds.RedactURL(f.URL), Title: f.Title, Topic: f.Topic,
				Interval: f.Interval.String(), IntervalSeconds: f.Interval.Seconds(),
				Enabled: f.Enabled, DisabledReason: feeds.RedactText(f.DisabledReason),
				LastPolledAt: f.LastPolledAt, LastSuccessAt: f.LastSuccessAt, LastError: feeds.RedactText(f.LastError),
				ConsecutiveFailures: f.ConsecutiveFailures, NextPollAt: f.NextPollAt,
			}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no feeds; add one with: loa feeds add URL")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTOPIC\tINTERVAL\tENABLED\tLAST POLL\tFAILURES\tTITLE\tURL\tLAST ERROR")
	for _, f := range list {
		last := "never"
		if f.LastPolledAt != nil {
			last = f.LastPolledAt.In(cfg.Location).Format("2006-01-02 15:04:05")
		}
		enabled := "yes"
		if !f.Enabled {
			enabled = "no"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", f.ID, f.Topic, f.Interval, enabled, last,
			f.ConsecutiveFailures, orDash(f.Title), feeds.RedactURL(f.URL), orDash(feeds.RedactText(f.LastError)))
	}
	return tw.Flush()
}

func (e env) feedsRemove(args []string) error {
	id, err := positiveID("feeds remove", "feed", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.As(store.ActorOf(e.actor())).RemoveFeed(e.ctx, id); err != nil {
		return notFoundHint(err, "feeds")
	}
	fmt.Fprintf(e.stdout, "removed feed %d\n", id)
	return nil
}

func (e env) feedsEnable(args []string) error {
	id, err := positiveID("feeds enable", "feed", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.As(store.ActorOf(e.actor())).EnableFeed(e.ctx, id); err != nil {
		return notFoundHint(err, "feeds")
	}
	fmt.Fprintf(e.stdout, "enabled feed %d; it is polled on the next tick\n", id)
	return nil
}

// notFoundHint points a "not found" at the list that shows the ids of its kind
// ("feeds", "broadcasts", ...); other errors pass through.
func notFoundHint(err error, list string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w (see loa %s list)", err, list)
	}
	return err
}

func (e env) feedsImport(args []string) error {
	fs := flag.NewFlagSet("feeds import", flag.ContinueOnError)
	interval := fs.String("interval", defaultInterval.String(), "poll interval for the imported feeds")
	pos, err := parseArgs(fs, args, "FILE.opml")
	if err != nil {
		return err
	}
	every, err := parseInterval(*interval)
	if err != nil {
		return err
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer file.Close()
	outlines, err := feeds.ReadOPML(file)
	if err != nil {
		return fmt.Errorf("import %s: %w", pos[0], err)
	}
	// Check every entry before writing any: a bad file changes nothing.
	nfs := make([]store.NewFeed, 0, len(outlines))
	var problems []string
	for i, o := range outlines {
		u, err := checkFeedURL(o.URL)
		if err != nil {
			problems = append(problems, fmt.Sprintf("feed %d (%s): %v", i+1, orDash(o.Title), err))
			continue
		}
		topic := o.Topic
		if topic == "" {
			topic = defaultTopic
		}
		if err := checkFeedTopic(topic); err != nil {
			problems = append(problems, fmt.Sprintf("feed %d (%s): %v", i+1, feeds.RedactURL(u), err))
			continue
		}
		nfs = append(nfs, store.NewFeed{URL: u, Title: o.Title, Topic: topic, Interval: every})
	}
	if len(problems) > 0 {
		return fmt.Errorf("import %s: nothing imported:\n  %s", pos[0], strings.Join(problems, "\n  "))
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	added, skipped, err := st.As(store.ActorOf(e.actor())).AddFeeds(e.ctx, nfs, pos[0])
	if err != nil {
		return err
	}
	for _, f := range added {
		fmt.Fprintf(e.stdout, "added feed %d: %s (%s)\n", f.ID, feeds.RedactURL(f.URL), f.Topic)
	}
	for _, u := range skipped {
		fmt.Fprintf(e.stdout, "skipped %s: already configured\n", feeds.RedactURL(u))
	}
	fmt.Fprintf(e.stdout, "imported %d feeds, skipped %d; each is checked on its first poll (see loa feeds list)\n", len(added), len(skipped))
	return nil
}

func (e env) feedsExport(args []string) error {
	pos, err := parseFlags(flag.NewFlagSet("feeds export", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if err := wantArgs("feeds export", pos); err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Feeds(e.ctx)
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

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
