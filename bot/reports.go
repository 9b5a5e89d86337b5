package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"loa/admin"
	"loa/broadcast"
	"loa/calendar"
	"loa/chat"
	"loa/store"
)

// The admins' reports: /stats and /broadcast [id]. They only read.

// stats shows the subscribers by channel and status, and this week's activity.
func (b *Bot) stats(ctx context.Context, u Update, _ request) Response {
	counts, err := b.Store.SubscriberStats(ctx)
	if err != nil {
		return b.failed(u, "subscriber stats", err)
	}
	monday := weekStart(b.now(), b.location())
	act, err := b.Store.ActivitySince(ctx, monday)
	if err != nil {
		return b.failed(u, "activity", err)
	}
	type tally struct {
		active, stopped, gone int
		kinds                 map[string]int
	}
	var channels []chat.Channel
	by := map[chat.Channel]*tally{}
	for _, c := range counts {
		t := by[c.Channel]
		if t == nil {
			t = &tally{kinds: map[string]int{}}
			by[c.Channel] = t
			channels = append(channels, c.Channel)
		}
		switch c.Status {
		case store.StatusActive:
			t.active += c.Count
			t.kinds[kindWord(c.Kind)] += c.Count
		case store.StatusStopped:
			t.stopped += c.Count
		default:
			t.gone += c.Count
		}
	}
	var sb strings.Builder
	sb.WriteString(statsHeader + "\n\n" + subscribersHeader)
	if len(channels) == 0 {
		sb.WriteString("\n" + noSubscribersText)
	}
	for _, ch := range channels {
		t := by[ch]
		var kinds []string
		for _, k := range []string{kindPrivateText, kindGroupText, kindChannelText} {
			if n := t.kinds[k]; n > 0 {
				kinds = append(kinds, admin.Number(n)+" "+k)
			}
		}
		sb.WriteString("\n" + statsChannelLine(ch, t.active, kinds, t.stopped, t.gone))
	}
	sb.WriteString("\n\n" + statsWeekText(calendar.DateIn(monday, b.location()).LongDMY(),
		act.Broadcasts, act.Sent, act.Failed, act.Pending, act.Cancelled))
	return reply(sb.String())
}

// kindWord names a kind of chat in /stats: supergroups are groups to their members.
func kindWord(kind chat.Kind) string {
	switch kind {
	case kindPrivate:
		return kindPrivateText
	case kindChannel:
		return kindChannelText
	}
	return kindGroupText
}

// weekStart is Monday 00:00 of now's ISO week, in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, loc)
}

// broadcast shows the progress of one broadcast, or lists the latest ones.
func (b *Bot) broadcast(ctx context.Context, u Update, r request) Response {
	if r.args == "" {
		return b.recentBroadcasts(ctx, u)
	}
	id, err := admin.ParseID(r.args)
	if err != nil {
		return reply(broadcastUsageText)
	}
	bs, fails, err := b.Store.BroadcastDetail(ctx, id)
	switch {
	case isNotFound(err):
		return reply(broadcastNotFoundText(id))
	case err != nil:
		return b.failed(u, "broadcast detail", err)
	}
	var sb strings.Builder
	sb.WriteString(broadcastHead(bs.ID, bs.Kind, b.listTime(bs.CreatedAt), announcementOf(bs.SourceKey)))
	sb.WriteString("\n" + broadcastTitle(bs.Broadcast))
	if bs.Link != "" {
		sb.WriteString("\n" + bs.Link)
	}
	sb.WriteString("\n\n" + broadcastProgress(bs.Total, bs.Sent, bs.Failed, bs.Pending, bs.Cancelled))
	if len(fails) > 0 {
		sb.WriteString("\n\n" + failuresHeader)
		for _, f := range fails {
			sb.WriteString("\n• " + admin.Number(f.Count) + " " + failureStatus(f.Status) + ": " + admin.ReasonText(f.Reason))
		}
	}
	return reply(sb.String())
}

// recentBroadcasts lists the newest broadcasts with their progress, so that an admin
// finds the number /broadcast wants.
func (b *Bot) recentBroadcasts(ctx context.Context, u Update) Response {
	bs, err := b.Store.BroadcastStats(ctx, recentBroadcasts)
	if err != nil {
		return b.failed(u, "broadcast stats", err)
	}
	if len(bs) == 0 {
		return reply(noBroadcastsText)
	}
	lines := make([]string, len(bs))
	for i, s := range bs {
		lines[i] = recentBroadcastLine(s.ID, s.Kind, b.listTime(s.CreatedAt), s.Sent, s.Total, broadcastTitle(s.Broadcast))
	}
	return reply(recentBroadcastsHead + "\n\n" + strings.Join(lines, "\n\n") + "\n\n" +
		recentBroadcastsFoot + strconv.FormatInt(bs[0].ID, 10))
}

// broadcastTitle is a broadcast's title, else an excerpt of what it says.
func broadcastTitle(bc store.Broadcast) string {
	if t := strings.Join(strings.Fields(bc.Title), " "); t != "" {
		return excerpt(t)
	}
	body := bc.Summary
	if bc.Kind == store.KindAnnouncement {
		body = broadcast.PlainMarkup(body)
	}
	return excerpt(body)
}

// announcementOf returns the announcement a broadcast is a run of (source key
// "ann:<id>:<run time>"), or 0.
func announcementOf(sourceKey string) int64 {
	rest, ok := strings.CutPrefix(sourceKey, "ann:")
	if !ok {
		return 0
	}
	idText, _, _ := strings.Cut(rest, ":")
	id, err := admin.ParseID(idText)
	if err != nil {
		return 0
	}
	return id
}
