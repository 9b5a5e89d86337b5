package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"loa/admin"
	"loa/calendar"
)

func calendarList(c *call) error {
	all := c.flag("all")
	s, _, err := c.open()
	if err != nil {
		return err
	}
	events, err := s.ops.Events(c.ctx, *all)
	return show(c, events, err, "no enabled events; see them all with: loa calendar list --all",
		"ID\tSLUG\tDATE\tFOUNDED\tTITLE\tCATEGORY\tADVANCE\tENABLED\tSOURCE", func(ev admin.EventView) []any {
			return []any{ev.ID, ev.Slug, ev.Date, dashIfZero(ev.FoundedYear), clip(ev.Title, 60), ev.Category,
				ev.AdvanceDays, ev.Enabled, clip(ev.Source, 40)}
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

// printEvent says what became of an event, and its next notice.
func printEvent(c *call, s *session, verb string, ev calendar.Event, err error) error {
	if err != nil {
		return c.fail(map[string]string{"added": "event not added", "changed": "event not changed"}[verb], err)
	}
	founded, state, next := "", "", ""
	if ev.FoundedYear != 0 {
		founded = fmt.Sprintf(", founded %d", ev.FoundedYear)
	}
	if !ev.Enabled {
		state = ", disabled"
	} else if o, ok := admin.NextNotice(ev, calendar.DateIn(time.Now(), s.cfg.Location)); ok {
		next = "  next notice: " + o.Date.DMY() + ": " + calendar.NoticeText(o) + "\n"
	} else {
		next = "  next notice: none in the next two years\n"
	}
	return c.say("%s event %d: %s\n  %s (%s%s), %s%s\n%s", verb, ev.ID, ev.Slug, ev.Title,
		admin.EventDate(ev), founded, ev.Category, state, next)
}

func calendarAdd(c *call) error {
	change := eventFlags(c)
	s, _, err := c.open()
	if err != nil {
		return err
	}
	ev, err := s.ops.AddEvent(c.ctx, c.actor(), change())
	return printEvent(c, s, "added", ev, err)
}

func calendarEdit(c *call) error {
	change := eventFlags(c)
	s, id, err := c.openID("event")
	if err != nil {
		return err
	}
	ch := change()
	if len(ch.Fields()) == 0 {
		return usagef("calendar edit: nothing to change; give --title, --date, --lunar, --leap, --founded, --category, --advance, --slug or --source")
	}
	ev, err := s.ops.EditEvent(c.ctx, c.actor(), id, 0, ch)
	return printEvent(c, s, "changed", ev, err)
}

// calendarEnable is calendar enable (or disable).
func calendarEnable(enable bool) func(*call) error {
	return func(c *call) error {
		s, id, err := c.openID("event")
		if err != nil {
			return err
		}
		ev, err := s.ops.EnableEvent(c.ctx, c.actor(), id, enable)
		return printEvent(c, s, map[bool]string{true: "enabled", false: "disabled"}[enable], ev, err)
	}
}

func calendarImport(c *call) error {
	pos, err := c.parse("FILE.csv")
	if err != nil {
		return err
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	s, err := c.session()
	if err != nil {
		return err
	}
	read, added, updated, err := s.ops.ImportEvents(c.ctx, c.actor(), file, pos[0])
	if err != nil {
		return c.fail("nothing imported", err)
	}
	return c.say("imported %d events from %s: %d added, %d updated\n", read, pos[0], added, updated)
}

func calendarExport(c *call) error {
	format, fromYear, toYear := c.str("format", admin.FormatCSV), c.num("from-year", 0), c.num("to-year", 0)
	s, _, err := c.open()
	if err != nil {
		return err
	}
	return c.fail("", s.ops.ExportEvents(c.ctx, c.stdout, *format, *fromYear, *toYear))
}

func calendarBanner(c *call) error {
	fromS, toS := c.str("from", ""), c.str("to", "")
	if _, err := c.parse(); err != nil {
		return err
	}
	from, err := admin.ParseDate(*fromS, admin.FieldFrom)
	if err != nil {
		return c.fail("", err)
	}
	to, err := admin.ParseDate(*toS, admin.FieldTo)
	if err != nil {
		return c.fail("", err)
	}
	s, err := c.session()
	if err != nil {
		return err
	}
	banner, err := s.ops.Banner(c.ctx, from, to)
	switch {
	case err != nil:
		return c.fail("", err)
	case banner == "":
		fmt.Fprintf(c.stderr, "loa: no anniversaries between %s and %s\n", from.DMY(), to.DMY())
		return nil
	}
	return c.say("%s\n", banner)
}

func calendarUpcoming(c *call) error {
	fromS, days := c.str("from", ""), c.num("days", admin.DefaultUpcomingDays)
	if _, err := c.parse(); err != nil {
		return err
	}
	var from calendar.Date
	var err error
	if *fromS != "" {
		if from, err = admin.ParseDate(*fromS, admin.FieldFrom); err != nil {
			return c.fail("", err)
		}
	}
	s, err := c.session()
	if err != nil {
		return err
	}
	occs, to, err := s.ops.Upcoming(c.ctx, from, *days)
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

// weekdayNames are the Vietnamese names of the days of the week.
var weekdayNames = [7]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

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
	if v.Solar, v.Lunar, err = admin.ConvertDate(pos[0], *toSolar, *leap); err != nil {
		var fe *admin.FieldError
		if errors.As(err, &fe) {
			return usagef("calendar convert: %s", fe.ErrorAs("", ""))
		}
		return err
	}
	solar := weekdayNames[v.Solar.Weekday()] + ", " + v.Solar.DMY() + " dương lịch"
	switch b, err := json.Marshal(v); {
	case err != nil:
		return err
	case *c.json:
		return c.say("%s\n", b)
	case *toSolar:
		return c.say("%s là %s\n", v.Lunar.LongString(), solar)
	}
	return c.say("%s là %s\n", solar, v.Lunar.LongString())
}

// dashIfZero writes n, or "-" for 0 (none).
func dashIfZero(n int) any {
	if n == 0 {
		return ""
	}
	return n
}
