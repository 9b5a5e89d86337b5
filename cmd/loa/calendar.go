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
	events, err := c.ops.Events(c.ctx, value(c, "all", false))
	return show(c, events, err, "no enabled events; see them all with: loa calendar list --all",
		"ID\tSLUG\tDATE\tFOUNDED\tTITLE\tCATEGORY\tADVANCE\tENABLED\tSOURCE", func(ev admin.EventView) []any {
			return []any{ev.ID, ev.Slug, ev.Date, dashIfZero(ev.FoundedYear), feeds.Summarize(ev.Title, 60), ev.Category,
				ev.AdvanceDays, ev.Enabled, feeds.Summarize(ev.Source, 40)}
		})
}

// eventChange is what the flags of calendar add and edit say.
func eventChange(c *call) admin.EventChange {
	return admin.EventChange{Title: given[string](c, "title"), Date: given[string](c, "date"), Lunar: given[string](c, "lunar"),
		Leap: given[bool](c, "leap"), Founded: given[int](c, "founded"), Category: given[string](c, "category"),
		Advance: given[int](c, "advance"), Slug: given[string](c, "slug"), Source: given[string](c, "source")}
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
	ev, err := c.ops.AddEvent(c.ctx, c.actor(), eventChange(c))
	return printEvent(c, "added", ev, err)
}

func calendarEdit(c *call) error {
	ch := eventChange(c)
	if len(ch.Fields()) == 0 {
		return usagef("calendar edit: nothing to change; give --title, --date, --lunar, --leap, --founded, --category, --advance, --slug or --source")
	}
	ev, err := c.ops.EditEvent(c.ctx, c.actor(), c.id, 0, ch)
	return printEvent(c, "changed", ev, err)
}

// calendarEnable is calendar enable (or disable).
func calendarEnable(enable bool) func(*call) error {
	return func(c *call) error {
		ev, err := c.ops.EnableEvent(c.ctx, c.actor(), c.id, enable)
		return printEvent(c, map[bool]string{true: "enabled", false: "disabled"}[enable], ev, err)
	}
}

func calendarImport(c *call) error {
	file, err := os.Open(c.pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	read, added, updated, err := c.ops.ImportEvents(c.ctx, c.actor(), file, c.pos[0])
	return c.done(err, "nothing imported", "imported %d events from %s: %d added, %d updated\n", read, c.pos[0], added, updated)
}

func calendarExport(c *call) error {
	return c.fail("", c.ops.ExportEvents(c.ctx, c.stdout, value(c, "format", admin.FormatCSV),
		value(c, "from-year", 0), value(c, "to-year", 0)))
}

func calendarBanner(c *call) error {
	from, err1 := admin.ParseDate(value(c, "from", ""), admin.FieldFrom)
	to, err2 := admin.ParseDate(value(c, "to", ""), admin.FieldTo)
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
	days, from, err := value(c, "days", admin.DefaultUpcomingDays), calendar.Date{}, error(nil)
	if s := value(c, "from", ""); s != "" {
		if from, err = admin.ParseDate(s, admin.FieldFrom); err != nil {
			return c.fail("", err)
		}
	}
	occs, to, err := c.ops.Upcoming(c.ctx, from, days)
	if err != nil {
		return c.fail("", err)
	}
	return show(c, admin.ViewOccurrences(occs), nil, fmt.Sprintf("no notices from %s to %s", to.AddDays(1-days).DMY(), to.DMY()),
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
	toSolar, leap := value(c, "to-solar", false), value(c, "leap", false)
	if leap && !toSolar {
		return usagef("calendar convert: --leap is for a lunar date, with --to-solar")
	}
	var v struct {
		Solar calendar.Date      `json:"solar"`
		Lunar calendar.LunarDate `json:"lunar"`
	}
	var fe *admin.FieldError
	var err error
	if v.Solar, v.Lunar, err = admin.ConvertDate(c.pos[0], toSolar, leap); errors.As(err, &fe) {
		return usagef("calendar convert: %s", fe.ErrorAs("", ""))
	}
	solar := calendar.WeekdayTitle(v.Solar.Weekday()) + ", " + v.Solar.DMY() + " dương lịch"
	switch b, jerr := json.Marshal(v); {
	case err != nil || jerr != nil:
		return cmp.Or(err, jerr)
	case value(c, "json", false):
		return c.say("%s\n", b)
	case toSolar:
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
