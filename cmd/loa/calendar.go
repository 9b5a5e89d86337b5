package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"loa/admin"
	"loa/calendar"
	"loa/feeds"
)

func calendarList(c *call) error {
	all := c.flag("all")
	return list(c, func() ([]admin.EventView, error) { return c.ops.Events(c.ctx, *all) },
		"no enabled events; see them all with: loa calendar list --all",
		"ID\tSLUG\tDATE\tFOUNDED\tTITLE\tCATEGORY\tADVANCE\tENABLED\tSOURCE", func(ev admin.EventView) []any {
			return []any{ev.ID, ev.Slug, ev.Date, dashIfZero(ev.FoundedYear), feeds.Summarize(ev.Title, 60), ev.Category,
				ev.AdvanceDays, ev.Enabled, feeds.Summarize(ev.Source, 40)}
		})
}

// eventFlags declares the flags of calendar add and edit; change is what was given.
func eventFlags(c *call) (change func() admin.EventChange) {
	title, date, lunar, slug, source := c.str("title", ""), c.str("date", ""), c.str("lunar", ""), c.str("slug", ""), c.str("source", "")
	category, leap := c.str("category", string(admin.DefaultCategory)), c.flag("leap")
	founded, advance := c.num("founded", 0), c.num("advance", calendar.DefaultAdvanceDays)
	return func() admin.EventChange {
		return admin.EventChange{Title: given(c, "title", title), Date: given(c, "date", date), Lunar: given(c, "lunar", lunar),
			Leap: given(c, "leap", leap), Founded: given(c, "founded", founded), Category: given(c, "category", category),
			Advance: given(c, "advance", advance), Slug: given(c, "slug", slug), Source: given(c, "source", source)}
	}
}

// printEvent says what became of an event (verb), and its next notice.
func printEvent(c *call, verb string, ev calendar.Event, err error) error {
	if err != nil {
		return c.fail(map[string]string{"added": "event not added", "changed": "event not changed"}[verb], err)
	}
	founded, state, next := "", "", "  next notice: none in the next two years\n"
	if ev.FoundedYear != 0 {
		founded = fmt.Sprintf(", founded %d", ev.FoundedYear)
	}
	if o, ok := admin.NextNotice(ev, calendar.DateIn(time.Now(), c.cfg.Location)); !ev.Enabled {
		state, next = ", disabled", ""
	} else if ok {
		next = "  next notice: " + o.Date.DMY() + ": " + calendar.NoticeText(o) + "\n"
	}
	return c.say("%s event %d: %s\n  %s (%s%s), %s%s\n%s", verb, ev.ID, ev.Slug, ev.Title,
		admin.EventDate(ev), founded, ev.Category, state, next)
}

func calendarAdd(c *call) error {
	change := eventFlags(c)
	if err := c.open(); err != nil {
		return err
	}
	ev, err := c.ops.AddEvent(c.ctx, c.actor(), change())
	return printEvent(c, "added", ev, err)
}

func calendarEdit(c *call) error {
	change := eventFlags(c)
	id, err := c.openID("event")
	if err != nil {
		return err
	}
	ch := change()
	if len(ch.Fields()) == 0 {
		return usagef("calendar edit: nothing to change; give --title, --date, --lunar, --leap, --founded, --category, --advance, --slug or --source")
	}
	ev, err := c.ops.EditEvent(c.ctx, c.actor(), id, 0, ch)
	return printEvent(c, "changed", ev, err)
}

// calendarEnable is calendar enable (or disable).
func calendarEnable(enable bool) func(*call) error {
	return func(c *call) error {
		id, err := c.openID("event")
		if err != nil {
			return err
		}
		ev, err := c.ops.EnableEvent(c.ctx, c.actor(), id, enable)
		return printEvent(c, map[bool]string{true: "enabled", false: "disabled"}[enable], ev, err)
	}
}

