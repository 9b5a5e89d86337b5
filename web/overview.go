package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"loa/calendar"
	"loa/chat"
	"loa/feeds"
	"loa/store"
)

// subRow is one channel's subscribers by status.
type subRow struct {
	Channel                      chat.Channel
	Kind                         chat.Kind // "" in a row of the whole channel
	Active, Stopped, Gone, Total int
}

type overviewData struct {
	Subs        []subRow
	SubsTotal   subRow
	UnderWay    []store.BroadcastStat
	Sent30      int
	Failed30    int
	Messages    template.HTML
	Subscribers template.HTML
	Channels    []ChannelState
	Feeds       []store.Feed
	Alerts      []store.Broadcast
	Upcoming    []calendar.Occurrence
	Today       calendar.Date
}

// chartDays is how far back the overview's charts look.
const chartDays = 30

func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := c.now()
	loc := c.loc()
	var d overviewData
	stats, err := c.Store.SubscriberStats(ctx)
	if err != nil {
		c.failed(w, r, "subscriber stats", err)
		return
	}
	d.Subs = subscriberRows(stats)
	for _, s := range d.Subs {
		d.SubsTotal.Active += s.Active
		d.SubsTotal.Stopped += s.Stopped
		d.SubsTotal.Gone += s.Gone
		d.SubsTotal.Total += s.Total
	}
	if d.UnderWay, err = c.Store.BroadcastsUnderWay(ctx, 20); err != nil {
		c.failed(w, r, "broadcasts under way", err)
		return
	}
	outcomes, err := c.Store.DailyOutcomes(ctx, loc, now, chartDays)
	if err != nil {
		c.failed(w, r, "daily outcomes", err)
		return
	}
	for _, o := range outcomes {
		d.Sent30 += int(o.Sent)
		d.Failed30 += int(o.Failed)
	}
	d.Messages = messagesChart(outcomes, now, chartDays, loc)
	subs, err := c.Store.DailySubscribers(ctx, loc, now, chartDays)
	if err != nil {
		c.failed(w, r, "daily subscribers", err)
		return
	}
	d.Subscribers = subscribersChart(subs, now, chartDays, loc)
	if c.Health != nil {
		d.Channels = c.Health(ctx)
	}
	fs, err := c.Store.Feeds(ctx)
	if err != nil {
		c.failed(w, r, "feeds", err)
		return
	}
	for _, f := range fs {
		if !f.Enabled || f.ConsecutiveFailures > 0 {
			f.URL = feeds.RedactURL(f.URL)
			d.Feeds = append(d.Feeds, f)
		}
	}
	recent, err := c.Store.Broadcasts(ctx, 200)
	if err != nil {
		c.failed(w, r, "broadcasts", err)
		return
	}
	for _, b := range recent {
		if b.Kind == store.KindAlert && len(d.Alerts) < 5 {
			d.Alerts = append(d.Alerts, b)
		}
	}
	d.Today = calendar.DateIn(now, loc)
	occs, _, err := c.Ops.Upcoming(ctx, d.Today, 61)
	if err != nil {
		c.failed(w, r, "upcoming notices", err)
		return
	}
	for _, o := range occs {
		if !o.Advance && len(d.Upcoming) < 8 {
			d.Upcoming = append(d.Upcoming, o)
		}
	}
	c.page(w, r, "overview", "overview", d)
}

// subscriberRows folds the store's counts (by channel, kind and status) into a row per
// channel, every channel listed even with none.
func subscriberRows(stats []store.SubscriberCount) []subRow {
	rows := make([]subRow, len(chat.Channels()))
	for i, ch := range chat.Channels() {
		rows[i].Channel = ch
	}
	return foldCounts(rows, stats, func(s store.SubscriberCount) subRow { return subRow{Channel: s.Channel} })
}

// subscriberKindRows folds the store's counts into a row per channel and kind of chat
// (as loa subscribers stats counts them), in the store's order.
func subscriberKindRows(stats []store.SubscriberCount) []subRow {
	return foldCounts(nil, stats, func(s store.SubscriberCount) subRow { return subRow{Channel: s.Channel, Kind: s.Kind} })
}

// foldCounts adds each count to the row of its key (rows first, then new rows in the
// order met), by status.
func foldCounts(rows []subRow, stats []store.SubscriberCount, key func(store.SubscriberCount) subRow) []subRow {
	idx := map[subRow]int{}
	for i, r := range rows {
		idx[r] = i
	}
	for _, s := range stats {
		k := key(s)
		i, ok := idx[k]
		if !ok {
			idx[k] = len(rows)
			rows = append(rows, k)
			i = len(rows) - 1
		}
		switch s.Status {
		case store.StatusActive:
			rows[i].Active += s.Count
		case store.StatusStopped:
			rows[i].Stopped += s.Count
		default:
			rows[i].Gone += s.Count
		}
		rows[i].Total += s.Count
	}
	return rows
}

// progressJSON: GET /api/tien-do?id=1,2 answers the broadcasts' progress for the
// page's script. It does not extend the session (authQuiet).
func (c *Console) progressJSON(w http.ResponseWriter, r *http.Request) {
	var ids []int64
	for _, f := range strings.Split(r.URL.Query().Get("id"), ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil && id > 0 && len(ids) < 100 {
			ids = append(ids, id)
		}
	}
	type progress struct {
		Total     int `json:"total"`
		Sent      int `json:"sent"`
		Failed    int `json:"failed"`
		Cancelled int `json:"cancelled"`
		Pending   int `json:"pending"`
	}
	out := map[string]progress{}
	if len(ids) > 0 {
		ps, err := c.Store.BroadcastProgress(r.Context(), ids)
		if err != nil {
			c.log().Error("web: progress", "error", err.Error())
			http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		for id, p := range ps {
			out[strconv.FormatInt(id, 10)] = progress{Total: p.Total, Sent: p.Sent, Failed: p.Failed, Cancelled: p.Cancelled, Pending: p.Pending}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
