package bot

import (
	"context"
	"strings"
	"time"

	"loa/calendar"
)

// Bounds of /today and /upcoming.
const (
	// upcomingDays is how far /upcoming looks, today included.
	upcomingDays = 30
	// upcomingMax is how many anniversaries /upcoming lists; the rest are counted.
	upcomingMax = 10
	// nextSearchDays is how far /today looks for the next anniversary when there is
	// none today.
	nextSearchDays = 400
)

// today lists today's notices, as the anniversaries topic says them (advance notices
// included), or says there are none and shows the next anniversary.
func (b *Bot) today(ctx context.Context, u Update, _ request) Response {
	events, err := b.Store.Events(ctx, false)
	if err != nil {
		return b.failed(u, "calendar events", err)
	}
	day := calendar.DateIn(b.now(), b.location())
	if occs := calendar.Occurrences(events, day, day); len(occs) > 0 {
		return reply(todayText(day, noticeLines(occs)))
	}
	next := anniversaries(calendar.Occurrences(events, day.AddDays(1), day.AddDays(nextSearchDays)))
	if len(next) == 0 {
		return reply(noneTodayText(day))
	}
	var lines []string
	for _, o := range next {
		if o.Date != next[0].Date {
			break
		}
		lines = append(lines, calendar.NoticeText(o))
	}
	return reply(noneTodayText(day) + "\n\n" + nextText(next[0].Date, next[0].Date.Sub(day), lines))
}

// upcoming lists the anniversaries of the next upcomingDays days, today included, at
// most upcomingMax of them. Advance notices are left out: the anniversary itself is
// in the list, or beyond it.
func (b *Bot) upcoming(ctx context.Context, u Update, _ request) Response {
	events, err := b.Store.Events(ctx, false)
	if err != nil {
		return b.failed(u, "calendar events", err)
	}
	day := calendar.DateIn(b.now(), b.location())
	occs := anniversaries(calendar.Occurrences(events, day, day.AddDays(upcomingDays-1)))
	if len(occs) == 0 {
		return reply(noUpcomingText)
	}
	shown := occs[:min(len(occs), upcomingMax)]
	lines := make([]string, len(shown))
	for i, o := range shown {
		lines[i] = upcomingLine(o.Date, o.Date == day, calendar.NoticeText(o))
	}
	return reply(upcomingText(lines, len(occs)-len(shown)))
}

// anniversaries drops the advance notices.
func anniversaries(occs []calendar.Occurrence) []calendar.Occurrence {
	out := occs[:0:0]
	for _, o := range occs {
		if !o.Advance {
			out = append(out, o)
		}
	}
	return out
}

func noticeLines(occs []calendar.Occurrence) []string {
	lines := make([]string, len(occs))
	for i, o := range occs {
		lines[i] = calendar.NoticeText(o)
	}
	return lines
}

// now is the bot's clock.
func (b *Bot) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

// bullets writes one line per item.
func bullets(lines []string) string {
	return "• " + strings.Join(lines, "\n• ")
}
