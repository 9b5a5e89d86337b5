package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/admin"
	"loa/feeds"
)

// Nguồn tin's actions: add (checked by fetching it, as the CLI does), edit topic and
// interval, disable, enable, remove, OPML import and export.

var feedFields = []string{"url", "topic", "interval", "version"}

// intervals are the poll intervals the form offers.
var intervals = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour}

type intervalOption struct {
	Value, Label string
}

func intervalOptions(current string) []intervalOption {
	var out []intervalOption
	found := current == ""
	for _, d := range intervals {
		out = append(out, intervalOption{d.String(), formatDuration(d)})
		found = found || d.String() == current
	}
	if d, err := time.ParseDuration(current); !found && err == nil {
		out = append(out, intervalOption{current, formatDuration(d)})
	}
	return out
}

func (c *Console) addFeed(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, feedFields...)
	added, err := c.Ops.AddFeed(r.Context(), sessionOf(r).actor(), f.V("url"), strings.TrimSpace(f.V("topic")), f.V("interval"))
	if c.answered(w, r, &f, err, "add feed", func() {
		f.Values["url"] = feeds.RedactURL(f.V("url")) // what was typed, without its password
		c.renderFeeds(w, r, f)
	}) {
		return
	}
	seeOther(w, r, "/nguon-tin#feed-"+strconv.FormatInt(added.Feed.ID, 10), "saved")
}

func (c *Console) editFeedPage(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "nguồn tin")
	if !ok {
		return
	}
	fd, err := c.Store.Feed(r.Context(), id)
	if !c.found(w, r, "nguồn tin", "feed", err) {
		return
	}
	f := form{Values: map[string]string{"topic": fd.Topic, "interval": fd.Interval.String(), "version": strconv.Itoa(fd.Version),
		"editing": strconv.FormatInt(id, 10), "url": feeds.RedactURL(fd.URL)}, Errors: map[string]string{}}
	c.renderFeeds(w, r, f)
}

func (c *Console) editFeed(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "nguồn tin")
	if !ok {
		return
	}
	f := formFrom(r, feedFields...)
	f.Values["editing"] = strconv.FormatInt(id, 10)
	version, err := strconv.Atoi(f.V("version"))
	if err != nil || version <= 0 {
		version = -1 // never "whatever is current"
	}
	topic, interval := strings.TrimSpace(f.V("topic")), f.V("interval")
	_, err = c.Ops.EditFeed(r.Context(), sessionOf(r).actor(), id, version, admin.FeedChange{Topic: &topic, Interval: &interval})
	if c.answered(w, r, &f, err, "edit feed", func() {
		if fd, err := c.Store.Feed(r.Context(), id); err == nil {
			f.Values["url"] = feeds.RedactURL(fd.URL)
		}
		c.renderFeeds(w, r, f)
	}) {
		return
	}
	seeOther(w, r, "/nguon-tin#feed-"+strconv.FormatInt(id, 10), "saved")
}

// feedAction disables, enables or removes a feed.
func (c *Console) feedAction(outcome string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := c.pathID(w, r, "nguồn tin")
		if !ok {
			return
		}
		me := sessionOf(r).actor()
		var err error
		switch outcome {
		case "disabled":
			_, err = c.Ops.DisableFeed(r.Context(), me, id)
		case "enabled":
			_, err = c.Ops.EnableFeed(r.Context(), me, id)
		default:
			err = c.Ops.RemoveFeed(r.Context(), me, id)
		}
		var f form
		if c.answered(w, r, &f, err, "feed "+outcome, func() {
			c.renderFeeds(w, r, f)
		}) {
			return
		}
		seeOther(w, r, "/nguon-tin#feed-"+strconv.FormatInt(id, 10), outcome)
	}
}

func (c *Console) importFeeds(w http.ResponseWriter, r *http.Request) {
	f := form{Values: map[string]string{}, Errors: map[string]string{}}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.Errors["file"] = "Vui lòng chọn một tệp OPML."
		c.renderFeeds(w, r, f)
		return
	}
	defer file.Close()
	_, err = c.Ops.ImportFeeds(r.Context(), sessionOf(r).actor(), file, hdr.Filename, r.PostFormValue("interval"))
	if c.answered(w, r, &f, err, "import feeds", func() {
		if msg := f.Errors[string(admin.FieldFile)]; msg != "" {
			f.Errors["file"] = msg
		}
		c.renderFeeds(w, r, f)
	}) {
		return
	}
	seeOther(w, r, "/nguon-tin", "imported")
}

// exportFeeds writes the feeds as OPML. Credentials in a URL are never shown by the
// console, so they are left out here too (the CLI's export keeps them).
func (c *Console) exportFeeds(w http.ResponseWriter, r *http.Request) {
	list, err := c.Store.Feeds(r.Context())
	if err != nil {
		c.failed(w, r, "feeds", err)
		return
	}
	outlines := make([]feeds.Outline, len(list))
	for i, f := range list {
		outlines[i] = feeds.Outline{URL: feeds.RedactURL(f.URL), Title: f.Title, Topic: f.Topic}
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="nguon-tin.opml"`)
	if err := feeds.WriteOPML(w, "loa feeds", outlines); err != nil {
		c.log().Error("web: OPML export", "error", err.Error())
	}
}
