package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"loa/feeds"
	"loa/store"
)

// Defaults of new feeds.
const (
	DefaultFeedTopic    = "news"
	DefaultFeedInterval = 5 * time.Minute
)

// CheckFeedURL accepts an absolute http(s) URL and returns it normalised.
func CheckFeedURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fieldErr(FieldURL, CodeInvalid, feeds.RedactURL(raw), "is not an http:// or https:// URL")
	}
	return u.String(), nil
}

// ParseInterval reads a poll interval such as 90s, 5m or 1h ("" is
// DefaultFeedInterval); at least a second.
func ParseInterval(s string) (time.Duration, error) {
	if s == "" {
		return DefaultFeedInterval, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, fieldErr(FieldInterval, CodeInvalid, s, "want a duration of at least 1s, such as 30s, 5m or 1h")
	}
	return d, nil
}

// FeedAdded is a feed just added and primed.
type FeedAdded struct {
	Feed store.Feed
	// Recorded counts the items of the fetch recorded as seen; Announced those among
	// them announced (LOA_FEED_BACKLOG).
	Recorded, Announced int
	// PrimeErr is why recording the fetch failed: the feed is added all the same, and
	// its first poll primes it instead.
	PrimeErr error
}

// AddFeed checks that rawURL is a feed by fetching it once (a refusal says why, in a
// *FieldError with CodeNotFeed), adds it (topic "" is DefaultFeedTopic, interval as
// ParseInterval reads it) and primes it with that fetch: its items are recorded as seen,
// so its first poll announces only what appears after now.
func (o *Ops) AddFeed(ctx context.Context, a Actor, rawURL, topic, interval string) (FeedAdded, error) {
	u, err := CheckFeedURL(rawURL)
	if err != nil {
		return FeedAdded{}, err
	}
	if topic == "" {
		topic = DefaultFeedTopic
	}
	if err := CheckFeedTopic(topic); err != nil {
		return FeedAdded{}, err
	}
	every, err := ParseInterval(interval)
	if err != nil {
		return FeedAdded{}, err
	}
	if o.Poller == nil || o.Poller.Fetcher == nil {
		return FeedAdded{}, errors.New("add feed: no fetcher configured")
	}
	now := o.now()
	res, err := o.Poller.Fetcher.Fetch(ctx, feeds.Request{URL: u}, now)
	if err != nil {
		if ctx.Err() != nil {
			return FeedAdded{}, err
		}
		return FeedAdded{}, fieldErr(FieldURL, CodeNotFeed, feeds.RedactURL(u), feeds.RedactText(err.Error()))
	}
	if res.Redirected {
		u = res.URL
	}
	f, err := o.as(a).AddFeed(ctx, store.NewFeed{URL: u, Title: res.Feed.Title, Topic: topic, Interval: every})
	if errors.Is(err, store.ErrFeedExists) {
		return FeedAdded{}, &FieldError{Field: FieldURL, Code: CodeTaken, Value: feeds.RedactURL(u)}
	}
	if err != nil {
		return FeedAdded{}, err
	}
	out := FeedAdded{Feed: f}
	pr, err := o.Poller.Record(ctx, f, res, now)
	out.Recorded, out.Announced, out.PrimeErr = pr.New, len(pr.Broadcasts), err
	return out, nil
}

// RemoveFeed removes a feed and the items seen in it; its broadcasts stay.
func (o *Ops) RemoveFeed(ctx context.Context, a Actor, id int64) error {
	return objectErr(ObjFeed, id, o.as(a).RemoveFeed(ctx, id))
}

// EnableFeed polls a disabled feed again (at once), its failures forgotten.
func (o *Ops) EnableFeed(ctx context.Context, a Actor, id int64) (store.Feed, error) {
	f, err := o.as(a).EnableFeed(ctx, id)
	return f, objectErr(ObjFeed, id, err)
}

// DisableFeed stops polling a feed until EnableFeed; the feed keeps who disabled it as
// its reason.
func (o *Ops) DisableFeed(ctx context.Context, a Actor, id int64) (store.Feed, error) {
	f, err := o.as(a).DisableFeed(ctx, id, "disabled by "+a.String())
	return f, objectErr(ObjFeed, id, err)
}

// FeedChange is an edit of a feed: the fields to set (nil: left as they are).
type FeedChange struct {
	Topic *string
	// Interval is read by ParseInterval.
	Interval *string
}