func calendarImport(c *call) error {
	if err := c.open("FILE.csv"); err != nil {
		return err
	}
	file, err := os.Open(c.pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	read, added, updated, err := c.ops.ImportEvents(c.ctx, c.actor(), file, c.pos[0])
	return c.done(err, "nothing imported", "imported %d events from %s: %d added, %d updated\n", read, c.pos[0], added, updated)
}

func calendarExport(c *call) error {
	format, fromYear, toYear := c.str("format", admin.FormatCSV), c.num("from-year", 0), c.num("to-year", 0)
	if err := c.open(); err != nil {
		return err
	}
	return c.fail("", c.ops.ExportEvents(c.ctx, c.stdout, *format, *fromYear, *toYear))
}

func calendarBanner(c *call) error {
	fromS, toS := c.str("from", ""), c.str("to", "")
	if err := c.open(); err != nil {
		return err
	}
	from, err1 := admin.ParseDate(*fromS, admin.FieldFrom)
	to, err2 := admin.ParseDate(*toS, admin.FieldTo)
	banner, err := "", cmp.Or(err1, err2)
	if err == nil {
		banner, err = c.ops.Banner(c.ctx, from, to)
	}
	if err == nil && banner == "" {
		fmt.Fprintf(c.stderr, "loa: no anniversaries between %s and %s\n", from.DMY(), to.DMY())
		return nil
	}
	return c.done(err, "", "%s\n", banner)
}

func calendarUpcoming(c *call) error {
	fromS, days := c.str("from", ""), c.num("days", admin.DefaultUpcomingDays)
	if err := c.open(); err != nil {
		return err
	}
	from, err := calendar.Date{}, error(nil)
	if *fromS != "" {
		if from, err = admin.ParseDate(*fromS, admin.FieldFrom); err != nil {
			return c.fail("", err)
		}
	}
	occs, to, err := c.ops.Upcoming(c.ctx, from, *days)
	if err != nil {
		return c.fail("", err)
	}
	return show(c, admin.ViewOccurrences(occs), nil, fmt.Sprintf("no notices from %s to %s", to.AddDays(1-*days).DMY(), to.DMY()),
		"DATE\tYEARS\tROUND\tLUNAR\tNOTICE", func(o admin.OccurrenceView) []any {
			lunar := ""
			if o.Lunar != nil {
				lunar = o.Lunar.String()
			}
			return []any{o.Date.DMY(), dashIfZero(o.Years), o.Round, lunar, o.Notice}
		})
}

// calendarConvert converts between solar and lunar dates; it needs no database.
func calendarConvert(c *call) error {
	toSolar, leap := c.flag("to-solar"), c.flag("leap")
	pos, err := c.parse("DATE")
	if err != nil {
		return err
	}
	if *leap && !*toSolar {
		return usagef("calendar convert: --leap is for a lunar date, with --to-solar")
	}
	var v struct {
		Solar calendar.Date      `json:"solar"`
		Lunar calendar.LunarDate `json:"lunar"`
	}
	var fe *admin.FieldError
	if v.Solar, v.Lunar, err = admin.ConvertDate(pos[0], *toSolar, *leap); errors.As(err, &fe) {
		return usagef("calendar convert: %s", fe.ErrorAs("", ""))
	}
	solar := calendar.WeekdayName(v.Solar.Weekday()) + ", " + v.Solar.DMY() + " dương lịch"
	switch b, jerr := json.Marshal(v); {
	case err != nil || jerr != nil:
		return cmp.Or(err, jerr)
	case *c.json:
		return c.say("%s\n", b)
	case *toSolar:
		return c.say("%s là %s\n", v.Lunar.LongString(), solar)
	}
	return c.say("%s là %s\n", solar, v.Lunar.LongString())
}

// dashIfZero is n, or "" (a table's "-") for 0.
func dashIfZero(n int) any {
	if n == 0 {
		return ""
	}
	return n
}