// EditFeed changes a feed's topic or poll interval, from the version the admin saw (0:
// the current one).
func (o *Ops) EditFeed(ctx context.Context, a Actor, id int64, version int, c FeedChange) (store.Feed, error) {
	f, version, err := editableFeed.from(ctx, o, id, version)
	if err != nil {
		return store.Feed{}, err
	}
	topic, every := f.Topic, f.Interval
	var changed []Field
	if c.Topic != nil {
		if err := CheckFeedTopic(*c.Topic); err != nil {
			return store.Feed{}, err
		}
		if *c.Topic != topic {
			topic = *c.Topic
			changed = append(changed, FieldTopic)
		}
	}
	if c.Interval != nil {
		if every, err = ParseInterval(*c.Interval); err != nil {
			return store.Feed{}, err
		}
		if every != f.Interval {
			changed = append(changed, FieldInterval)
		}
	}
	out, err := o.as(a).UpdateFeed(ctx, id, version, topic, every, editDetail(version+1, changed))
	if ce := editableFeed.staleConflict(ctx, o, id, version, err); ce != nil {
		return store.Feed{}, ce
	}
	return out, objectErr(ObjFeed, id, err)
}

// editableFeed: feeds are edited from the version the admin saw.
var editableFeed = editable[store.Feed]{ObjFeed, (*store.Store).Feed, func(f store.Feed) int { return f.Version }}

// FeedsImported is what an OPML import did.
type FeedsImported struct {
	Added []store.Feed
	// Skipped are the URLs already configured.
	Skipped []string
}

// ImportFeeds adds every feed of an OPML file (feeds.ReadOPML), all or nothing: an entry
// with a bad URL or topic refuses the whole file (an *ImportError naming each). The feeds
// are checked on their first poll; each gets interval (ParseInterval) and its outline's
// topic, else DefaultFeedTopic. name names the file in errors and the audit log.
func (o *Ops) ImportFeeds(ctx context.Context, a Actor, r io.Reader, name, interval string) (FeedsImported, error) {
	every, err := ParseInterval(interval)
	if err != nil {
		return FeedsImported{}, err
	}
	outlines, err := feeds.ReadOPML(r)
	if err != nil {
		return FeedsImported{}, fieldErr(FieldFile, CodeInvalid, name, err.Error())
	}
	nfs := make([]store.NewFeed, 0, len(outlines))
	var bad []EntryError
	for i, ol := range outlines {
		u, err := CheckFeedURL(ol.URL)
		if err != nil {
			bad = append(bad, EntryError{N: i + 1, Name: orDash(ol.Title), Err: err})
			continue
		}
		topic := ol.Topic
		if topic == "" {
			topic = DefaultFeedTopic
		}
		if err := CheckFeedTopic(topic); err != nil {
			bad = append(bad, EntryError{N: i + 1, Name: feeds.RedactURL(u), Err: err})
			continue
		}
		nfs = append(nfs, store.NewFeed{URL: u, Title: ol.Title, Topic: topic, Interval: every})
	}
	if len(bad) > 0 {
		return FeedsImported{}, &ImportError{File: name, Entries: bad}
	}
	added, skipped, err := o.as(a).AddFeeds(ctx, nfs, name)
	if err != nil {
		return FeedsImported{}, fmt.Errorf("import %s: %w", name, err)
	}
	return FeedsImported{Added: added, Skipped: skipped}, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// FeedView is a feed as admins see it in lists: its URL and errors with credentials
// redacted (feeds.RedactURL, feeds.RedactText), which no list may show; only an OPML
// export carries the stored URL.
type FeedView struct {
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
	Version             int        `json:"version"`
}

// Feeds lists every feed by id, as FeedView.
func (o *Ops) Feeds(ctx context.Context) ([]FeedView, error) {
	list, err := o.Store.Feeds(ctx)
	return views(list, err, func(f store.Feed) FeedView {
		return FeedView{ID: f.ID, URL: feeds.RedactURL(f.URL), Title: f.Title, Topic: f.Topic,
			Interval: f.Interval.String(), IntervalSeconds: f.Interval.Seconds(), Enabled: f.Enabled,
			DisabledReason: feeds.RedactText(f.DisabledReason), LastPolledAt: f.LastPolledAt, LastSuccessAt: f.LastSuccessAt,
			LastError: feeds.RedactText(f.LastError), ConsecutiveFailures: f.ConsecutiveFailures, NextPollAt: f.NextPollAt,
			Version: f.Version}
	})
}
